/**
 * A scripted OpenAI-compatible server for tests: node:http on 127.0.0.1 (random port), serving
 * POST /v1/chat/completions as JSON or SSE. Answers adapt to the request: a scripted object is sent
 * as a tool call when the request forces a function (function calling), otherwise as the message
 * content (json_schema / json_object / plain). A scripted tool call (`callTools`) is an assistant
 * message with `tool_calls` and `finish_reason: "tool_calls"`; the client's tool results come back
 * in the next request as `tool` messages (`toolResults`). Faults: any HTTP status (429 with
 * Retry-After, 500…), delays (timeouts), malformed JSON, schema-breaking JSON, a destroyed
 * connection. Every request body is recorded. Streaming (SSE) and plain JSON answers alike.
 *
 *   const stub = await startOpenAiStub({ script: [json({ answer: 1 }), status(429, { retryAfter: 0 }), …] });
 *   const stub = await startOpenAiStub({ script: [callTools(['show_function', { name: 'f', file: null }]), json({ answer: 1 })] });
 *   OPENAI_BASE_URL = stub.url  // http://127.0.0.1:PORT/v1
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

export interface StubUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** One scripted answer. */
export type StubReply =
  /** An answer object: tool call arguments under function calling, the content otherwise. */
  | { json: unknown; usage?: StubUsage | null; delayMs?: number }
  /** Raw text as the content (or as the tool call arguments): malformed JSON, fenced JSON, prose. */
  | { text: string; usage?: StubUsage | null; delayMs?: number }
  /** The model asks for tools: `tool_calls` (arguments as given, or JSON of `args`), finish_reason "tool_calls". */
  | { toolCalls: StubToolCall[]; content?: string; usage?: StubUsage | null; delayMs?: number }
  /** An HTTP error. */
  | { status: number; retryAfter?: number; message?: string; delayMs?: number }
  /** Close the socket without answering. */
  | { destroy: true; delayMs?: number };

export interface StubToolCall {
  name: string;
  /** Serialized as the call's arguments; a string is sent verbatim (malformed arguments). */
  args: unknown;
  id?: string;
}

export interface StubRequest {
  path: string;
  headers: IncomingMessage['headers'];
  /** The parsed JSON body. */
  body: Record<string, any>;
  /** Convenience: the system and user message texts. */
  system: string;
  user: string;
  stream: boolean;
  /** `tool` when the request forces a function, `json_schema` / `json_object` from response_format, else `text`. */
  mode: 'tool' | 'json_schema' | 'json_object' | 'text';
  /** Names of the tools offered (`tools[].function.name`), in order. */
  toolNames: string[];
  /** The `tool` messages of this request (results of earlier tool calls), in order. */
  toolResults: { id: string; content: string }[];
  /** The tool calls of the assistant messages in this request's history, in order. */
  pastToolCalls: { id: string; name: string; args: string }[];
}

export interface StubRoute {
  when: (request: StubRequest) => boolean;
  script: StubReply[];
}

export interface StubOptions {
  /**
   * The answers in order (one per request; when used up, the last one repeats), or a function
   * of the request and its 0-based index, or routes chosen by a predicate (first match; each
   * route has its own sequence).
   */
  script: StubReply[] | ((request: StubRequest, index: number) => StubReply | Promise<StubReply>) | StubRoute[];
}

export interface OpenAiStub {
  /** Base URL including /v1, for OPENAI_BASE_URL. */
  url: string;
  port: number;
  /** Every chat completion request received, in order. */
  requests: StubRequest[];
  close(): Promise<void>;
}

// Reply builders ------------------------------------------------------------------------------

export const json = (value: unknown, usage?: StubUsage | null): StubReply => ({ json: value, ...(usage !== undefined ? { usage } : {}) });
export const text = (content: string, usage?: StubUsage | null): StubReply => ({ text: content, ...(usage !== undefined ? { usage } : {}) });
export const status = (code: number, extra: { retryAfter?: number; message?: string } = {}): StubReply => ({ status: code, ...extra });
export const delay = (ms: number, then: StubReply): StubReply => ({ ...then, delayMs: ms });
export const destroy = (): StubReply => ({ destroy: true });
/** The model calls these tools (one turn, possibly several calls): `callTools(['search_code', { query: 'f', path: null }])`. */
export const callTools = (...calls: [name: string, args: unknown][]): StubReply => ({ toolCalls: calls.map(([name, args]) => ({ name, args })) });
/** The same with a usage block. */
export const callToolsWithUsage = (usage: StubUsage, ...calls: [name: string, args: unknown][]): StubReply => ({ toolCalls: calls.map(([name, args]) => ({ name, args })), usage });
/** Content that is not JSON at all (cut in the middle of an object). */
export const malformed = (): StubReply => text('{"locations": [{"file": "src/a.py", "line": 3, "reason": "cut here');
/** Valid JSON that no agent schema accepts. */
export const schemaBreaking = (): StubReply => json({ unexpected: true, locations: 'not an array' });
/** Route predicate: the system prompt mentions the agent (prompts/<agent>.md names it). */
export const agentIs = (agent: string) => (request: StubRequest) => request.system.toLowerCase().includes(agent.toLowerCase());

