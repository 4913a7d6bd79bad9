/**
 * End to end with a model that looks for code itself: the BUILT CLI (`npx tsc -p .` first) against
 * the OpenAI-compatible stub over HTTP, the stub scripting tool calls (`tool_calls`,
 * finish_reason "tool_calls") and recording the `tool` messages that come back.
 *
 * The project is a small mocha web app (written here, in a temp git repository, with this
 * repository's node_modules linked in) with one bug in one line of its application module: route
 * parameters keep their colon (`params[':id']`), so a handler reading `req.params.id` gets
 * undefined. Its one test fails, so per-test coverage is flat (every executed line scored alike):
 * the localizer must start from the failure's stack and the names the test mentions, and the
 * faulty function (matchPath) is not among them — the model has to ask for it.
 *
 * Also here: a first answer that is right costs exactly three model calls (js-calc, node --test),
 * and the bounds of the tools (calls per agent, output size, paths outside the copy, test files).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TOOL_CALLS, TOOL_OUTPUT_CHARS } from '../../agents/tools.js';
import { countTokens } from '../../src/llm/tokens.js';
import { FixReportSchema, type FixReport } from '../../src/model/fix-report.js';
import { gitIn, linkOwnNodeModules, makeRepoFrom, removeRepo } from '../support/git.js';
import { callTools, json, startOpenAiStub, status, type OpenAiStub, type StubReply, type StubRequest, type StubUsage } from '../support/openai-stub.js';

const cli = join(import.meta.dirname, '../../dist/src/cli/index.js');
const made: string[] = [];
const stubs: OpenAiStub[] = [];
afterAll(async () => {
  for (const s of stubs) await s.close();
  for (const d of made) removeRepo(d);
});

// The mocha project ------------------------------------------------------------------------------

const FAULTY_LINE = "    if (want[i].startsWith(':')) params[want[i]] = got[i];";
const FIXED_LINE = "    if (want[i].startsWith(':')) params[want[i].slice(1)] = got[i];";

const APPLICATION = `'use strict';

/** Split a path into its segments, ignoring a trailing slash. */
function segments(path) {
  return path.replace(/\\/+$/, '').split('/');
}

