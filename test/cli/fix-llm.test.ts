/**
 * End to end with a model: the BUILT CLI (`node dist/src/cli/index.js fix …`, build first with
 * `npx tsc -p .`) on fixtures copied into temp git repositories, talking over real HTTP to the
 * scripted OpenAI-compatible stub (test/support/openai-stub.ts). The stub routes by the system
 * prompt (prompts/<agent>.md), so the scripts do not depend on the order of the calls. What is
 * checked comes from the stub's recorded requests, the JSON report, the exit code and stderr.
 *
 * py-roman is beyond mutation (six table entries are missing): only the model's edit fixes it.
 * py-gcd is fixed by mutation within the first batch.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FixReportSchema, type FixReport } from '../../src/model/fix-report.js';
import { gitIn, makeRepoFrom, removeRepo } from '../support/git.js';
import { json, malformed, schemaBreaking, startOpenAiStub, status, type OpenAiStub, type StubRequest, type StubUsage, closedPort } from '../support/openai-stub.js';

const cli = join(import.meta.dirname, '../../dist/src/cli/index.js');
const PYTEST = 'python3 -m pytest -q';
const made: string[] = [];
const stubs: OpenAiStub[] = [];

afterAll(async () => {
  for (const s of stubs) await s.close();
  for (const d of made) removeRepo(d);
});

function repo(fixture: string, extra: Record<string, string> = {}): string {
  const dir = makeRepoFrom(fixture);
  made.push(dir);
  if (Object.keys(extra).length) {
    for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
    gitIn(dir, ['add', '-A']);
    gitIn(dir, ['commit', '-q', '-m', 'config']);
  }
  return dir;
}

function reportPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-fix-llm-'));
  made.push(dir);
  return join(dir, 'report.json');
}

/** The system prompt of each agent starts "You are the **<agent>**" (prompts/*.md); others mention each other. */
const role = (agent: 'localizer' | 'repairer' | 'explainer') => (r: StubRequest) => r.system.includes(`You are the **${agent}**`);
const of = (stub: OpenAiStub, agent: 'localizer' | 'repairer' | 'explainer') => stub.requests.filter(role(agent));

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The built CLI, asynchronously (the stub answers from this very process). */
function fix(args: string[], env: Record<string, string>, timeoutMs = 380_000): Promise<Result> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, 'fix', ...args], {
      env: { ...process.env, RUBBERDUCK_DEBUG: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const modelEnv = (url: string) => ({ OPENAI_BASE_URL: url, OPENAI_API_KEY: 'sk-test', RUBBERDUCK_MODEL: 'stub-model' });
const readReport = (file: string): FixReport => FixReportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));

async function stub(routes: { localizer?: ReturnType<typeof json>[]; repairer?: ReturnType<typeof json>[]; explainer?: ReturnType<typeof json>[] }): Promise<OpenAiStub> {
  const s = await startOpenAiStub({
    script: (['localizer', 'repairer', 'explainer'] as const).map((agent) => ({ when: role(agent), script: routes[agent] ?? [status(500, { message: `no ${agent} scripted` })] })),
  });
  stubs.push(s);
  return s;
}


// py-roman: the table, and edits in the repairer's answer schema -------------------------------
const OLD_TABLE = '    (1000, "M"),\n    (500, "D"),\n    (100, "C"),\n    (50, "L"),\n    (10, "X"),\n    (5, "V"),\n    (1, "I"),\n';
const FULL_TABLE =
  '    (1000, "M"),\n    (900, "CM"),\n    (500, "D"),\n    (400, "CD"),\n    (100, "C"),\n    (90, "XC"),\n    (50, "L"),\n    (40, "XL"),\n    (10, "X"),\n    (9, "IX"),\n    (5, "V"),\n    (4, "IV"),\n    (1, "I"),\n';
/** Wrong: IV only, so to_roman(1994) gives MDCCCCLXXXXIV. */
const IV_ONLY = OLD_TABLE.replace('    (1, "I"),\n', '    (4, "IV"),\n    (1, "I"),\n');

const usage = (prompt: number, completion: number): StubUsage => ({ prompt_tokens: prompt, completion_tokens: completion });
const LOCALIZER_USAGE = usage(1101, 11);
const REPAIRER_USAGE = usage(2202, 22);
const EXPLAINER_USAGE = usage(3303, 33);