// ---------------------------------------------------------------------------------------------

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join('');
  return '';
}

function describe(path: string, headers: IncomingMessage['headers'], body: Record<string, any>): StubRequest {
  const messages: { role: string; content: unknown }[] = Array.isArray(body.messages) ? body.messages : [];
  const system = messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => messageText(m.content)).join('\n');
  const user = messages.filter((m) => m.role === 'user').map((m) => messageText(m.content)).join('\n');
  const forced = body.tool_choice && typeof body.tool_choice === 'object' ? body.tool_choice : undefined;
  const mode: StubRequest['mode'] =
    Array.isArray(body.tools) && body.tools.length && (forced || body.tool_choice === 'required')
      ? 'tool'
      : body.response_format?.type === 'json_schema'
        ? 'json_schema'
        : body.response_format?.type === 'json_object'
          ? 'json_object'
          : 'text';
  const toolNames = Array.isArray(body.tools) ? body.tools.map((t: any) => String(t?.function?.name ?? '')) : [];
  const toolResults = messages.filter((m) => m.role === 'tool').map((m: any) => ({ id: String(m.tool_call_id ?? ''), content: messageText(m.content) }));
  const pastToolCalls = messages
    .filter((m: any) => m.role === 'assistant' && Array.isArray(m.tool_calls))
    .flatMap((m: any) => m.tool_calls.map((c: any) => ({ id: String(c.id ?? ''), name: String(c.function?.name ?? ''), args: String(c.function?.arguments ?? '') })));
  return { path, headers, body, system, user, stream: body.stream === true, mode, toolNames, toolResults, pastToolCalls };
}

const estimate = (s: string) => Math.max(1, Math.ceil(s.length / 4));

/** The function an answer object is sent to: the forced one, else the first tool (the client lists its answer tool first). */
function toolName(request: StubRequest): string {
  const forced = request.body.tool_choice?.function?.name;
  return typeof forced === 'string' ? forced : String(request.body.tools?.[0]?.function?.name ?? 'extract');
}

function sendJson(res: ServerResponse, code: number, payload: unknown, headers: Record<string, string> = {}): void {
  const data = JSON.stringify(payload);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

/** An assistant turn that asks for tools, as JSON or as SSE chunks. */
function askForTools(res: ServerResponse, request: StubRequest, reply: { toolCalls: StubToolCall[]; content?: string }, usageIn: StubUsage | null | undefined): void {
  const calls = reply.toolCalls.map((c) => ({
    id: c.id ?? `call_${Math.random().toString(36).slice(2, 10)}`,
    type: 'function' as const,
    function: { name: c.name, arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args) },
  }));
  const usage = usageIn === null ? undefined : (usageIn ?? { prompt_tokens: estimate(JSON.stringify(request.body.messages ?? [])), completion_tokens: estimate(JSON.stringify(calls)) });
  const usageBlock = usage ? { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } : undefined;
  const id = `chatcmpl-stub-${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = String(request.body.model ?? 'stub');
  if (!request.stream) {
    const message = { role: 'assistant', content: reply.content ?? null, tool_calls: calls };
    sendJson(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: 'tool_calls', logprobs: null }], ...(usageBlock ? { usage: usageBlock } : {}) });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`);
  // The first delta carries the role (and any text the model said before calling).
  chunk([{ index: 0, delta: { role: 'assistant', content: reply.content ?? null }, finish_reason: null }]);
  calls.forEach((call, n) => {
    chunk([{ index: 0, delta: { tool_calls: [{ index: n, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, finish_reason: null }]);
    for (const piece of call.function.arguments.match(/[\s\S]{1,16}/g) ?? []) {
      chunk([{ index: 0, delta: { tool_calls: [{ index: n, function: { arguments: piece } }] }, finish_reason: null }]);
    }
  });
  chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]);
  if (request.body.stream_options?.include_usage && usageBlock) chunk([], { usage: usageBlock });
  res.write('data: [DONE]\n\n');
  res.end();
}

