import type { z } from 'zod';
import type { Usage } from '../model/fix-report.js';

/**
 * What agents see of a language model. Built by src/llm from OPENAI_API_KEY / OPENAI_BASE_URL /
 * RUBBERDUCK_MODEL (null when none is set: offline). Side effects (HTTP) stay behind this.
 */
export interface StructuredRequest<T> {
  /** Agent name (`localizer`, `repairer`, `explainer`, `reviewer`), for logs and the stub's routing. */
  agent: string;
  system: string;
  user: string;
  schema: z.ZodType<T>;
  /** Name of the output object for function calling / json_schema. */
  schemaName: string;
  /** Sampling temperature for this call (default: config.llm.temperature); raise it for extra samples. */
  temperature?: number;
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
  /** Calls and tokens so far, from the responses' usage blocks (js-tiktoken estimate when absent). */
  usage(): Usage;
  /** True when --max-llm-calls or --max-tokens is used up. */
  exhausted(): boolean;
  /** Problems met along the way (endpoint down, bad output dropped), for the report's notes. */
  notes(): string[];
}
