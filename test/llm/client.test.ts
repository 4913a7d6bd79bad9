import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChatOpenAI } from '@langchain/openai';
import { ConfigSchema, type Config } from '../../src/config/schema.js';
import { createLlmClient, DUMMY_API_KEY, maskKey, OFFLINE_NOTE, resolveEndpoint } from '../../src/llm/client.js';
import type { LlmClient } from '../../src/llm/types.js';
import { delay, destroy, json, malformed, schemaBreaking, startOpenAiStub, status, text, type OpenAiStub, type StubReply, closedPort } from '../support/openai-stub.js';

const Answer = z.object({ verdict: z.enum(['bug', 'fine']), line: z.number().int().positive() });
const request = { agent: 'localizer', system: 'You are the localizer.', user: 'Where is the bug?', schema: Answer, schemaName: 'answer' };
const good = { verdict: 'bug', line: 7 };

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

function llmConfig(overrides: Partial<Config['llm']> = {}): Config['llm'] {
  return { ...ConfigSchema.parse({}).llm, ...overrides };
}

async function clientFor(script: StubReply[], overrides: Partial<Config['llm']> = {}, budget = {}): Promise<{ llm: LlmClient; stub: OpenAiStub; log: string[] }> {
  stub = await startOpenAiStub({ script });
  const log: string[] = [];
  const llm = createLlmClient({
    env: { OPENAI_BASE_URL: stub.url, RUBBERDUCK_MODEL: 'stub-model' },
    config: llmConfig(overrides),
    budget,
    log: (m) => log.push(m),
    retryDelayMs: 5,
  });
  if (!llm) throw new Error('expected a client');
  return { llm, stub, log };
}


