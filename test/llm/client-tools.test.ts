/**
 * The client's tool-calling loop over the real ChatOpenAI and the stub over HTTP: tools offered
 * next to each structured-output method, tool results sent back as `tool` messages, the bounds
 * (calls per agent and run, output size), usage per agent with tool calls counted apart, and an
 * endpoint that refuses tool definitions. The stub's tool-call answers are also checked with
 * ChatOpenAI directly, streaming and not.
 */
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigSchema, type Config } from '../../src/config/schema.js';
import { createLlmClient } from '../../src/llm/client.js';
import type { ToolSet } from '../../src/llm/types.js';
import { callTools, callToolsWithUsage, json, startOpenAiStub, status, type OpenAiStub, type StubReply } from '../support/openai-stub.js';

const Answer = z.object({ verdict: z.enum(['bug', 'fine']), line: z.number().int().positive() });
const good = { verdict: 'bug', line: 7 };

let stub: OpenAiStub | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

/** Two tiny tools that record their calls. */
function toolSet(maxCalls = 4, maxOutputChars = 1000): ToolSet & { ran: string[] } {
  const ran: string[] = [];
  const lines = tool(
    ({ file, start, end }) => {
      ran.push(`lines ${file} ${start}-${end}`);
      return `${file}:${start}-${end}\n${start} | x = compute()`;
    },
    { name: 'show_lines', description: 'Show lines of a file.', schema: z.object({ file: z.string(), start: z.number().int(), end: z.number().int() }) },
  );
  const big = tool(
    ({ query }) => {
      ran.push(`search ${query}`);
      return `${query}\n${'y'.repeat(5000)}`;
    },
    { name: 'search_code', description: 'Search.', schema: z.object({ query: z.string(), path: z.string().nullable() }) },
  );
  return { tools: [lines, big], maxCalls, maxOutputChars, ran };
}

async function clientFor(script: StubReply[], overrides: Partial<Config['llm']> = {}, budget = {}) {
  stub = await startOpenAiStub({ script });
  const log: string[] = [];
  const llm = createLlmClient({
    env: { OPENAI_BASE_URL: stub.url, RUBBERDUCK_MODEL: 'stub-model' },
    config: { ...ConfigSchema.parse({}).llm, ...overrides },
    budget,
    log: (m) => log.push(m),
    retryDelayMs: 5,
  })!;
  return { llm, stub, log };
}

const ask = (tools: ToolSet, agent = 'localizer') => ({ agent, system: 'You are the localizer.', user: 'Where is the bug?', schema: Answer, schemaName: 'answer', tools });

describe('tool calls next to structured output', () => {
  it('jsonSchema: the tools (strict) beside response_format; a tool turn, its result back as a tool message, then the answer', async () => {
    const set = toolSet();
    const { llm, stub } = await clientFor([
      callToolsWithUsage({ prompt_tokens: 100, completion_tokens: 7 }, ['show_lines', { file: 'a.py', start: 3, end: 5 }]),
      json(good, { prompt_tokens: 150, completion_tokens: 9 }),
    ]);
    expect(await llm.structured(ask(set))).toEqual(good);
    expect(set.ran).toEqual(['lines a.py 3-5']);
    const [first, second] = stub.requests;
    expect(first!.toolNames).toEqual(['show_lines', 'search_code']);
    expect(first!.body.tool_choice).toBe('auto');
    expect(first!.body.response_format.type).toBe('json_schema');
    expect(first!.body.tools.every((t: any) => t.function.strict === true)).toBe(true);
    expect(first!.body.tools[1].function.parameters.required).toEqual(['query', 'path']);
    // the call and its result travel back in the next request
    expect(second!.pastToolCalls).toMatchObject([{ name: 'show_lines', args: JSON.stringify({ file: 'a.py', start: 3, end: 5 }) }]);
    expect(second!.toolResults).toEqual([{ id: second!.pastToolCalls[0]!.id, content: 'a.py:3-5\n3 | x = compute()' }]);
    // two model calls, one tool call, counted per agent
    expect(llm.usage()).toEqual({
      llmCalls: 2,
      promptTokens: 250,
      completionTokens: 16,
      toolCalls: 1,
      agents: { localizer: { llmCalls: 2, promptTokens: 250, completionTokens: 16, toolCalls: 1 } },
    });
  });

  it('functionCalling: the answer is the first tool; `required` while tools are allowed', async () => {
    const set = toolSet();
    const { llm, stub } = await clientFor([callTools(['search_code', { query: 'compute', path: null }]), json(good)], { structuredOutput: 'functionCalling' });
    expect(await llm.structured(ask(set, 'repairer'))).toEqual(good);
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[0]!.toolNames).toEqual(['answer', 'show_lines', 'search_code']);
    expect(stub.requests[0]!.body.tool_choice).toBe('required');
    expect(stub.requests[1]!.mode).toBe('tool');
    expect(llm.usage().agents?.repairer).toMatchObject({ llmCalls: 2, toolCalls: 1 });
  });

  it('jsonMode: tools beside response_format json_object', async () => {
    const set = toolSet();
    const { llm, stub } = await clientFor([callTools(['show_lines', { file: 'a.py', start: 1, end: 2 }]), json(good)], { structuredOutput: 'jsonMode' });
    expect(await llm.structured(ask(set))).toEqual(good);
    expect(stub.requests[0]!.body.response_format).toEqual({ type: 'json_object' });
    expect(stub.requests[1]!.toolResults).toHaveLength(1);
  });

  it('no tools in the request: exactly the request of before (no tools, no tool_choice)', async () => {
    const { llm, stub } = await clientFor([json(good)]);
    expect(await llm.structured({ agent: 'explainer', system: 's', user: 'u', schema: Answer, schemaName: 'answer' })).toEqual(good);
    expect(stub.requests[0]!.body.tools).toBeUndefined();
    expect(stub.requests[0]!.body.tool_choice).toBeUndefined();
    expect(llm.usage()).toMatchObject({ llmCalls: 1, toolCalls: 0 });
  });
});

