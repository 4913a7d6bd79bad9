/**
 * The model factory: any OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp's server, vLLM,
 * LM Studio) through LangChain's ChatOpenAI, non-streaming (a streaming model's invoke() fetches
 * a tokenizer from the internet and hangs offline). Structured output per config.llm.structuredOutput,
 * validated with zod; usage counted from the responses; budgets enforced before any HTTP.
 *
 * Failure policy (never throws for model-side trouble):
 * - malformed or schema-breaking answer → one more call, then null with a note;
 * - 429 / 5xx / reset connection → up to config.llm.maxRetries retries with exponential backoff
 *   (Retry-After honoured, capped);
 * - timeout → null with a note (two in a row: the endpoint is given up, as below);
 * - connection refused / unknown host / 401 / 403 / 404 → one note, and every later call
 *   short-circuits to null without HTTP (a dead endpoint is not hammered);
 * - budget used up → null without HTTP, one note.
 */
// Loaded on first use: @langchain/openai and the OpenAI SDK cost most of a second at start-up,
// which every offline run (the default) would otherwise pay.
import type { ChatOpenAI } from '@langchain/openai';
import type { AIMessage, BaseMessage, ToolMessage } from '@langchain/core/messages';
import type { Runnable } from '@langchain/core/runnables';
import type { z } from 'zod';
import { ConfigSchema, type Config } from '../config/schema.js';
import type { AgentUsage, Usage } from '../model/fix-report.js';
import { modelJsonSchema, parseJsonLoosely } from './json-schema.js';
import type { LlmClient, StructuredRequest, ToolSet } from './types.js';

export const DEFAULT_MODEL = 'gpt-4o-mini';
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** Sent when OPENAI_BASE_URL is set without a key: local servers ignore it, the SDK wants one. */
export const DUMMY_API_KEY = 'sk-no-key-required';
export const OFFLINE_NOTE = 'no model endpoint configured (OPENAI_API_KEY / OPENAI_BASE_URL unset): running offline';

export type StructuredOutputMethod = Config['llm']['structuredOutput'];
type Env = Record<string, string | undefined>;

export interface Endpoint {
  /** False when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set: offline. */
  configured: boolean;
  baseUrl: string;
  /** The real key, or undefined (a dummy one is sent to local servers). */
  apiKey?: string;
  model: string;
  /** Where each value came from, for `rubberduck config`. */
  sources: { baseUrl: 'OPENAI_BASE_URL' | 'default'; model: 'RUBBERDUCK_MODEL' | 'default'; apiKey: 'OPENAI_API_KEY' | 'none' };
}

const nonEmpty = (v: string | undefined): string | undefined => (v && v.trim() ? v.trim() : undefined);

/** The endpoint the environment points at (no network). */
export function resolveEndpoint(env: Env = process.env): Endpoint {
  const apiKey = nonEmpty(env.OPENAI_API_KEY);
  const baseUrl = nonEmpty(env.OPENAI_BASE_URL);
  const model = nonEmpty(env.RUBBERDUCK_MODEL);
  return {
    configured: Boolean(apiKey || baseUrl),
    baseUrl: (baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, ''),
    ...(apiKey ? { apiKey } : {}),
    model: model ?? DEFAULT_MODEL,
    sources: {
      baseUrl: baseUrl ? 'OPENAI_BASE_URL' : 'default',
      model: model ? 'RUBBERDUCK_MODEL' : 'default',
      apiKey: apiKey ? 'OPENAI_API_KEY' : 'none',
    },
  };
}

/** `sk-…abcd`: the key's `sk-` prefix (when it has one) and its last four characters only. */
export function maskKey(key: string): string {
  const prefix = key.startsWith('sk-') ? 'sk-' : '';
  return key.length >= 12 ? `${prefix}…${key.slice(-4)}` : `${prefix}…`;
}

export interface LlmBudget {
  /** --max-llm-calls: HTTP requests that got an answer. */
  maxCalls?: number;
  /** --max-tokens: prompt + completion tokens. */
  maxTokens?: number;
}