const localized = json({ reasoning: 'to_roman(4) gives IIII: the table has no (4, "IV").', locations: [{ file: 'roman.py', line: 2, reason: 'the table lacks the subtractive pairs' }] }, LOCALIZER_USAGE);
const repaired = (table: string, reasoning: string) => json({ reasoning, edits: [{ file: 'roman.py', search: OLD_TABLE, replace: table }] }, REPAIRER_USAGE);
const explained = json(
  {
    whatFails: 'test_four expects IV and gets IIII.',
    where: 'roman.py, NUMERALS.',
    why: 'No subtractive pairs in the table.',
    whatChanged: 'The six pairs are added.',
    whyItFixes: 'The greedy loop picks them first.',
    blamed: { file: 'roman.py', line: 2 },
  },
  EXPLAINER_USAGE,
);
const testEdit = json({ reasoning: 'Make the test expect IIII.', edits: [{ file: 'tests/test_roman.py', search: '    assert to_roman(4) == "IV"\n', replace: '    assert to_roman(4) == "IIII"\n' }] });

function applies(dir: string, patch: string): void {
  const file = join(mkdtempSync(join(tmpdir(), 'rd-fix-llm-patch-')), 'fix.patch');
  made.push(join(file, '..'));
  writeFileSync(file, patch);
  gitIn(dir, ['apply', '--check', file]); // throws when it does not apply
}