describe('bounds', () => {
  it('calls beyond the agent’s budget are refused, then the answer is asked for (tool_choice none); the budget holds across requests', async () => {
    const set = toolSet(2);
    const { llm, stub } = await clientFor([
      callTools(['show_lines', { file: 'a.py', start: 1, end: 2 }], ['show_lines', { file: 'b.py', start: 1, end: 2 }], ['show_lines', { file: 'c.py', start: 1, end: 2 }]),
      json(good),
    ]);
    expect(await llm.structured(ask(set))).toEqual(good);
    expect(set.ran).toEqual(['lines a.py 1-2', 'lines b.py 1-2']);
    const results = stub.requests[1]!.toolResults;
    expect(results).toHaveLength(3);
    expect(results[2]!.content).toMatch(/^refused: the tool budget \(2 calls\) is used up/);
    expect(stub.requests[1]!.body.tool_choice).toBe('none');
    expect(llm.usage()).toMatchObject({ llmCalls: 2, toolCalls: 2 });

    // the same agent again: no tool calls left in this run, the answer is asked for at once
    stub.requests.length = 0;
    expect(await llm.structured(ask(set))).toEqual(good);
    expect(stub.requests[0]!.body.tool_choice).toBe('none');
  });

  it('a model that keeps calling tools after being told to answer is given up on (never loops)', async () => {
    const set = toolSet(1);
    const { llm, stub, log } = await clientFor([callTools(['show_lines', { file: 'a.py', start: 1, end: 2 }])]);
    expect(await llm.structured(ask(set))).toBeNull();
    expect(stub.requests.length).toBeLessThanOrEqual(set.maxCalls + 3);
    expect(set.ran).toHaveLength(1);
    expect(log.join('\n')).toMatch(/kept calling tools after its tool budget was used up/);
  });

  it('a tool answer is cut to maxOutputChars; an unknown tool gets an error', async () => {
    const set = toolSet(4, 300);
    const { llm, stub } = await clientFor([callTools(['search_code', { query: 'q', path: null }], ['rm_rf', { path: '/' }]), json(good)]);
    expect(await llm.structured(ask(set))).toEqual(good);
    const [cut, unknown] = stub.requests[1]!.toolResults;
    expect(cut!.content.length).toBeLessThan(400);
    expect(cut!.content).toMatch(/cut at 300 characters/);
    expect(unknown!.content).toMatch(/^unknown tool rm_rf/);
    expect(llm.usage().toolCalls).toBe(1);
  });

  it('--max-llm-calls counts the tool turns: the loop stops at the budget', async () => {
    const set = toolSet(6);
    const { llm, stub } = await clientFor([callTools(['show_lines', { file: 'a.py', start: 1, end: 2 }])], {}, { maxCalls: 2 });
    expect(await llm.structured(ask(set))).toBeNull();
    expect(stub.requests).toHaveLength(2);
    expect(llm.usage().llmCalls).toBe(2);
  });
});

describe('an endpoint without tool support', () => {
  it('HTTP 400 on tool definitions: the request again without them, and no tools for the rest of the run', async () => {
    const set = toolSet();
    const { llm, stub, log } = await clientFor([status(400, { message: 'tools are not supported' }), json(good), json(good)]);
    expect(await llm.structured(ask(set))).toEqual(good);
    expect(stub.requests[0]!.body.tools).toHaveLength(2);
    expect(stub.requests[1]!.body.tools).toBeUndefined();
    expect(log.join('\n')).toMatch(/refused tool definitions \(HTTP 400/);
    expect(await llm.structured(ask(set))).toEqual(good);
    expect(stub.requests[2]!.body.tools).toBeUndefined();
  });
});

describe('the stub’s tool-call answers, read by ChatOpenAI itself', () => {
  const lookup = tool(() => 'x', { name: 'lookup', description: 'Look up.', schema: z.object({ name: z.string() }) });

  for (const streaming of [false, true]) {
    it(`${streaming ? 'streaming (SSE)' : 'plain JSON'}: two calls in one turn, then text`, async () => {
      stub = await startOpenAiStub({ script: [callTools(['lookup', { name: 'handle' }], ['lookup', { name: 'matchPath' }]), json({ done: true })] });
      const chat = new ChatOpenAI({ model: 'stub-model', apiKey: 'sk-x', configuration: { baseURL: stub.url }, maxRetries: 0 }).bindTools([lookup]);
      let message;
      if (streaming) {
        let merged: any;
        for await (const chunk of await chat.stream('find it')) merged = merged ? merged.concat(chunk) : chunk;
        message = merged;
      } else message = await chat.invoke('find it');
      expect(message.tool_calls.map((c: any) => [c.name, c.args])).toEqual([
        ['lookup', { name: 'handle' }],
        ['lookup', { name: 'matchPath' }],
      ]);
      if (!streaming) expect(message.response_metadata.finish_reason).toBe('tool_calls');
      expect(stub.requests[0]!.stream).toBe(streaming);
    });
  }
});
