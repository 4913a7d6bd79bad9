/**
 * The judgement of a candidate's run against the baseline (src/debug/results/verdict.ts): what
 * "fixed" may mean. The last part runs real mocha suites: a module that stops loading makes the
 * failing test vanish, and a vanished test is not a passing one.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countsOf, crashReason, judge } from '../../src/debug/results/verdict.js';
import { runTests } from '../../src/debug/run-tests.js';
import { confirmExact } from '../../src/graphs/debug/nodes/validate.js';
import { linkOwnNodeModules, VALIDATION_DIR } from '../support/git.js';
import { run, tc } from '../support/test-run.js';

const baseline = run([tc('a', 'passed'), tc('b', 'failed'), tc('c', 'passed'), tc('flaky', 'failed')]);
const allPass = () => [tc('a', 'passed'), tc('b', 'passed'), tc('c', 'passed'), tc('flaky', 'passed')];

describe('judge: a candidate against the baseline', () => {
  it('passes when every baseline failure passes and nothing regresses', () => {
    expect(judge(baseline, run([tc('a', 'passed'), tc('b', 'passed'), tc('c', 'passed'), tc('flaky', 'passed')])).verdict).toBe('passed');
  });

  it('rejects a candidate that leaves a baseline failure failing', () => {
    const j = judge(baseline, run([tc('a', 'passed'), tc('b', 'passed'), tc('c', 'passed'), tc('flaky', 'failed')]));
    expect(j.verdict).toBe('still-failing');
    expect(j.detail).toContain('flaky');
  });

  it('rejects a regression, also a test that disappeared', () => {
    expect(judge(baseline, run([tc('a', 'failed'), tc('b', 'passed'), tc('c', 'passed'), tc('flaky', 'passed')])).verdict).toBe('regression');
    expect(judge(baseline, run([tc('b', 'passed'), tc('c', 'passed'), tc('flaky', 'passed')])).verdict).toBe('regression');
  });

  it('judges an `only` run by the failing tests alone', () => {
    expect(judge(baseline, run([tc('b', 'passed'), tc('flaky', 'passed')]), true).verdict).toBe('passed');
  });

  it('reports a timeout', () => {
    expect(judge(baseline, run([], { timedOut: true, exitCode: null })).verdict).toBe('timeout');
  });

  it('falls back to the exit code without per-test results', () => {
    const bare = run([], { exitCode: 1, failed: 0 });
    expect(judge(bare, run([], { exitCode: 0 })).verdict).toBe('passed');
    expect(judge(bare, run([], { exitCode: 1 })).verdict).toBe('still-failing');
  });

  it('counts a crash without results as one failure', () => {
    expect(countsOf(run([], { exitCode: 2 }))).toEqual({ passed: 0, failed: 1 });
    expect(countsOf(baseline)).toEqual({ passed: 2, failed: 2 });
  });
});

describe('judge: what fixed may not mean', () => {
  it('a baseline failure that did not run is not fixed', () => {
    const j = judge(baseline, run([tc('a', 'passed'), tc('c', 'passed'), tc('flaky', 'passed')]));
    expect(j.verdict).toBe('incomplete');
    expect(j.detail).toContain('b did not run');
  });

  it('a test that did not run in the baseline and fails now is a regression', () => {
    const j = judge(baseline, run([...allPass(), tc('new-one', 'failed')]));
    expect(j.verdict).toBe('regression');
    expect(j.detail).toContain('did not run in the baseline');
  });

  it('a passing baseline test must run again; a skipped one need not', () => {
    const wide = run([...allPass().map((t) => (t.id === 'b' || t.id === 'flaky' ? tc(t.id, 'failed') : t)), tc('d', 'skipped')]);
    const j = judge(wide, run(allPass().slice(0, 4)));
    expect(j.verdict).toBe('passed');
    const extra = run([tc('a', 'passed'), tc('b', 'failed'), tc('c', 'passed'), tc('d', 'passed'), tc('flaky', 'failed')]);
    expect(judge(extra, run(allPass())).verdict).toBe('regression');
  });

  it('a crash exit code, unreadable results or a run cut short are never a pass', () => {
    expect(judge(baseline, run(allPass(), { exitCode: 3 })).verdict).toBe('incomplete');
    expect(judge(baseline, run(allPass(), { exitCode: null })).verdict).toBe('incomplete');
    expect(judge(baseline, run(allPass(), { exitCode: 134 })).verdict).toBe('incomplete');
    expect(judge(baseline, run([], { exitCode: 1 })).verdict).toBe('incomplete');
    expect(judge(baseline, run(allPass(), { cutShort: 'pytest stopped after the first failures (-x / --maxfail)' })).verdict).toBe('incomplete');
    expect(judge(baseline, run(allPass(), { exitCode: 1 })).verdict).toBe('incomplete');
    expect(crashReason(run([], { exitCode: 5 }))).toContain('collected no tests');
    expect(crashReason(run([], { exitCode: 1 }))).toBeNull();
  });

  it('a skipped former failure is not a passing one', () => {
    const j = judge(baseline, run([tc('a', 'passed'), tc('b', 'skipped'), tc('c', 'passed'), tc('flaky', 'passed')]));
    expect(j.verdict).toBe('still-failing');
  });

  it('the final confirmation wants the user command to exit 0', () => {
    expect(confirmExact(run(allPass())).verdict).toBe('passed');
    expect(confirmExact(run([tc('a', 'passed'), tc('z', 'failed')])).verdict).toBe('regression');
    expect(confirmExact(run([], { exitCode: 1 })).verdict).toBe('incomplete');
    expect(confirmExact(run([], { timedOut: true, exitCode: null })).verdict).toBe('timeout');
  });

  it('counts a run that exits non-zero without a failing test as one failure', () => {
    expect(countsOf(run(allPass(), { exitCode: 2 }))).toEqual({ passed: 4, failed: 1 });
  });
});

describe('judge on real mocha runs', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a patch that breaks a require makes the failing test vanish: incomplete, never passed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-verdict-mocha-'));
    dirs.push(dir);
    cpSync(join(VALIDATION_DIR, 'js-mocha-require'), dir, { recursive: true });
    linkOwnNodeModules(dir);
    const before = await runTests('npm test', 'mocha', { cwd: dir, timeoutMs: 60_000 });
    expect(before.tests.map((t) => `${t.id}: ${t.status}`)).toEqual([
      'test/convert.test.js > convert > converts kilometres to metres: passed',
      'test/convert.test.js > convert > converts millimetres to centimetres: passed',
      'test/convert.test.js > convert > refuses an unknown target unit: failed',
    ]);
    const source = readFileSync(join(dir, 'convert.js'), 'utf8');
    writeFileSync(join(dir, 'convert.js'), source.replace("require('./units').table", "'./units'.table"));
    const after = await runTests('npm test', 'mocha', { cwd: dir, timeoutMs: 60_000 });
    expect(after.tests).toEqual([]);
    const j = judge(before, after);
    expect(j.verdict).toBe('incomplete');
    // The same patch judged by the exit code of the user's own command.
    const exact = await runTests('npm test', 'mocha', { cwd: dir, timeoutMs: 60_000, exact: true });
    expect(confirmExact(exact).verdict).not.toBe('passed');
  });

  it('mocha --bail in the package script: the tool runs the whole suite, the exact run stops early', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-verdict-bail-'));
    dirs.push(dir);
    cpSync(join(VALIDATION_DIR, 'js-mocha-bail'), dir, { recursive: true });
    linkOwnNodeModules(dir);
    const complete = await runTests('npm test', 'mocha', { cwd: dir, timeoutMs: 60_000 });
    expect(complete.tests.filter((t) => t.status === 'failed').map((t) => t.name)).toEqual([
      'is free from exactly 5000 cents',
      'adds 50 cents per started kg above the first',
    ]);
    expect(complete.cutShort).toBeUndefined();
    const exact = await runTests('npm test', 'mocha', { cwd: dir, timeoutMs: 60_000, exact: true });
    expect(exact.exitCode).not.toBe(0);
  });
});