/** The parameters of \`path\` when it matches \`pattern\` (\`/users/:id\`), else null. */
function matchPath(pattern, path) {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
${FAULTY_LINE}
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

function createApplication() {
  const routes = [];
  const app = {};

  app.get = function get(pattern, handler) {
    routes.push({ method: 'GET', pattern, handler });
    return app;
  };

  app.handle = function handle(req) {
    for (const route of routes) {
      if (route.method !== req.method) continue;
      const params = matchPath(route.pattern, req.path);
      if (params) return route.handler({ ...req, params });
    }
    return { status: 404, body: 'not found' };
  };

  return app;
}

module.exports = createApplication;
`;

const TEST = `'use strict';
const assert = require('assert');
const createApplication = require('../lib/application');

describe('application', function () {
  it('passes route parameters to the handler', function () {
    const app = createApplication();
    app.get('/users/:id', (req) => ({ status: 200, body: 'user ' + req.params.id }));
    const res = app.handle({ method: 'GET', path: '/users/42' });
    assert.strictEqual(res.body, 'user 42');
  });
});
`;

/** The mocha app in a temp git repository (node_modules linked, ignored by git). */
function mochaApp(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'rd-mocha-app-')));
  made.push(dir);
  mkdirSync(join(dir, 'lib'));
  mkdirSync(join(dir, 'test'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mocha-app', private: true, scripts: { test: 'mocha' } }, null, 2) + '\n');
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  writeFileSync(join(dir, 'lib', 'application.js'), APPLICATION);
  writeFileSync(join(dir, 'test', 'app.test.js'), TEST);
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'initial']);
  linkOwnNodeModules(dir);
  return dir;
}

// Running the CLI against a routed stub -----------------------------------------------------------

type Agent = 'localizer' | 'repairer' | 'explainer';
const role = (agent: Agent) => (r: StubRequest) => r.system.includes(`You are the **${agent}**`);
const of = (stub: OpenAiStub, agent: Agent) => stub.requests.filter(role(agent));

async function stub(routes: Partial<Record<Agent, StubReply[]>>): Promise<OpenAiStub> {
  const s = await startOpenAiStub({
    script: (['localizer', 'repairer', 'explainer'] as const).map((agent) => ({ when: role(agent), script: routes[agent] ?? [status(500, { message: `no ${agent} scripted` })] })),
  });
  stubs.push(s);
  return s;
}

interface Result {
  status: number | null;
  stderr: string;
  report: FixReport;
}

function fix(dir: string, test: string, s: OpenAiStub, maxSeconds = 300): Promise<Result> {
  const out = join(mkdtempSync(join(tmpdir(), 'rd-fix-tools-')), 'report.json');
  made.push(join(out, '..'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'fix', '--repo', dir, '--test', test, '--json', out, '--max-seconds', String(maxSeconds)], {
      env: { ...process.env, RUBBERDUCK_DEBUG: '', OPENAI_BASE_URL: s.url, OPENAI_API_KEY: 'sk-test', RUBBERDUCK_MODEL: 'stub-model' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 380_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve({ status: code, stderr, report: FixReportSchema.parse(JSON.parse(readFileSync(out, 'utf8'))) });
      } catch (error) {
        reject(new Error(`no report (exit ${code}): ${String(error)}\n${stderr}`));
      }
    });
  });
}

const usage = (prompt: number, completion: number): StubUsage => ({ prompt_tokens: prompt, completion_tokens: completion });
const explained = json({ whatFails: 'x', where: 'y', why: 'z', whatChanged: 'w', whyItFixes: 'v', blamed: null }, usage(300, 3));

function applies(dir: string, patch: string): void {
  const file = join(mkdtempSync(join(tmpdir(), 'rd-fix-tools-patch-')), 'fix.patch');
  made.push(join(file, '..'));
  writeFileSync(file, patch);
  gitIn(dir, ['apply', '--check', file]);
}

describe.concurrent('rubberduck fix: the model looks for code itself (built CLI, stub over HTTP)', () => {
  it('mocha, flat coverage: the localizer starts from the stack, the model asks for matchPath through the tools, gets it, and the fix is validated', async () => {
    const faultyAt = APPLICATION.split('\n').indexOf(FAULTY_LINE) + 1;
    const s = await stub({
      localizer: [
        callTools(['search_code', { query: 'matchPath', path: null }]),
        callTools(['show_function', { name: 'matchPath', file: 'lib/application.js' }]),
        json({ reasoning: 'Parameters keep their colon.', locations: [{ file: 'lib/application.js', line: faultyAt, reason: "params[':id'] instead of params.id" }] }, usage(200, 2)),
      ],
      repairer: [
        callTools(['tests_covering', { file: 'lib/application.js', line: faultyAt }]),
        json({ reasoning: 'Strip the colon from the parameter name.', edits: [{ file: 'lib/application.js', search: `${FAULTY_LINE}\n`, replace: `${FIXED_LINE}\n` }] }, usage(100, 1)),
      ],
      explainer: [explained],
    });
    const dir = mochaApp();
    const r = await fix(dir, 'node_modules/.bin/mocha', s);
    expect(r.status, r.stderr).toBe(0);
    expect(r.report.outcome).toBe('fixed');
    expect(r.report.patch).toContain(`+${FIXED_LINE}`);
    applies(dir, r.report.patch);

    // coverage was flat: the localizer started from the failure and said so
    const loc = of(s, 'localizer');
    expect(loc[0]!.user).toContain('Coverage cannot tell the lines apart: start from the failure');
    expect(loc[0]!.user).toMatch(/app\.handle \(lib\/application\.js:\d+-\d+\), named by the failing test/);
    // the first prompt did not hold the faulty line; the model asked for it and got it
    expect(loc[0]!.user).not.toContain(FAULTY_LINE.trim());
    expect(loc[1]!.toolResults[0]!.content).toMatch(/^functions named matchPath:\nlib\/application\.js:\d+-\d+ matchPath/);
    expect(loc[2]!.toolResults[1]!.content).toContain(`${faultyAt} | ${FAULTY_LINE}`);
    // the model's line leads the suspects; the repairer's tool read the (flat) coverage
    expect(r.report.suspects[0]).toMatchObject({ file: 'lib/application.js', line: faultyAt });
    expect(of(s, 'repairer')[1]!.toolResults[0]!.content).toMatch(/was executed by 1 failing and 0 passing tests/);

    // calls and tool calls, per agent
    expect(r.report.usage).toMatchObject({
      llmCalls: 3 + 2 + 1,
      toolCalls: 3,
      agents: {
        localizer: { llmCalls: 3, toolCalls: 2 },
        repairer: { llmCalls: 2, toolCalls: 1 },
        explainer: { llmCalls: 1, toolCalls: 0 },
      },
    });
    expect(r.report.usage.llmCalls).toBe(s.requests.length);
  }, 400_000);

  it('js-calc, a first answer that is right: exactly three calls, one per agent, small prompts', async () => {
    const search = "  for (const ch of expr.replace(/\\s+/g, '')) {\n    if (/[0-9]/.test(ch)) tokens.push(Number(ch));\n    else tokens.push(ch);\n  }\n";
    const replace =
      "  let prevDigit = false;\n  for (const ch of expr.replace(/\\s+/g, '')) {\n    if (/[0-9]/.test(ch)) {\n      tokens.push(prevDigit ? tokens.pop() * 10 + Number(ch) : Number(ch));\n      prevDigit = true;\n    } else {\n      tokens.push(ch);\n      prevDigit = false;\n    }\n  }\n";
    const s = await stub({
      localizer: [json({ reasoning: 'tokenize reads one digit at a time.', locations: [{ file: 'calc.js', line: 5, reason: '12 becomes 1 and 2' }] }, usage(1000, 10))],
      repairer: [json({ reasoning: 'Accumulate consecutive digits.', edits: [{ file: 'calc.js', search, replace }] }, usage(2000, 20))],
      explainer: [explained],
    });
    const dir = makeRepoFrom('js-calc');
    made.push(dir);
    const r = await fix(dir, 'node --test', s);
    expect(r.status, r.stderr).toBe(0);
    expect(r.report.outcome).toBe('fixed');
    expect(s.requests.map((q) => (['localizer', 'repairer', 'explainer'] as const).find((a) => role(a)(q)))).toEqual(['localizer', 'repairer', 'explainer']);
    expect(r.report.usage).toEqual({
      llmCalls: 3,
      promptTokens: 1000 + 2000 + 300,
      completionTokens: 10 + 20 + 3,
      toolCalls: 0,
      agents: {
        localizer: { llmCalls: 1, promptTokens: 1000, completionTokens: 10, toolCalls: 0 },
        repairer: { llmCalls: 1, promptTokens: 2000, completionTokens: 20, toolCalls: 0 },
        explainer: { llmCalls: 1, promptTokens: 300, completionTokens: 3, toolCalls: 0 },
      },
    });
    // the prompts carry the suspects, not the repository: under 2,500 tokens each (system + user)
    for (const q of s.requests) expect(countTokens(q.system) + countTokens(q.user)).toBeLessThan(2500);
  }, 400_000);

  it('bounds: at most the agent’s tool calls run, each answer cut to size; a path outside the copy is refused; a test-file edit is refused', async () => {
    const faultyAt = APPLICATION.split('\n').indexOf(FAULTY_LINE) + 1;
    // three calls in the first turn, then one per turn, two more than the budget allows
    const many = Array.from({ length: TOOL_CALLS.localizer - 3 + 2 }, (_, i) => callTools(['show_lines', { file: 'node_modules/mocha/lib/runner.js', start: 1 + i, end: 120 + i }]));
    const s = await stub({
      localizer: [
        callTools(['show_lines', { file: '../../../../etc/passwd', start: 1, end: 5 }], ['show_lines', { file: 'lib/application.js', start: 1, end: 200 }], ['search_code', { query: 'it(', path: 'test' }]),
        ...many,
        json({ reasoning: 'r', locations: [{ file: 'lib/application.js', line: faultyAt, reason: 'the colon' }] }),
      ],
      repairer: [
        json({ reasoning: 'Make the test expect undefined.', edits: [{ file: 'test/app.test.js', search: "    assert.strictEqual(res.body, 'user 42');\n", replace: "    assert.strictEqual(res.body, 'user undefined');\n" }] }),
        json({ reasoning: 'Strip the colon.', edits: [{ file: 'lib/application.js', search: `${FAULTY_LINE}\n`, replace: `${FIXED_LINE}\n` }] }),
      ],
      explainer: [explained],
    });
    const dir = mochaApp();
    const testBefore = readFileSync(join(dir, 'test', 'app.test.js'), 'utf8');
    const r = await fix(dir, 'node_modules/.bin/mocha', s);
    expect(r.status, r.stderr).toBe(0);
    expect(r.report.patch).not.toContain('test/app.test.js');
    expect(readFileSync(join(dir, 'test', 'app.test.js'), 'utf8')).toBe(testBefore);

    const loc = of(s, 'localizer');
    const results = loc.flatMap((q) => q.toolResults);
    // every call got an answer (the last request holds them all); only TOOL_CALLS.localizer ran
    const last = loc[loc.length - 1]!.toolResults;
    expect(last.length).toBe(3 + many.length);
    expect(r.report.usage.agents?.localizer?.toolCalls).toBe(TOOL_CALLS.localizer);
    expect(last.filter((t) => t.content.startsWith('refused: the tool budget')).length).toBe(2);
    expect(loc).toHaveLength(1 + many.length + 1);
    // outside the copy: refused, nothing of the file shown; node_modules is a link out of the copy
    expect(last[0]!.content).toMatch(/^error: .*outside the project: refused/);
    expect(results.some((t) => t.content.includes('root:'))).toBe(false);
    expect(last[3]!.content).toMatch(/^error: node_modules\/mocha\/lib\/runner\.js: a link that leads outside the project: refused/);
    // a test file is shown read-only; every answer within its size bound
    expect(last[2]!.content).toContain('[test file: read-only specification, never edited]');
    for (const t of last) expect(t.content.length).toBeLessThanOrEqual(TOOL_OUTPUT_CHARS + 60);
    // once the budget was used up the answer was asked for without tools
    expect(loc[loc.length - 1]!.body.tool_choice).toBe('none');

    // the repairer: its first answer edits the test (refused, stderr says so); then the fix
    expect(r.stderr).toMatch(/model edit of test\/app\.test\.js refused: edits a test file/);
    expect(r.report.patch).toContain(`+${FIXED_LINE}`);
  }, 400_000);
});