export interface CreateLlmClientOptions {
  env?: Env;
  /** The whole configuration or only its `llm` part; defaults when absent. */
  config?: Config | Config['llm'];
  budget?: LlmBudget;
  /** Called with each note as it happens (the CLI prints them on stderr when verbose). */
  log?: (message: string) => void;
  /** First backoff delay for 429/5xx retries, doubled each time (default 1000 ms). */
  retryDelayMs?: number;
  /** Longest wait between retries, Retry-After included (default 20 s). */
  maxRetryDelayMs?: number;
}

function llmConfig(config: CreateLlmClientOptions['config']): Config['llm'] {
  if (!config) return ConfigSchema.parse({}).llm;
  return 'structuredOutput' in config ? config : config.llm;
}

/**
 * The model client, or null when nothing is configured (offline; `log` gets OFFLINE_NOTE once).
 * A base URL without a key uses a dummy key (Ollama, llama.cpp, vLLM and LM Studio need none).
 */
export function createLlmClient(options: CreateLlmClientOptions = {}): LlmClient | null {
  const endpoint = resolveEndpoint(options.env ?? process.env);
  if (!endpoint.configured) {
    options.log?.(OFFLINE_NOTE);
    return null;
  }
  return new OpenAiCompatibleClient(endpoint, llmConfig(options.config), options);
}

// ---------------------------------------------------------------------------------------------

type Failure =
  | { kind: 'transient'; what: string; retryAfterMs?: number }
  | { kind: 'dead'; what: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'fatal'; what: string };

const DEAD_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

function errorChain(error: unknown): Record<string, unknown>[] {
  const chain: Record<string, unknown>[] = [];
  let current: unknown = error;
  for (let i = 0; i < 6 && typeof current === 'object' && current !== null; i++) {
    const record = current as Record<string, unknown>;
    chain.push(record);
    if (Array.isArray(record.errors)) for (const e of record.errors) if (typeof e === 'object' && e) chain.push(e as Record<string, unknown>);
    current = record.cause;
  }
  return chain;
}

