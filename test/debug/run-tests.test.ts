import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { injectAfterNodeTest, runTests, selectPytest } from '../../src/debug/run-tests.js';
import { BUGS_DIR, linkOwnNodeModules } from '../support/git.js';

const dirs: string[] = [];
/** A private copy of a fixture (tests never run inside fixtures/). */
function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rd-run-${name}-`));
  dirs.push(dir);
  cpSync(join(BUGS_DIR, name), dir, { recursive: true });
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function statuses(run: { tests: { id: string; status: string }[] }): Record<string, string> {
  return Object.fromEntries(run.tests.map((t) => [t.id, t.status]));
}

describe('command rewriting', () => {
  it('injects flags right after --test', () => {
    expect(injectAfterNodeTest('node --test test/', '--x')).toBe('node --test --x test/');
    expect(injectAfterNodeTest('tsc && node --enable-source-maps --test', '--x')).toBe('tsc && node --enable-source-maps --test --x');
    expect(injectAfterNodeTest('npm test', '--x')).toBeUndefined();
  });

  it('replaces positional pytest paths by node ids', () => {
    const cwd = BUGS_DIR + '/py-gcd';
    expect(selectPytest('python3 -m pytest -q tests', cwd, ['tests/test_gcd.py::test_b_zero'])).toBe(
      'python3 -m pytest -q tests/test_gcd.py::test_b_zero',
    );
    expect(selectPytest('pytest -k slow -x', cwd, ['a.py::t'])).toBe('pytest -k slow -x a.py::t');
  });
});

describe('runTests with pytest', () => {
  it('reports per-test results of a failing fixture, and re-selects by id', async () => {
    const dir = copyFixture('py-gcd');
    const manifest = JSON.parse(readFileSync(join(dir, 'rubberduck.json'), 'utf8')) as { test: string };
    const run = await runTests(manifest.test, 'pytest', { cwd: dir, timeoutMs: 60_000 });
    expect(run.timedOut).toBe(false);
    expect(run.exitCode).toBe(1);
    expect(statuses(run)).toEqual({
      'tests/test_gcd.py::test_b_zero': 'passed',
      'tests/test_gcd.py::test_equal': 'failed',
      'tests/test_gcd.py::test_coprime': 'failed',
      'tests/test_gcd.py::test_common_factor': 'failed',
    });
    expect(run.passed).toBe(1);
    expect(run.failed).toBe(3);
    expect(run.tests.find((t) => t.status === 'failed')!.message).toMatch(/RecursionError|recursion/);
    expect(run.output).toMatch(/failed/);

    const only = await runTests(manifest.test, 'pytest', {
      cwd: dir,
      timeoutMs: 60_000,
      only: ['tests/test_gcd.py::test_b_zero', 'tests/test_gcd.py::test_equal'],
    });
    expect(statuses(only)).toEqual({
      'tests/test_gcd.py::test_b_zero': 'passed',
      'tests/test_gcd.py::test_equal': 'failed',
    });
    // Nothing written into the project: no cache, no bytecode.
    expect(() => readFileSync(join(dir, '.pytest_cache', 'README.md'))).toThrow();
    expect(() => readFileSync(join(dir, '__pycache__'))).toThrow();
  });

  it('reports a passing run once the bug is fixed', async () => {
    const dir = copyFixture('py-binary-search');
    const file = join(dir, 'binsearch.py');
    writeFileSync(file, readFileSync(file, 'utf8').replace('while lo < hi:', 'while lo <= hi:'));
    const run = await runTests('python3 -m pytest -q', 'pytest', { cwd: dir, timeoutMs: 60_000 });
    expect(run.exitCode).toBe(0);
    expect(run.failed).toBe(0);
    expect(run.passed).toBe(5);
  });

  it('ends the infinite-loop fixture by timeout', async () => {
    const dir = copyFixture('py-bitcount');
    const started = Date.now();
    const run = await runTests('python3 -m pytest -q', 'pytest', { cwd: dir, timeoutMs: 4000 });
    expect(run.timedOut).toBe(true);
    expect(run.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('runTests with node:test', () => {
  it('reports per-test results with file > suite > name ids, and re-selects them', async () => {
    const dir = copyFixture('js-quicksort');
    const run = await runTests('node --test', 'node-test', { cwd: dir, timeoutMs: 60_000 });
    expect(run.exitCode).toBe(1);
    expect(statuses(run)).toEqual({
      'test/quicksort.test.js > quicksort > sorts an empty list': 'passed',
      'test/quicksort.test.js > quicksort > sorts distinct numbers': 'passed',
      'test/quicksort.test.js > quicksort > keeps duplicates': 'failed',
      'test/quicksort.test.js > quicksort > keeps the length': 'failed',
    });
    const failed = run.tests.find((t) => t.status === 'failed')!;
    expect(failed.file).toBe('test/quicksort.test.js');
    expect(failed.message).toMatch(/deep/i);
    // the spec reporter goes to stdout
    expect(run.output).toMatch(/keeps duplicates/);

    const only = await runTests('node --test', 'node-test', {
      cwd: dir,
      timeoutMs: 60_000,
      only: ['test/quicksort.test.js > quicksort > keeps duplicates', 'test/quicksort.test.js > quicksort > sorts an empty list'],
    });
    expect(statuses(only)).toEqual({
      'test/quicksort.test.js > quicksort > sorts an empty list': 'passed',
      'test/quicksort.test.js > quicksort > keeps duplicates': 'failed',
    });
  });

  it('runs `npm test` scripts through the rewritten script', async () => {
    const dir = copyFixture('js-intervals');
    const run = await runTests('npm test', 'node-test', { cwd: dir, timeoutMs: 60_000 });
    expect(run.exitCode).toBe(1);
    expect(run.tests).toHaveLength(5);
    expect(statuses(run)['test/intervals.test.js > disjoint intervals']).toBe('failed');
    expect(statuses(run)['test/intervals.test.js > overlapping intervals']).toBe('passed');
    const only = await runTests('npm test', 'node-test', {
      cwd: dir,
      timeoutMs: 60_000,
      only: ['test/intervals.test.js > nested intervals'],
    });
    expect(statuses(only)).toEqual({ 'test/intervals.test.js > nested intervals': 'passed' });
    expect(only.exitCode).toBe(0);
  });

  it('falls back to the exit code and a text scan for an unknown runner', async () => {
    const dir = copyFixture('js-parens');
    const run = await runTests('node --test-reporter=tap --test 2>&1 | cat; exit 1', 'unknown', { cwd: dir, timeoutMs: 60_000 });
    expect(run.exitCode).toBe(1);
    expect(run.tests.some((t) => t.status === 'failed' && t.id === 'unclosed parenthesis is invalid')).toBe(true);
  });
});

describe('runTests with vitest', () => {
  it('reads the junit report and selects with -t', async () => {
    // A tiny project borrowing this repository's vitest (entries linked one by one, so vitest's
    // cache folder lands in the temp dir).
    const dir = mkdtempSync(join(tmpdir(), 'rd-run-vitest-'));
    dirs.push(dir);
    linkOwnNodeModules(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', scripts: { test: 'vitest run' } }));
    writeFileSync(join(dir, 'sum.js'), 'export const sum = (a, b) => a - b;\n');
    writeFileSync(
      join(dir, 'sum.test.js'),
      "import { describe, it, expect } from 'vitest';\nimport { sum } from './sum.js';\n" +
        "describe('sum', () => {\n  it('zero', () => expect(sum(0, 0)).toBe(0));\n  it('adds', () => expect(sum(1, 2)).toBe(3));\n});\n" +
        "it('top level', () => expect(1).toBe(1));\n",
    );
    const run = await runTests('npx vitest run', 'vitest', { cwd: dir, timeoutMs: 90_000 });
    expect(statuses(run)).toEqual({
      'sum.test.js > sum > zero': 'passed',
      'sum.test.js > sum > adds': 'failed',
      'sum.test.js > top level': 'passed',
    });
    expect(run.tests.find((t) => t.status === 'failed')!.message).toContain('expected -1 to be 3');
    const only = await runTests('npm test', 'vitest', { cwd: dir, timeoutMs: 90_000, only: ['sum.test.js > top level'] });
    expect(statuses(only)).toEqual({ 'sum.test.js > top level': 'passed' });
    expect(only.exitCode).toBe(0);
  });
});

describe('runners that would not exit', () => {
  it('mocha and jest with a handle left open end when the tests do (--exit, --forceExit), results read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-run-open-handle-'));
    dirs.push(dir);
    linkOwnNodeModules(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p' }));
    writeFileSync(join(dir, 'lib.js'), 'module.exports = { inc: (x) => x + 2 };\n');
    const body = "const assert = require('assert');\nconst { inc } = require('./lib');\nsetInterval(() => {}, 1000);\nit('inc', () => assert.strictEqual(inc(1), 2));\nit('zero', () => assert.strictEqual(inc(-2), 0));\n";
    writeFileSync(join(dir, 'a.test.js'), body);
    for (const [cmd, runner] of [['npx mocha a.test.js', 'mocha'], ['npx jest', 'jest']] as const) {
      const run = await runTests(cmd, runner, { cwd: dir, timeoutMs: 45_000 });
      expect(run.timedOut, `${runner}: ${run.output}`).toBe(false);
      expect(Object.values(statuses(run)).sort()).toEqual(['failed', 'passed']);
    }
  }, 120_000);
});