describe.concurrent('rubberduck fix with a model (built CLI, OpenAI-compatible stub over HTTP)', () => {
  it('py-roman, beyond mutation, a first answer that is right: three calls (localize, repair, explain), the ranking and traces reach the localizer, usage as the stub said', async () => {
    const s = await stub({ localizer: [localized], repairer: [repaired(FULL_TABLE, 'Add the six subtractive pairs.')], explainer: [explained] });
    const dir = repo('py-roman');
    const out = reportPath();
    const r = await fix(['--repo', dir, '--test', PYTEST, '--json', out, '--max-seconds', '240'], modelEnv(s.url));
    expect(r.status, r.stderr).toBe(0);
    const report = readReport(out);
    expect(report.outcome).toBe('fixed');
    expect(report.patch).toContain('+    (400, "CD"),');
    applies(dir, report.patch);

    // (a) the localizer's request: the SBFL ranking (file:line and score) and the traced values
    const loc = of(s, 'localizer');
    expect(loc).toHaveLength(1);
    expect(loc[0]!.user).toContain('SBFL ranking');
    expect(loc[0]!.user).toMatch(/roman\.py:1\d\s+score 0\.\d{3}/);
    expect(loc[0]!.user).toMatch(/roman\.py:\d+ to_roman: .*\bn=\d+/);
    // the model's line leads the report's suspects
    expect(report.suspects[0]).toMatchObject({ file: 'roman.py', line: 2 });
    expect(report.suspects[0]!.why).toContain('named by the model');

    // usage: one call per agent, tokens exactly as the stub's usage blocks said, per agent too
    const rep = of(s, 'repairer');
    const exp = of(s, 'explainer');
    expect(rep).toHaveLength(1); // one answer: it was right, no extra samples
    expect(exp).toHaveLength(1);
    expect(s.requests).toHaveLength(3);
    expect(report.usage).toEqual({
      llmCalls: 3,
      promptTokens: 1101 + 2202 + 3303,
      completionTokens: 11 + 22 + 33,
      toolCalls: 0,
      agents: {
        localizer: { llmCalls: 1, promptTokens: 1101, completionTokens: 11, toolCalls: 0 },
        repairer: { llmCalls: 1, promptTokens: 2202, completionTokens: 22, toolCalls: 0 },
        explainer: { llmCalls: 1, promptTokens: 3303, completionTokens: 33, toolCalls: 0 },
      },
    });
    // the read-only tools were offered to the localizer and the repairer, not to the explainer
    expect(loc[0]!.toolNames).toEqual(['search_code', 'show_function', 'show_lines', 'tests_covering']);
    expect(rep[0]!.toolNames).toEqual(['search_code', 'show_function', 'show_lines', 'tests_covering']);
    expect(exp[0]!.toolNames).toEqual([]);
    expect(report.explanation).toContain('**Why it fixes it.**');
    expect(r.stdout).toContain('(900, "CM")');
  }, 400_000);

  it('a wrong edit first, then the right one: its failing output goes back to the model (function calling from .rubberduck.json)', async () => {
    const wrong = repaired(IV_ONLY, 'Add IV.');
    const s = await stub({ localizer: [localized], repairer: [wrong, repaired(FULL_TABLE, 'Add all six pairs.')], explainer: [explained] });
    const dir = repo('py-roman', { '.rubberduck.json': JSON.stringify({ llm: { structuredOutput: 'functionCalling' } }) });
    const out = reportPath();
    const r = await fix(['--repo', dir, '--test', PYTEST, '--json', out, '--max-seconds', '240'], modelEnv(s.url));
    expect(r.status, r.stderr).toBe(0);
    const report = readReport(out);
    expect(report.outcome).toBe('fixed');
    expect(report.patch).toContain('+    (400, "CD"),');
    applies(dir, report.patch);
    // the repository's .rubberduck.json llm settings apply: a forced tool call, not json_schema
    expect(s.requests.every((q) => q.mode === 'tool')).toBe(true);

    const rep = of(s, 'repairer');
    expect(rep.length).toBe(1 + 3); // llm:1 asks for one answer; after its failure llm:2 asks for three samples
    // the wrong patch's test output (to_roman(1994) == 'MDCCCCLXXXXIV') is in the next round's requests only
    expect(rep[0]!.user).not.toContain('MDCCCCLXXXXIV');
    expect(rep[1]!.user).toContain('MDCCCCLXXXXIV');
    expect(rep[1]!.user).toContain('model: Add IV.');
    expect(r.stderr).toMatch(/candidate \d+ of \d+: roman\.py:\d+ model: Add IV\./);
    // llm:2 came right after llm:1's failure, not after the rest of the mutations
    expect(report.candidates?.tried).toBeLessThanOrEqual(8 + 2);
  }, 400_000);

  it('js-calc, beyond mutation, under node --test: the model’s multi-line edit is validated and reported', async () => {
    const search = "  for (const ch of expr.replace(/\\s+/g, '')) {\n    if (/[0-9]/.test(ch)) tokens.push(Number(ch));\n    else tokens.push(ch);\n  }\n";
    const replace =
      "  let prevDigit = false;\n  for (const ch of expr.replace(/\\s+/g, '')) {\n    if (/[0-9]/.test(ch)) {\n      tokens.push(prevDigit ? tokens.pop() * 10 + Number(ch) : Number(ch));\n      prevDigit = true;\n    } else {\n      tokens.push(ch);\n      prevDigit = false;\n    }\n  }\n";
    const s = await stub({
      localizer: [json({ reasoning: 'tokenize reads one digit at a time.', locations: [{ file: 'calc.js', line: 5, reason: '12 becomes 1 and 2' }] })],
      repairer: [json({ reasoning: 'Accumulate consecutive digits.', edits: [{ file: 'calc.js', search, replace }] })],
      explainer: [json({ whatFails: 'x', where: 'calc.js', why: 'y', whatChanged: 'z', whyItFixes: 'w', blamed: { file: 'calc.js', line: 5 } })],
    });
    const dir = repo('js-calc');
    const out = reportPath();
    const r = await fix(['--repo', dir, '--test', 'node --test', '--json', out, '--max-seconds', '240'], modelEnv(s.url));
    expect(r.status, r.stderr).toBe(0);
    const report = readReport(out);
    expect(report.outcome).toBe('fixed');
    expect(report.patch).toContain('+  let prevDigit = false;');
    expect(report.tests.after.failed).toBe(0);
    applies(dir, report.patch);
    expect(of(s, 'localizer')[0]!.user).toMatch(/calc\.js:\d+\s+score 0\.\d{3}/);
  }, 400_000);

  it('faults: 429 then success, malformed and schema-breaking answers, an edit to a test file, 500s — the run goes on', async () => {
    const s = await stub({
      localizer: [status(429, { retryAfter: 0 }), localized],
      repairer: [malformed(), schemaBreaking(), testEdit, repaired(FULL_TABLE, 'Add the six pairs.')],
      explainer: [status(500)],
    });
    const dir = repo('py-roman');
    const before = readFileSync(join(dir, 'tests/test_roman.py'), 'utf8');
    const out = reportPath();
    const r = await fix(['--repo', dir, '--test', PYTEST, '--json', out, '--max-seconds', '240'], modelEnv(s.url));
    expect(r.status, r.stderr).toBe(0);
    const report = readReport(out);
    expect(report.outcome).toBe('fixed');
    // 429 retried: the second localizer request's answer was used
    expect(of(s, 'localizer')).toHaveLength(2);
    expect(report.suspects[0]!.why).toContain('named by the model');
    // llm:1's one answer: malformed, asked again, schema-breaking → dropped; so llm:2 follows at once with
    // three samples: the first edits the test → refused; the next two fix it (one candidate, two votes)
    expect(of(s, 'repairer')).toHaveLength(2 + 3);
    expect(r.stderr).toContain("the model's answer did not match the repair schema");
    expect(r.stderr).toMatch(/model edit of tests\/test_roman\.py refused: edits a test file/);
    expect(r.stderr).not.toMatch(/\[validate\] candidate \d+ of \d+: tests\//);
    expect(report.patch).not.toContain('tests/');
    expect(report.patch).toContain('+    (400, "CD"),');
    expect(readFileSync(join(dir, 'tests/test_roman.py'), 'utf8')).toBe(before);
    // the explainer's 500s: retried, then the offline explanation
    expect(of(s, 'explainer')).toHaveLength(3);
    expect(r.stderr).toMatch(/explainer: model endpoint .* kept failing \(HTTP 500, 3 attempts\)/);
    expect(report.explanation).toContain('## 5. Why that fixes it');
  }, 400_000);

  it('the endpoint down: a mutation-fixable fixture is still fixed offline', async () => {
    const dir = repo('py-gcd');
    const out = reportPath();
    const r = await fix(['--repo', dir, '--test', PYTEST, '--json', out, '--max-seconds', '150'], modelEnv(`http://127.0.0.1:${await closedPort()}/v1`));
    expect(r.status, r.stderr).toBe(0);
    expect(readReport(out).outcome).toBe('fixed');
    expect(r.stderr).toMatch(/model endpoint http:\/\/127\.0\.0\.1:\d+\/v1 is down .*continuing offline/);
    expect(r.stderr.match(/is down/g)).toHaveLength(1); // noted once
    expect(readReport(out).usage.llmCalls).toBe(0);
  }, 400_000);

  it('the endpoint down: py-roman ends not fixed (exit 1) within its budget, never hangs', async () => {
    const dir = repo('py-roman');
    const out = reportPath();
    const r = await fix(['--repo', dir, '--test', PYTEST, '--json', out, '--max-seconds', '25'], modelEnv(`http://127.0.0.1:${await closedPort()}/v1`));
    expect(r.status, r.stderr).toBe(1);
    const report = readReport(out);
    expect(report.outcome).toBe('not-fixed');
    expect(report.patch).toBe('');
    // never hangs: the budget, plus start-up and clean-up (generous: a loaded machine is slow at both)
    expect(r.ms).toBeLessThan(25_000 + 60_000);
  }, 400_000);

  it('--max-llm-calls 1: at most one request reaches the endpoint', async () => {
    const s = await stub({ localizer: [json({ reasoning: 'gcd', locations: [{ file: 'gcd.py', line: 5, reason: 'argument order' }] })], repairer: [testEdit], explainer: [explained] });
    const dir = repo('py-gcd');
    const out = reportPath();
    const r = await fix(['--repo', dir, '--test', PYTEST, '--json', out, '--max-seconds', '150', '--max-llm-calls', '1'], modelEnv(s.url));
    expect(r.status, r.stderr).toBe(0);
    expect(s.requests.length).toBeLessThanOrEqual(1);
    expect(readReport(out).usage.llmCalls).toBe(s.requests.length);
  }, 400_000);

  it('--offline with the endpoint configured: zero requests', async () => {
    const s = await stub({ localizer: [localized], repairer: [testEdit], explainer: [explained] });
    const dir = repo('py-gcd');
    const out = reportPath();
    const r = await fix(['--repo', dir, '--test', PYTEST, '--json', out, '--max-seconds', '150', '--offline'], modelEnv(s.url));
    expect(r.status, r.stderr).toBe(0);
    expect(s.requests).toHaveLength(0);
    expect(readReport(out).usage).toEqual({ llmCalls: 0, promptTokens: 0, completionTokens: 0 });
  }, 400_000);
});