describe('createLlmClient', () => {
  it('is null (offline) when neither a key nor a base URL is set, and says so once', () => {
    const log: string[] = [];
    expect(createLlmClient({ env: {}, log: (m) => log.push(m) })).toBeNull();
    expect(log).toEqual([OFFLINE_NOTE]);
  });

  it('defaults to OpenAI and gpt-4o-mini with a key, and masks the key', () => {
    const e = resolveEndpoint({ OPENAI_API_KEY: 'sk-proj-abcdefghijklmnop1234' });
    expect(e).toMatchObject({ configured: true, baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' });
    expect(maskKey('sk-proj-abcdefghijklmnop1234')).toBe('sk-…1234');
    const llm = createLlmClient({ env: { OPENAI_API_KEY: 'sk-test-1234567890abcd' } });
    expect(llm?.model).toBe('gpt-4o-mini');
  });

  it('sends a dummy key to a local server that needs none', async () => {
    const { llm, stub } = await clientFor([json(good)]);
    expect(await llm.structured(request)).toEqual(good);
    expect(stub.requests[0]?.headers.authorization).toBe(`Bearer ${DUMMY_API_KEY}`);
    expect(stub.requests[0]?.body.model).toBe('stub-model');
    expect(stub.requests[0]?.body.stream).not.toBe(true);
  });
});

describe('structured output over the real ChatOpenAI', () => {
  it('jsonSchema: response_format json_schema named after the schema; usage from the response', async () => {
    const { llm, stub } = await clientFor([json(good, { prompt_tokens: 120, completion_tokens: 9 })], { structuredOutput: 'jsonSchema' });
    expect(await llm.structured(request)).toEqual(good);
    const body = stub.requests[0]!.body;
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.name).toBe('answer');
    expect(body.response_format.json_schema.strict).toBe(true);
    expect(body.response_format.json_schema.schema.required).toEqual(['verdict', 'line']);
    expect(body.tools).toBeUndefined();
    expect(body.messages[0]).toMatchObject({ role: 'system', content: 'You are the localizer.' });
    expect(llm.usage()).toEqual({ llmCalls: 1, promptTokens: 120, completionTokens: 9, toolCalls: 0, agents: { localizer: { llmCalls: 1, promptTokens: 120, completionTokens: 9, toolCalls: 0 } } });
  });

  it('functionCalling: a forced tool call whose arguments are the answer', async () => {
    const { llm, stub } = await clientFor([json(good, { prompt_tokens: 50, completion_tokens: 5 })], { structuredOutput: 'functionCalling' });
    expect(await llm.structured(request)).toEqual(good);
    const body = stub.requests[0]!.body;
    expect(body.tools[0].function.name).toBe('answer');
    expect(body.tool_choice).toMatchObject({ type: 'function', function: { name: 'answer' } });
    expect(body.response_format).toBeUndefined();
    expect(llm.usage()).toMatchObject({ llmCalls: 1, promptTokens: 50, completionTokens: 5, toolCalls: 0 });
  });

  it('jsonMode: response_format json_object, the answer in the content', async () => {
    const { llm, stub } = await clientFor([json(good, { prompt_tokens: 30, completion_tokens: 4 })], { structuredOutput: 'jsonMode' });
    expect(await llm.structured(request)).toEqual(good);
    expect(stub.requests[0]!.body.response_format).toEqual({ type: 'json_object' });
    expect(llm.usage().promptTokens).toBe(30);
  });

  it('accepts JSON in a ```json fence (local models do that) and estimates usage when the server sends none', async () => {
    const { llm } = await clientFor([text('Here you are:\n```json\n{"verdict":"fine","line":3}\n```', null)], { structuredOutput: 'jsonMode' });
    expect(await llm.structured(request)).toEqual({ verdict: 'fine', line: 3 });
    const usage = llm.usage();
    expect(usage.llmCalls).toBe(1);
    expect(usage.promptTokens).toBeGreaterThan(5);
    expect(usage.completionTokens).toBeGreaterThan(5);
  });

  it('passes a per-request temperature', async () => {
    const { llm, stub } = await clientFor([json(good)], { temperature: 0.2 });
    await llm.structured({ ...request, temperature: 0.9 });
    await llm.structured(request);
    expect(stub.requests.map((r) => r.body.temperature)).toEqual([0.9, 0.2]);
  });
});

describe('schemas and model names', () => {
  it('a schema with optional or defaulted fields is sent with strict: false (OpenAI strict mode would refuse it)', async () => {
    const Loose = z.object({ findings: z.array(z.string()), rejected: z.array(z.string()).default([]), note: z.string().optional() });
    const { llm, stub } = await clientFor([json({ findings: ['a'] })]);
    expect(await llm.structured({ ...request, schema: Loose, schemaName: 'review' })).toEqual({ findings: ['a'], rejected: [] });
    const format = stub.requests[0]!.body.response_format.json_schema;
    expect(format.strict).toBe(false);
    expect(format.schema.required).toEqual(['findings']);
    expect(format.schema.$schema).toBeUndefined();
  });

  it('gpt-4 does not take json_schema: function calling is used instead, with a note', async () => {
    stub = await startOpenAiStub({ script: [json(good)] });
    const llm = createLlmClient({ env: { OPENAI_BASE_URL: stub.url, RUBBERDUCK_MODEL: 'gpt-4' }, retryDelayMs: 5 })!;
    expect(await llm.structured(request)).toEqual(good);
    expect(stub.requests[0]!.body.tools[0].function.name).toBe('answer');
    expect(llm.notes()[0]).toMatch(/does not take json_schema/);
  });

  it('a malformed tool call prints nothing on the console', async () => {
    const warnings: unknown[] = [];
    const original = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args[0]);
    try {
      const { llm } = await clientFor([malformed(), json(good)], { structuredOutput: 'functionCalling' });
      expect(await llm.structured(request)).toEqual(good);
    } finally {
      console.warn = original;
    }
    expect(warnings).toEqual([]);
  });
});

