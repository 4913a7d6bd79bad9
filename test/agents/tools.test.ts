/**
 * The agents' read-only tools (agents/tools.ts) through the real model client and the stub over
 * HTTP: the model asks for a function by name and gets its code back as a `tool` message; a path
 * outside the copy comes back as a refusal; the localizer's and the repairer's requests offer the
 * tools and count them apart from the model calls.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localizeWithModel, type LocalizerInput } from '../../agents/localizer/llm.js';
import { repairWithModel } from '../../agents/repairer/llm.js';
import { codeToolSet, TOOL_CALLS, TOOL_NAMES, TOOL_OUTPUT_CHARS } from '../../agents/tools.js';
import { createLlmClient } from '../../src/llm/client.js';
import { callTools, json, startOpenAiStub, type OpenAiStub } from '../support/openai-stub.js';

const APP = `function matchPath(pattern, path) {
  const want = pattern.split('/');
  const got = path.split('/');
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i]] = got[i];
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

function handle(req) {
  const params = matchPath('/users/:id', req.path);
  return params ? { status: 200, body: 'user ' + params.id } : { status: 404, body: '' };
}

module.exports = { handle, matchPath };
`;

let dir: string;
let stub: OpenAiStub | undefined;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'rd-agent-tools-')));
  mkdirSync(join(dir, 'lib'));
  mkdirSync(join(dir, 'test'));
  writeFileSync(join(dir, 'lib', 'app.js'), APP);
  writeFileSync(join(dir, 'test', 'app.test.js'), "const { handle } = require('../lib/app');\nit('routes', () => { assert.equal(handle({ path: '/users/42' }).body, 'user 42'); });\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const client = (url: string) => createLlmClient({ env: { OPENAI_BASE_URL: url }, retryDelayMs: 5 })!;

const input: LocalizerInput = {
  failingTests: [{ id: 'test/app.test.js > routes', name: 'routes', status: 'failed', message: "expected 'user undefined' to equal 'user 42'" }],
  testOutput: "AssertionError: expected 'user undefined' to equal 'user 42'\n    at Context.<anonymous> (test/app.test.js:2:30)",
  ranking: [{ file: 'lib/app.js', line: 13, score: 0.6, failedCover: 1, passedCover: 0, functionName: 'handle' }],
  outline: 'lib/app.js:\n  1-10 function matchPath(pattern, path)\n  12-15 function handle(req)',
  suspectCode: [{ file: 'lib/app.js', startLine: 12, code: APP.split('\n').slice(11, 15).join('\n') }],
  traces: [],
};

describe('the tool set', () => {
  it('four read-only tools with strict-compatible schemas, bounded', () => {
    const set = codeToolSet(dir, null, TOOL_CALLS.localizer);
    expect(set.tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    expect(set.maxCalls).toBe(TOOL_CALLS.localizer);
    expect(set.maxOutputChars).toBe(TOOL_OUTPUT_CHARS);
  });

  it('a refusal or a miss is the tool’s answer, not an exception', async () => {
    const [search, show, lines, covering] = codeToolSet(dir, null, 6).tools;
    expect(await lines!.invoke({ file: '../../etc/passwd', start: 1, end: 3 })).toMatch(/^error: .*outside the project: refused/);
    expect(await show!.invoke({ name: 'nope', file: null })).toMatch(/^no function named nope/);
    expect(await search!.invoke({ query: 'matchPath', path: null })).toContain('lib/app.js:1-10 matchPath');
    expect(await covering!.invoke({ file: 'lib/app.js', line: 6 })).toMatch(/^no per-test coverage/);
  });
});

describe('the localizer asks for the faulty function through the tools', () => {
  it('the code of matchPath comes back as a tool message; the model then names its faulty line', async () => {
    stub = await startOpenAiStub({
      script: [
        callTools(['show_function', { name: 'matchPath', file: null }]),
        json({ reasoning: 'params keys keep the colon.', locations: [{ file: 'lib/app.js', line: 6, reason: "params[':id'] instead of params.id" }] }),
      ],
    });
    const llm = client(stub.url);
    const answer = await localizeWithModel(llm, { ...input, tools: codeToolSet(dir, null, TOOL_CALLS.localizer) });
    expect(answer?.locations).toEqual([{ file: 'lib/app.js', line: 6, reason: "params[':id'] instead of params.id" }]);
    // the first prompt did not hold the faulty line; the tool's answer did
    expect(stub.requests[0]!.user).not.toContain('params[want[i]] = got[i]');
    expect(stub.requests[0]!.system).toContain('`show_function`');
    expect(stub.requests[1]!.toolResults[0]!.content).toContain("6 |     if (want[i].startsWith(':')) params[want[i]] = got[i];");
    expect(llm.usage()).toMatchObject({ llmCalls: 2, toolCalls: 1, agents: { localizer: { llmCalls: 2, toolCalls: 1 } } });
  });
});

describe('the repairer with tools', () => {
  it('reads the function, then edits it; a test-file edit is still refused', async () => {
    const fix = { file: 'lib/app.js', search: "    if (want[i].startsWith(':')) params[want[i]] = got[i];", replace: "    if (want[i].startsWith(':')) params[want[i].slice(1)] = got[i];" };
    stub = await startOpenAiStub({
      script: [
        callTools(['show_lines', { file: 'lib/app.js', start: 1, end: 10 }], ['show_lines', { file: '/etc/passwd', start: 1, end: 5 }]),
        json({ reasoning: 'strip the colon', edits: [fix] }),
        json({ reasoning: 'make the test expect undefined', edits: [{ file: 'test/app.test.js', search: "'user 42'", replace: "'user undefined'" }] }),
      ],
    });
    const llm = client(stub.url);
    const rejected: string[] = [];
    const samples = await repairWithModel(llm, {
      locations: [{ file: 'lib/app.js', line: 13, reason: 'handle' }],
      windows: input.suspectCode,
      testOutput: input.testOutput,
      traces: [],
      previousAttempts: [],
      samples: 2,
      testFiles: ['test/app.test.js'],
      tools: codeToolSet(dir, null, TOOL_CALLS.repairer),
      onReject: (e, why) => rejected.push(`${e.file}: ${why}`),
    });
    expect(samples).toEqual([{ reasoning: 'strip the colon', edits: [fix] }]);
    expect(rejected).toEqual(['test/app.test.js: edits a test file']);
    const results = stub.requests[1]!.toolResults;
    expect(results[0]!.content).toContain("6 |     if (want[i].startsWith(':')) params[want[i]] = got[i];");
    expect(results[1]!.content).toMatch(/^error: \/etc\/passwd: absolute paths are refused/);
    expect(llm.usage()).toMatchObject({ llmCalls: 3, toolCalls: 2, agents: { repairer: { llmCalls: 3, toolCalls: 2 } } });
  });
});