function headerOf(error: Record<string, unknown>, name: string): string | undefined {
  const headers = error.headers as { get?: (n: string) => string | null } | Record<string, string> | undefined;
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return headers.get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function retryAfterMs(error: Record<string, unknown>): number | undefined {
  const ms = Number(headerOf(error, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && headerOf(error, 'retry-after-ms') !== undefined) return ms;
  const raw = headerOf(error, 'retry-after');
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function classify(error: unknown): Failure {
  const chain = errorChain(error);
  const top = chain[0] ?? {};
  const name = String(top.name ?? '');
  const ctor = (error as { constructor?: { name?: string } } | null)?.constructor?.name ?? '';
  const message = String(top.message ?? error);
  if (name === 'AbortError' || ctor === 'APIUserAbortError') return { kind: 'aborted' };
  if (name === 'TimeoutError' || ctor === 'APIConnectionTimeoutError' || /timed? ?out/i.test(message)) return { kind: 'timeout' };
  const status = typeof top.status === 'number' ? top.status : undefined;
  if (status !== undefined) {
    if (status === 429 || status === 408 || status === 409 || status >= 500) {
      const after = retryAfterMs(top);
      return { kind: 'transient', what: `HTTP ${status}`, ...(after !== undefined ? { retryAfterMs: after } : {}) };
    }
    if (status === 401 || status === 403) return { kind: 'dead', what: `HTTP ${status} (check OPENAI_API_KEY)` };
    if (status === 404) return { kind: 'dead', what: `HTTP 404 (unknown model or path; check RUBBERDUCK_MODEL and OPENAI_BASE_URL)` };
    return { kind: 'fatal', what: `HTTP ${status}: ${message.split('\n')[0]}` };
  }
  const code = chain.map((e) => e.code).find((c): c is string => typeof c === 'string' && DEAD_CODES.has(c));
  if (code) return { kind: 'dead', what: `connection failed (${code})` };
  if (ctor === 'APIConnectionError' || name === 'APIConnectionError' || chain.some((e) => typeof e.code === 'string')) {
    const detail = chain.map((e) => e.code).find((c) => typeof c === 'string');
    return { kind: 'transient', what: `connection error${detail ? ` (${String(detail)})` : ''}` };
  }
  return { kind: 'fatal', what: message.split('\n')[0] ?? 'unknown error' };
}

/**
 * LangChain's AIMessage warns on the console ("New LangChain packages are available…") whenever
 * a model's tool-call arguments are not valid JSON — our own retry handles that case, and the
 * message would only confuse a user. Filtered (that message only) while our calls are running.
 */
let quieted = 0;
let originalWarn: typeof console.warn | undefined;
async function withoutLangChainNoise<T>(fn: () => Promise<T>): Promise<T> {
  if (quieted++ === 0) {
    originalWarn = console.warn;
    const warn = originalWarn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('New LangChain packages are available')) return;
      warn.apply(console, args);
    };
  }
  try {
    return await fn();
  } finally {
    if (--quieted === 0 && originalWarn) {
      console.warn = originalWarn;
      originalWarn = undefined;
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** An answer message, or `unparsable` when the SDK itself choked on the answer (json_schema mode parses it). */
type RawAnswer = { raw: AIMessage } | { unparsable: string };

/** The OpenAI SDK's own parsing of a json_schema answer failed: the model's output is the problem. */
function isBadOutput(error: unknown): boolean {
  const name = (error as { name?: string; constructor?: { name?: string } } | null)?.constructor?.name ?? '';
  return error instanceof SyntaxError || name === 'LengthFinishReasonError';
}

/**
 * The candidates for the answer object in a raw message: tool call arguments (not those of the
 * read-only tools in `toolNames`), then the content.
 */
function answerCandidates(raw: AIMessage, toolNames: ReadonlySet<string> = new Set()): { values: unknown[]; sawJson: boolean } {
  const values: unknown[] = [];
  for (const call of raw.tool_calls ?? []) if (!toolNames.has(call.name)) values.push(call.args);
  for (const call of raw.invalid_tool_calls ?? []) {
    if (call.name && toolNames.has(call.name)) continue;
    const parsed = typeof call.args === 'string' ? parseJsonLoosely(call.args) : undefined;
    if (parsed !== undefined) values.push(parsed);
  }
  const content = typeof raw.content === 'string' ? raw.content : raw.content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
  if (content.trim()) {
    const parsed = parseJsonLoosely(content);
    if (parsed !== undefined) values.push(parsed);
  }
  return { values, sawJson: values.length > 0 };
}

function rawText(raw: AIMessage): string {
  const args = (raw.tool_calls ?? []).map((c) => JSON.stringify(c.args)).join('');
  const invalid = (raw.invalid_tool_calls ?? []).map((c) => c.args ?? '').join('');
  const content = typeof raw.content === 'string' ? raw.content : JSON.stringify(raw.content);
  return content + args + invalid;
}

class OpenAiCompatibleClient implements LlmClient {
  readonly model: string;
  readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly llm: Config['llm'];
  private readonly budget: LlmBudget;
  private readonly log: ((message: string) => void) | undefined;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly models = new Map<number, ChatOpenAI>();
  private readonly noteList: string[] = [];
  private readonly noted = new Set<string>();
  private calls = 0;
  private pending = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private toolCallCount = 0;
  private readonly perAgent = new Map<string, AgentUsage>();
  /** Set when the endpoint answered a request with tool definitions with HTTP 400/422. */
  private toolsRefused = false;
  private dead = false;
  private timeoutsInARow = 0;

  constructor(endpoint: Endpoint, llm: Config['llm'], options: CreateLlmClientOptions) {
    this.model = endpoint.model;
    this.baseUrl = endpoint.baseUrl;
    this.apiKey = endpoint.apiKey ?? DUMMY_API_KEY;
    this.llm = llm;
    this.budget = options.budget ?? {};
    this.log = options.log;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 20_000;
  }

  usage(): Usage {
    return {
      llmCalls: this.calls,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      toolCalls: this.toolCallCount,
      agents: Object.fromEntries([...this.perAgent].filter(([, u]) => u.llmCalls > 0 || u.toolCalls > 0).map(([name, u]) => [name, { ...u }])),
    };
  }

  exhausted(): boolean {
    const { maxCalls, maxTokens } = this.budget;
    if (maxCalls !== undefined && this.calls >= maxCalls) return true;
    if (maxTokens !== undefined && this.promptTokens + this.completionTokens >= maxTokens) return true;
    return false;
  }

  notes(): string[] {
    return [...this.noteList];
  }

  private note(message: string, key: string = message): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.noteList.push(message);
    this.log?.(message);
  }

  private langchain?: {
    ChatOpenAI: typeof import('@langchain/openai').ChatOpenAI;
    HumanMessage: typeof import('@langchain/core/messages').HumanMessage;
    SystemMessage: typeof import('@langchain/core/messages').SystemMessage;
    ToolMessage: typeof import('@langchain/core/messages').ToolMessage;
    ToolNode: typeof import('@langchain/langgraph/prebuilt').ToolNode;
  };

  /** Loads LangChain once, before any budget check, so checking and reserving a call stay synchronous. */
  private async loadLangChain(): Promise<void> {
    if (this.langchain) return;
    const [{ ChatOpenAI }, { HumanMessage, SystemMessage, ToolMessage }, { ToolNode }] = await Promise.all([
      import('@langchain/openai'),
      import('@langchain/core/messages'),
      import('@langchain/langgraph/prebuilt'),
    ]);
    this.langchain = { ChatOpenAI, HumanMessage, SystemMessage, ToolMessage, ToolNode };
  }

  private chat(temperature: number): ChatOpenAI {
    let model = this.models.get(temperature);
    if (!model) {
      model = new this.langchain!.ChatOpenAI({
        model: this.model,
        apiKey: this.apiKey,
        configuration: { baseURL: this.baseUrl },
        temperature,
        timeout: Math.round(this.llm.timeoutSeconds * 1000),
        // Retries are ours (short, classified, a dead endpoint is not retried).
        maxRetries: 0,
        streaming: false,
        streamUsage: false,
      });
      this.models.set(temperature, model);
    }
    return model;
  }

  /** Room for one more HTTP request (answers in flight count against --max-llm-calls). */
  private roomForCall(promptEstimate: number): boolean {
    const { maxCalls, maxTokens } = this.budget;
    if (maxCalls !== undefined && this.calls + this.pending >= maxCalls) return false;
    if (maxTokens !== undefined && this.promptTokens + this.completionTokens + promptEstimate > maxTokens) return false;
    return true;
  }

  private budgetNote(): void {
    const { maxCalls, maxTokens } = this.budget;
    const limits = [maxCalls !== undefined ? `${maxCalls} calls` : '', maxTokens !== undefined ? `${maxTokens} tokens` : ''].filter(Boolean).join(', ');
    this.note(`LLM budget (${limits}) used up after ${this.calls} calls and ${this.promptTokens + this.completionTokens} tokens; continuing without the model`, 'budget');
  }

  /** js-tiktoken's ranks load with the first request: an offline run (the default) never needs them. */
  private countTokens: ((text: string) => number) | undefined;

  /** The running totals of one agent (created on first use). */
  private agentUsage(agent: string): AgentUsage {
    let u = this.perAgent.get(agent);
    if (!u) {
      u = { llmCalls: 0, promptTokens: 0, completionTokens: 0, toolCalls: 0 };
      this.perAgent.set(agent, u);
    }
    return u;
  }

  async structured<T>(request: StructuredRequest<T>): Promise<T | null> {
    if (this.dead || request.signal?.aborted) return null;
    await this.loadLangChain();
    const countTokens = (this.countTokens ??= (await import('./tokens.js')).countTokens);
    const { HumanMessage, SystemMessage } = this.langchain!;
    const agent = this.agentUsage(request.agent);
    const messages: BaseMessage[] = [new SystemMessage(request.system), new HumanMessage(request.user)];
    const tools = this.usableTools(request);
    const toolNames = new Set(tools?.tools.map((t) => t.name) ?? []);
    let promptEstimate = countTokens(request.system) + countTokens(request.user) + 12;
    let badKind: 'malformed' | 'schema' = 'malformed';
    let lastIssue = '';
    let bad = 0;
    // Each turn that asks for tools uses at least one call of the budget, or is refused; the cap
    // only stops a model that keeps calling tools after it was told to answer.
    const maxTurns = (tools?.maxCalls ?? 0) + 3;
    for (let turn = 0; bad < 2 && turn < maxTurns; turn++) {
      if (!this.roomForCall(promptEstimate)) {
        this.budgetNote();
        return null;
      }
      const offer = !!tools && !this.toolsRefused && agent.toolCalls < tools.maxCalls;
      const answer = await this.send(request, messages, promptEstimate, tools && !this.toolsRefused ? { set: tools, offer } : undefined);
      if (!answer) return null;
      if ('unparsable' in answer) {
        badKind = 'malformed';
        bad++;
        continue;
      }
      const raw = answer.raw;
      const asked = (raw.tool_calls ?? []).filter((c) => toolNames.has(c.name));
      const answered = (raw.tool_calls ?? []).some((c) => c.name === request.schemaName && !toolNames.has(c.name));
      if (tools && asked.length > 0 && !answered) {
        messages.push(raw);
        const results = await this.runTools(raw, messages, tools, agent, request.signal);
        messages.push(...results);
        promptEstimate += countTokens(rawText(raw)) + results.reduce((n, m) => n + countTokens(String(m.content)) + 8, 0);
        continue;
      }
      const { values, sawJson } = answerCandidates(raw, toolNames);
      for (const value of values) {
        const result = request.schema.safeParse(value);
        if (result.success) return result.data;
        lastIssue = result.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
      }
      badKind = sawJson ? 'schema' : 'malformed';
      bad++;
    }
    if (bad < 2) {
      this.note(`${request.agent}: the model kept calling tools after its tool budget was used up; dropped the request and continued without it`);
      return null;
    }
    const what = badKind === 'schema' ? `did not match the ${request.schemaName} schema (${lastIssue})` : 'was not valid JSON';
    this.note(`${request.agent}: the model's answer ${what} twice; dropped it and continued without it`);
    return null;
  }

  /**
   * The request's tools when this endpoint can take them: none after the endpoint refused tool
   * definitions once, and none with a json_schema answer that cannot be strict (the OpenAI SDK
   * parses json_schema answers only next to strict tools).
   */
  private usableTools<T>(request: StructuredRequest<T>): ToolSet | undefined {
    const set = request.tools;
    if (!set || set.tools.length === 0 || set.maxCalls <= 0 || this.toolsRefused) return undefined;
    if (this.llm.structuredOutput === 'jsonSchema' && !modelJsonSchema(request.schema).strict) return undefined;
    return set;
  }

  /**
   * Runs the tool calls of one answer through LangGraph's ToolNode, within the agent's budget:
   * calls beyond it get a refusal (every call id needs an answer). Results are cut to
   * maxOutputChars; each call that ran counts in usage.toolCalls.
   */
  private async runTools(raw: AIMessage, history: BaseMessage[], set: ToolSet, agent: AgentUsage, signal?: AbortSignal): Promise<ToolMessage[]> {
    const { ToolMessage, ToolNode } = this.langchain!;
    const known = new Set(set.tools.map((t) => t.name));
    const refusals: ToolMessage[] = [];
    let granted = 0;
    for (const call of raw.tool_calls ?? []) {
      const id = call.id ?? '';
      if (!known.has(call.name)) {
        refusals.push(new ToolMessage({ tool_call_id: id, name: call.name, status: 'error', content: `unknown tool ${call.name}; the tools are: ${[...known].join(', ')}` }));
      } else if (agent.toolCalls + granted >= set.maxCalls) {
        refusals.push(
          new ToolMessage({ tool_call_id: id, name: call.name, status: 'error', content: `refused: the tool budget (${set.maxCalls} calls) is used up; answer now with what you have` }),
        );
      } else granted++;
    }
    const node = new ToolNode(set.tools, { handleToolErrors: true });
    // ToolNode runs the calls of the last AI message that have no answer yet (the refusals have one).
    const ran = granted > 0 ? ((await node.invoke([...history, ...refusals], signal ? { signal } : {})) as ToolMessage[]) : [];
    agent.toolCalls += ran.length;
    this.toolCallCount += ran.length;
    for (const message of ran) {
      const content = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
      if (content.length > set.maxOutputChars) message.content = `${content.slice(0, set.maxOutputChars)}\n[… cut at ${set.maxOutputChars} characters]`;
    }
    const order = new Map((raw.tool_calls ?? []).map((c, i) => [c.id ?? '', i]));
    return [...refusals, ...ran].sort((a, b) => (order.get(a.tool_call_id) ?? 0) - (order.get(b.tool_call_id) ?? 0));
  }

  /** The runnable for one request: structured output alone, or with the tools bound next to it. */
  private runnableFor<T>(request: StructuredRequest<T>, tools: { set: ToolSet; offer: boolean } | undefined): Runnable<BaseMessage[], AIMessage> {
    const { schema: jsonSchema, strict } = modelJsonSchema(request.schema);
    const temperature = request.temperature ?? this.llm.temperature;
    const chat = this.chat(temperature);
    let method: StructuredOutputMethod = this.llm.structuredOutput;
    const structured = () =>
      chat.withStructuredOutput(jsonSchema, {
        name: request.schemaName,
        method,
        includeRaw: true,
        ...(method === 'jsonSchema' ? { strict } : {}),
      });
    let plain: ReturnType<typeof structured>;
    try {
      plain = structured();
    } catch {
      // LangChain refuses json_schema for gpt-3.5/gpt-4 names: function calling works there.
      this.note(`model ${this.model} does not take json_schema; using function calling`, 'method-fallback');
      method = 'functionCalling';
      plain = structured();
    }
    if (!tools) return plain.pipe((out: { raw: BaseMessage }) => out.raw as AIMessage) as unknown as Runnable<BaseMessage[], AIMessage>;

    const definitions = tools.set.tools.map((t) => ({
      type: 'function' as const,
      function: { name: t.name, description: t.description, parameters: modelJsonSchema(t.schema as z.ZodType).schema },
    }));
    if (method === 'functionCalling') {
      // The answer is one more tool, listed first; `required` lets the model pick a read-only
      // tool or the answer, and once the tool budget is used up the answer is forced.
      const answerTool = { type: 'function' as const, function: { name: request.schemaName, description: `Your final answer (${request.schemaName}).`, parameters: jsonSchema } };
      return chat.bindTools([answerTool, ...definitions], {
        tool_choice: tools.offer ? 'required' : { type: 'function', function: { name: request.schemaName } },
      }) as unknown as Runnable<BaseMessage[], AIMessage>;
    }
    const responseFormat =
      method === 'jsonSchema'
        ? { type: 'json_schema' as const, json_schema: { name: request.schemaName, schema: jsonSchema, strict: true } }
        : { type: 'json_object' as const };
    // The tools stay bound once offered (the history holds their calls); `none` asks for the answer.
    return chat.bindTools(definitions, { tool_choice: tools.offer ? 'auto' : 'none', response_format: responseFormat }) as unknown as Runnable<BaseMessage[], AIMessage>;
  }

  /** One request with transport retries; counts usage. Null (with a note) when it cannot be had. */
  private async send<T>(
    request: StructuredRequest<T>,
    messages: BaseMessage[],
    promptEstimate: number,
    tools: { set: ToolSet; offer: boolean } | undefined,
  ): Promise<RawAnswer | null> {
    let runnable = this.runnableFor(request, tools);
    const agent = this.agentUsage(request.agent);

    for (let retry = 0; ; retry++) {
      if (this.dead) return null;
      if (retry > 0 && !this.roomForCall(promptEstimate)) {
        // Concurrent calls may have used the budget while this one waited to retry.
        this.budgetNote();
        return null;
      }
      this.pending++;
      let failure: Failure;
      try {
        const raw = await withoutLangChainNoise(() => runnable.invoke(messages, request.signal ? { signal: request.signal } : {}));
        this.pending--;
        this.timeoutsInARow = 0;
        this.count(raw, promptEstimate, agent);
        return { raw };
      } catch (error) {
        this.pending--;
        if (isBadOutput(error)) {
          // The request was answered (and paid for); its usage block went down with the parse.
          this.calls++;
          this.promptTokens += promptEstimate;
          agent.llmCalls++;
          agent.promptTokens += promptEstimate;
          return { unparsable: String((error as Error).message) };
        }
        failure = classify(error);
      }
      if (tools && !this.toolsRefused && failure.kind === 'fatal' && /^HTTP (400|422)\b/.test(failure.what) && !messages.some((m) => m.getType() === 'tool')) {
        // A server that does not take tool definitions (llama.cpp without --jinja, old vLLM):
        // the same request without them, and no tools for the rest of the run.
        this.toolsRefused = true;
        this.note(`model endpoint ${this.baseUrl} refused tool definitions (${failure.what}); continuing without tools`, 'tools-refused');
        runnable = this.runnableFor(request, undefined);
        retry = -1;
        continue;
      }
      switch (failure.kind) {
        case 'aborted':
          return null;
        case 'timeout':
          this.note(`${request.agent}: the model did not answer within ${this.llm.timeoutSeconds}s; continuing without it`);
          // A server that accepts connections and never answers would cost a timeout per call.
          if (++this.timeoutsInARow >= 2) {
            this.dead = true;
            this.note(`model endpoint ${this.baseUrl} timed out twice in a row; continuing offline`, 'dead');
          }
          return null;
        case 'dead':
          this.dead = true;
          this.note(`model endpoint ${this.baseUrl} is down (${failure.what}); continuing offline`, 'dead');
          return null;
        case 'fatal':
          this.note(`${request.agent}: the model request failed (${failure.what}); continuing without it`);
          return null;
        case 'transient': {
          if (retry >= this.llm.maxRetries) {
            this.note(`${request.agent}: model endpoint ${this.baseUrl} kept failing (${failure.what}, ${retry + 1} attempts); continuing without it`);
            return null;
          }
          const backoff = this.retryDelayMs * 2 ** retry;
          const delay = Math.min(this.maxRetryDelayMs, Math.max(backoff, failure.retryAfterMs ?? 0));
          await sleep(delay, request.signal);
          if (request.signal?.aborted) return null;
        }
      }
    }
  }

  private count(raw: AIMessage, promptEstimate: number, agent: AgentUsage): void {
    const meta = raw.usage_metadata;
    const tokenUsage = (raw.response_metadata as { tokenUsage?: { promptTokens?: number; completionTokens?: number } } | undefined)?.tokenUsage;
    const prompt = meta?.input_tokens ?? tokenUsage?.promptTokens ?? promptEstimate;
    const completion = meta?.output_tokens ?? tokenUsage?.completionTokens ?? this.countTokens!(rawText(raw));
    this.calls++;
    this.promptTokens += prompt;
    this.completionTokens += completion;
    agent.llmCalls++;
    agent.promptTokens += prompt;
    agent.completionTokens += completion;
  }
}