describe('failures', () => {
  it('429 with Retry-After, then success: retried', async () => {
    const { llm, stub } = await clientFor([status(429, { retryAfter: 0 }), json(good)]);
    expect(await llm.structured(request)).toEqual(good);
    expect(stub.requests).toHaveLength(2);
    expect(llm.usage().llmCalls).toBe(1);
    expect(llm.notes()).toEqual([]);
  });

  it('500 twice, then success: retried with backoff', async () => {
    const { llm, stub } = await clientFor([status(500), status(500), json(good)], { maxRetries: 2 });
    expect(await llm.structured(request)).toEqual(good);
    expect(stub.requests).toHaveLength(3);
  });

  it('5xx beyond maxRetries: null with a note', async () => {
    const { llm, stub } = await clientFor([status(503)], { maxRetries: 1 });
    expect(await llm.structured(request)).toBeNull();
    expect(stub.requests).toHaveLength(2);
    expect(llm.notes().join('\n')).toMatch(/kept failing \(HTTP 503/);
  });

  it('a reset connection is retried like a 5xx', async () => {
    const { llm, stub } = await clientFor([destroy(), json(good)]);
    expect(await llm.structured(request)).toEqual(good);
    expect(stub.requests).toHaveLength(2);
  });

  it.each(['jsonSchema', 'functionCalling', 'jsonMode'] as const)('malformed JSON (%s): retried once, then null with a note', async (method) => {
    const { llm, stub, log } = await clientFor([malformed()], { structuredOutput: method });
    expect(await llm.structured(request)).toBeNull();
    expect(stub.requests).toHaveLength(2);
    expect(llm.notes()).toHaveLength(1);
    expect(llm.notes()[0]).toMatch(/localizer: .*not valid JSON twice/);
    expect(log).toEqual(llm.notes());
  });

  it('malformed then valid: the retry is used', async () => {
    const { llm, stub } = await clientFor([malformed(), json(good)], { structuredOutput: 'functionCalling' });
    expect(await llm.structured(request)).toEqual(good);
    expect(stub.requests).toHaveLength(2);
    expect(llm.usage().llmCalls).toBe(2);
  });

  it('schema-breaking JSON: retried once, then null naming the schema', async () => {
    const { llm, stub } = await clientFor([schemaBreaking()], { structuredOutput: 'functionCalling' });
    expect(await llm.structured(request)).toBeNull();
    expect(stub.requests).toHaveLength(2);
    expect(llm.notes()[0]).toMatch(/did not match the answer schema/);
  });

  it('dead endpoint (closed port): null quickly with one note, later calls short-circuit', async () => {
    const port = await closedPort();
    const log: string[] = [];
    const llm = createLlmClient({ env: { OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` }, config: llmConfig({ maxRetries: 3 }), log: (m) => log.push(m), retryDelayMs: 200 });
    const t0 = Date.now();
    expect(await llm!.structured(request)).toBeNull();
    expect(await llm!.structured(request)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(llm!.notes()).toEqual([`model endpoint http://127.0.0.1:${port}/v1 is down (connection failed (ECONNREFUSED)); continuing offline`]);
    expect(log).toHaveLength(1);
    expect(llm!.usage().llmCalls).toBe(0);
  });

  it('timeout: null with a note, no hang', async () => {
    const { llm, stub } = await clientFor([delay(3000, json(good))], { timeoutSeconds: 0.3 });
    const t0 = Date.now();
    expect(await llm.structured(request)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(stub.requests).toHaveLength(1);
    expect(llm.notes()[0]).toMatch(/did not answer within 0.3s/);
  });

  it('two timeouts in a row: the endpoint is given up', async () => {
    const { llm, stub } = await clientFor([delay(3000, json(good))], { timeoutSeconds: 0.2 });
    expect(await llm.structured(request)).toBeNull();
    expect(await llm.structured(request)).toBeNull();
    expect(await llm.structured(request)).toBeNull();
    expect(stub.requests).toHaveLength(2);
    expect(llm.notes().at(-1)).toMatch(/timed out twice in a row; continuing offline/);
  });

  it('a cancelled call gives null at once', async () => {
    const { llm } = await clientFor([delay(3000, json(good))]);
    const controller = new AbortController();
    const t0 = Date.now();
    const pending = llm.structured({ ...request, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toBeNull();
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('401: the endpoint is given up with one note', async () => {
    const { llm, stub } = await clientFor([status(401)]);
    expect(await llm.structured(request)).toBeNull();
    expect(await llm.structured(request)).toBeNull();
    expect(stub.requests).toHaveLength(1);
    expect(llm.notes()[0]).toMatch(/HTTP 401/);
  });

  it('400: null for this call only', async () => {
    const { llm, stub } = await clientFor([status(400, { message: 'context too long' }), json(good)]);
    expect(await llm.structured(request)).toBeNull();
    expect(await llm.structured(request)).toEqual(good);
    expect(stub.requests).toHaveLength(2);
  });
});

describe('budgets', () => {
  it('maxCalls: exhausted after the budget, and later calls make no HTTP request', async () => {
    const { llm, stub } = await clientFor([json(good)], {}, { maxCalls: 1 });
    expect(llm.exhausted()).toBe(false);
    expect(await llm.structured(request)).toEqual(good);
    expect(llm.exhausted()).toBe(true);
    expect(await llm.structured(request)).toBeNull();
    expect(await llm.structured(request)).toBeNull();
    expect(stub.requests).toHaveLength(1);
    expect(llm.notes()).toHaveLength(1);
    expect(llm.notes()[0]).toMatch(/budget \(1 calls\) used up/);
  });

  it('maxCalls also bounds the retry of a malformed answer', async () => {
    const { llm, stub } = await clientFor([malformed(), json(good)], {}, { maxCalls: 1 });
    expect(await llm.structured(request)).toBeNull();
    expect(stub.requests).toHaveLength(1);
  });

  it('maxTokens: counted from the usage blocks', async () => {
    const { llm, stub } = await clientFor([json(good, { prompt_tokens: 900, completion_tokens: 200 })], {}, { maxTokens: 1000 });
    expect(await llm.structured(request)).toEqual(good);
    expect(llm.exhausted()).toBe(true);
    expect(await llm.structured(request)).toBeNull();
    expect(stub.requests).toHaveLength(1);
  });

  it('a prompt larger than the tokens left is not sent', async () => {
    const { llm, stub } = await clientFor([json(good)], {}, { maxTokens: 50 });
    expect(await llm.structured({ ...request, user: 'word '.repeat(500) })).toBeNull();
    expect(stub.requests).toHaveLength(0);
  });
});

describe('the stub speaks SSE the way ChatOpenAI streams it', () => {
  it('role in the first delta, finish_reason, usage-only chunk, [DONE]', async () => {
    stub = await startOpenAiStub({ script: [text('hello from the stub', { prompt_tokens: 11, completion_tokens: 4 })] });
    // .stream() (never invoke() on a streaming model: that fetches a tokenizer and hangs offline).
    const model = new ChatOpenAI({ model: 'stub-model', apiKey: 'x', configuration: { baseURL: stub.url }, maxRetries: 0, streamUsage: true });
    let content = '';
    let usage: { input_tokens: number; output_tokens: number } | undefined;
    for await (const chunk of await model.stream('hi')) {
      content += typeof chunk.content === 'string' ? chunk.content : '';
      if (chunk.usage_metadata) usage = chunk.usage_metadata;
    }
    expect(content).toBe('hello from the stub');
    expect(usage).toMatchObject({ input_tokens: 11, output_tokens: 4 });
    expect(stub.requests[0]?.body.stream).toBe(true);
    expect(stub.requests[0]?.body.stream_options).toEqual({ include_usage: true });
  });

  it('routes by a predicate over the request', async () => {
    stub = await startOpenAiStub({
      script: [
        { when: (r) => r.system.includes('localizer'), script: [json(good)] },
        { when: () => true, script: [json({ verdict: 'fine', line: 1 })] },
      ],
    });
    const llm = createLlmClient({ env: { OPENAI_BASE_URL: stub.url }, retryDelayMs: 5 })!;
    expect(await llm.structured({ ...request, system: 'You are the explainer.' })).toEqual({ verdict: 'fine', line: 1 });
    expect(await llm.structured(request)).toEqual(good);
  });
});
