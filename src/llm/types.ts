import type { StructuredToolInterface } from '@langchain/core/tools';
import type { z } from 'zod';
import type { Usage } from '../model/fix-report.js';

/**
 * Read-only tools a request may offer the model (agents/tools.ts builds them): LangChain tools
 * with zod schemas. The client runs the tool-calling loop (model → tool calls → tool results →
 * model …) and enforces the bounds; src/llm knows nothing of what the tools do.
 */
export interface ToolSet {
  tools: StructuredToolInterface[];
  /** Tool calls this agent may make in the whole run (counted per agent by the client). */
  maxCalls: number;
  /** Longest tool result sent back to the model, in characters. */
  maxOutputChars: number;
}

/**
 * What agents see of a language model. Built by src/llm from OPENAI_API_KEY / OPENAI_BASE_URL /
 * RUBBERDUCK_MODEL (null when none is set: offline). Side effects (HTTP) stay behind this.
 */
export interface StructuredRequest<T> {
  /** Agent name (`localizer`, `repairer`, `explainer`, `reviewer`): usage is counted per agent. */
  agent: string;
  system: string;
  user: string;
  schema: z.ZodType<T>;
  /** Name of the output object for function calling / json_schema. */
  schemaName: string;
  /** Sampling temperature for this call (default: config.llm.temperature); raise it for extra samples. */
  temperature?: number;
  /**
   * Tools the model may call before it answers. Each answered HTTP request still counts as one
   * model call; the tools' runs are counted apart (usage.toolCalls).
   */
  tools?: ToolSet;
  /** Cancels the call (Ctrl-C); the answer is then null. */
  signal?: AbortSignal;
}

export interface LlmClient {
  readonly model: string;
  readonly baseUrl: string;
  /**
   * One validated answer: malformed or schema-breaking output is retried once, then null.
   * 429/5xx are retried with backoff; a dead endpoint, a timeout or an exhausted budget give null.
   * Never throws for model-side trouble.
   */
  structured<T>(request: StructuredRequest<T>): Promise<T | null>;
  /** Calls, tokens and tool calls so far, in total and per agent (usage blocks; js-tiktoken estimate when absent). */
  usage(): Usage;
  /** True when --max-llm-calls or --max-tokens is used up. */
  exhausted(): boolean;
  /** Problems met along the way (endpoint down, bad output dropped), for the report's notes. */
  notes(): string[];
}