function answer(res: ServerResponse, request: StubRequest, reply: { json: unknown } | { text: string }, usageIn: StubUsage | null | undefined): void {
  const payload = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
  const usage =
    usageIn === null
      ? undefined
      : (usageIn ?? { prompt_tokens: estimate(JSON.stringify(request.body.messages ?? [])), completion_tokens: estimate(payload) });
  const usageBlock = usage ? { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } : undefined;
  const id = `chatcmpl-stub-${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = String(request.body.model ?? 'stub');
  const n = typeof request.body.n === 'number' && request.body.n > 1 ? request.body.n : 1;
  const asTool = request.mode === 'tool';
  const callId = `call_${Math.random().toString(36).slice(2, 10)}`;
  const finish = asTool ? 'tool_calls' : 'stop';

  if (!request.stream) {
    const message = asTool
      ? { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: toolName(request), arguments: payload } }] }
      : { role: 'assistant', content: payload };
    const choices = Array.from({ length: n }, (_, index) => ({ index, message, finish_reason: finish, logprobs: null }));
    sendJson(res, 200, { id, object: 'chat.completion', created, model, choices, ...(usageBlock ? { usage: usageBlock } : {}) });
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`);
  const pieces = payload.match(/[\s\S]{1,16}/g) ?? [''];
  for (let index = 0; index < n; index++) {
    // The first delta carries the role.
    if (asTool) {
      chunk([{ index, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: toolName(request), arguments: '' } }] }, finish_reason: null }]);
      for (const piece of pieces) chunk([{ index, delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, finish_reason: null }]);
    } else {
      chunk([{ index, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
      for (const piece of pieces) chunk([{ index, delta: { content: piece }, finish_reason: null }]);
    }
    chunk([{ index, delta: {}, finish_reason: finish }]);
  }
  if (request.body.stream_options?.include_usage && usageBlock) chunk([], { usage: usageBlock });
  res.write('data: [DONE]\n\n');
  res.end();
}

export async function startOpenAiStub(options: StubOptions): Promise<OpenAiStub> {
  const requests: StubRequest[] = [];
  const sockets = new Set<Socket>();
  const routeCursor = new Map<StubRoute, number>();
  let cursor = 0;

  const pick = async (request: StubRequest, index: number): Promise<StubReply> => {
    const { script } = options;
    if (typeof script === 'function') return script(request, index);
    if (script.length && 'when' in (script[0] as object)) {
      const route = (script as StubRoute[]).find((r) => r.when(request));
      if (!route) return { status: 500, message: `stub: no route matches this request (system prompt starts "${request.system.slice(0, 60)}")` };
      const i = routeCursor.get(route) ?? 0;
      routeCursor.set(route, i + 1);
      return route.script[Math.min(i, route.script.length - 1)] ?? { status: 500, message: 'stub: empty route script' };
    }
    const replies = script as StubReply[];
    const reply = replies[Math.min(cursor++, replies.length - 1)];
    return reply ?? { status: 500, message: 'stub: empty script' };
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        if (req.method === 'GET' && path === '/v1/models') {
          sendJson(res, 200, { object: 'list', data: [{ id: 'stub-model', object: 'model', created: 0, owned_by: 'stub' }] });
          return;
        }
        if (req.method !== 'POST' || path !== '/v1/chat/completions') {
          sendJson(res, 404, { error: { message: `stub: no route ${req.method} ${path} (only POST /v1/chat/completions)`, type: 'invalid_request_error' } });
          return;
        }
        let body: Record<string, any>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
        } catch {
          sendJson(res, 400, { error: { message: 'stub: request body is not JSON', type: 'invalid_request_error' } });
          return;
        }
        const request = describe(path, req.headers, body);
        const index = requests.length;
        requests.push(request);
        const reply = await pick(request, index);
        if (reply.delayMs) {
          await new Promise((r) => setTimeout(r, reply.delayMs));
          if (res.destroyed || req.socket.destroyed) return;
        }
        if ('destroy' in reply) {
          req.socket.destroy();
          return;
        }
        if ('status' in reply) {
          const headers: Record<string, string> = reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : {};
          const type = reply.status === 429 ? 'rate_limit_exceeded' : reply.status >= 500 ? 'server_error' : 'invalid_request_error';
          sendJson(res, reply.status, { error: { message: reply.message ?? `stub: scripted ${reply.status}`, type, code: type } }, headers);
          return;
        }
        if ('toolCalls' in reply) askForTools(res, request, reply, reply.usage);
        else answer(res, request, reply, reply.usage);
      })().catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { message: `stub: ${String(error)}`, type: 'server_error' } });
        else res.end();
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on: a model endpoint that is down. */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
