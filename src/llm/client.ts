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
import type { AIMessage } from '@langchain/core/messages';
import type { z } from 'zod';
import { ConfigSchema, type Config } from '../config/schema.js';
import type { Usage } from '../model/fix-report.js';
import { modelJsonSchema, parseJsonLoosely } from './json-schema.js';
import type { LlmClient, StructuredRequest } from './types.js';

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

/** The candidates for the answer object in a raw message: tool call arguments, then the content. */
function answerCandidates(raw: AIMessage): { values: unknown[]; sawJson: boolean } {
  const values: unknown[] = [];
  for (const call of raw.tool_calls ?? []) values.push(call.args);
  for (const call of raw.invalid_tool_calls ?? []) {
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
    return { llmCalls: this.calls, promptTokens: this.promptTokens, completionTokens: this.completionTokens };
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
  };

  /** Loads LangChain once, before any budget check, so checking and reserving a call stay synchronous. */
  private async loadLangChain(): Promise<void> {
    if (this.langchain) return;
    const [{ ChatOpenAI }, { HumanMessage, SystemMessage }] = await Promise.all([import('@langchain/openai'), import('@langchain/core/messages')]);
    this.langchain = { ChatOpenAI, HumanMessage, SystemMessage };
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

  async structured<T>(request: StructuredRequest<T>): Promise<T | null> {
    if (this.dead || request.signal?.aborted) return null;
    await this.loadLangChain();
    const countTokens = (this.countTokens ??= (await import('./tokens.js')).countTokens);
    const promptEstimate = countTokens(request.system) + countTokens(request.user) + 12;
    let badKind: 'malformed' | 'schema' = 'malformed';
    let lastIssue = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.roomForCall(promptEstimate)) {
        this.budgetNote();
        return null;
      }
      const answer = await this.send(request, promptEstimate);
      if (!answer) return null;
      if ('unparsable' in answer) {
        badKind = 'malformed';
        continue;
      }
      const { values, sawJson } = answerCandidates(answer.raw);
      for (const value of values) {
        const result = request.schema.safeParse(value);
        if (result.success) return result.data;
        lastIssue = result.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
      }
      badKind = sawJson ? 'schema' : 'malformed';
    }
    const what = badKind === 'schema' ? `did not match the ${request.schemaName} schema (${lastIssue})` : 'was not valid JSON';
    this.note(`${request.agent}: the model's answer ${what} twice; dropped it and continued without it`);
    return null;
  }

  /** One request with transport retries; counts usage. Null (with a note) when it cannot be had. */
  private async send<T>(request: StructuredRequest<T>, promptEstimate: number): Promise<RawAnswer | null> {
    const { schema: jsonSchema, strict } = modelJsonSchema(request.schema);
    const temperature = request.temperature ?? this.llm.temperature;
    const { HumanMessage, SystemMessage } = this.langchain!;
    const messages = [new SystemMessage(request.system), new HumanMessage(request.user)];
    let method: StructuredOutputMethod = this.llm.structuredOutput;
    const chat = this.chat(temperature);
    const build = () =>
      chat.withStructuredOutput(jsonSchema, {
        name: request.schemaName,
        method,
        includeRaw: true,
        ...(method === 'jsonSchema' ? { strict } : {}),
      });
    let runnable: ReturnType<typeof build>;
    try {
      runnable = build();
    } catch {
      // LangChain refuses json_schema for gpt-3.5/gpt-4 names: function calling works there.
      this.note(`model ${this.model} does not take json_schema; using function calling`, 'method-fallback');
      method = 'functionCalling';
      runnable = build();
    }

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
        const out = (await withoutLangChainNoise(() => runnable.invoke(messages, request.signal ? { signal: request.signal } : {}))) as { raw: AIMessage };
        this.pending--;
        this.timeoutsInARow = 0;
        this.count(out.raw, promptEstimate);
        return { raw: out.raw };
      } catch (error) {
        this.pending--;
        if (isBadOutput(error)) {
          // The request was answered (and paid for); its usage block went down with the parse.
          this.calls++;
          this.promptTokens += promptEstimate;
          return { unparsable: String((error as Error).message) };
        }
        failure = classify(error);
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

  private count(raw: AIMessage, promptEstimate: number): void {
    this.calls++;
    const meta = raw.usage_metadata;
    const tokenUsage = (raw.response_metadata as { tokenUsage?: { promptTokens?: number; completionTokens?: number } } | undefined)?.tokenUsage;
    const prompt = meta?.input_tokens ?? tokenUsage?.promptTokens;
    const completion = meta?.output_tokens ?? tokenUsage?.completionTokens;
    this.promptTokens += prompt ?? promptEstimate;
    this.completionTokens += completion ?? this.countTokens!(rawText(raw));
  }
}
