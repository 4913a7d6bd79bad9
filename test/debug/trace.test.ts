import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { functionsIn } from '../../src/debug/ast.js';
import { traceVariables } from '../../src/debug/trace-node.js';
import { REPO_ROOT } from '../support/git.js';

const samples = join(import.meta.dirname, 'samples');
const temps: string[] = [];
function copySample(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rd-trace-${name}-`));
  temps.push(dir);
  cpSync(join(samples, name), dir, { recursive: true });
  return dir;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('traceVariables — Python', () => {
  it('records locals at each line of the suspect function during the failing test', async () => {
    const dir = copySample('py-calc');
    const fns = (await functionsIn('calc.py', 'python', readFileSync(join(dir, 'calc.py'), 'utf8'))).filter((f) => f.name === 'count_in_range');
    expect(fns).toHaveLength(1);
    const t = await traceVariables(dir, 'python', 'python3 -m pytest -q', 'pytest', { id: 'tests/test_calc.py::test_count_inclusive_upper' }, fns, {
      timeoutMs: 30_000,
    });
    expect(t.test).toBe('tests/test_calc.py::test_count_inclusive_upper');
    expect(t.outcome).toMatch(/assert 2 == 3/);
    expect(t.truncated).toBe(false);
    // At the `if lo <= x < hi` line with x = 10, the counter is still 2: the 10 is not counted.
    const atIf = t.steps.filter((s) => s.line === 12);
    expect(atIf.map((s) => s.locals.x)).toEqual(['1', '5', '10']);
    expect(atIf[2]!.locals).toMatchObject({ xs: '[1, 5, 10]', lo: '0', hi: '10', n: '2' });
    const last = t.steps[t.steps.length - 1]!;
    expect(last).toMatchObject({ file: 'calc.py', function: 'count_in_range' });
    expect(last.locals['<return>']).toBe('2');
    // Only the asked-for function is traced.
    expect(t.steps.every((s) => s.function === 'count_in_range')).toBe(true);
  });

  it('never hangs: an infinite loop is cut at the timeout, keeps the first and last steps', async () => {
    const dir = copySample('py-loop');
    const fns = (await functionsIn('loopy.py', 'python', readFileSync(join(dir, 'loopy.py'), 'utf8'))).filter((f) => f.name === 'find');
    const t0 = Date.now();
    const t = await traceVariables(dir, 'python', 'python3 -m pytest -q', 'pytest', { id: 'tests/test_loopy.py::test_find_hangs' }, fns, {
      timeoutMs: 4_000,
      head: 20,
      tail: 10,
    });
    expect(Date.now() - t0).toBeLessThan(12_000);
    expect(t.outcome).toMatch(/Timeout/);
    expect(t.truncated).toBe(true);
    expect(t.steps).toHaveLength(30);
    // lo gets stuck at 1 while hi stays 2: the visible symptom of `lo = mid`.
    expect(t.steps.at(-1)!.locals).toMatchObject({ lo: '1', hi: '2' });
  });
});

describe('traceVariables — Node (inspector from a worker thread)', () => {
  it('records locals at each line of the suspect function during the failing node:test test', async () => {
    const dir = copySample('js-stats');
    const fns = (await functionsIn('stats.js', 'javascript', readFileSync(join(dir, 'stats.js'), 'utf8'))).filter((f) => f.name === 'maxIndex');
    expect(fns).toHaveLength(1);
    const t = await traceVariables(
      dir,
      'javascript',
      'node --test',
      'node-test',
      { id: 'test/stats.test.js > maxIndex finds the largest', file: 'test/stats.test.js' },
      fns,
      { timeoutMs: 30_000 },
    );
    expect(t.outcome).toMatch(/0 !== 1/);
    const atIf = t.steps.filter((s) => s.line === 13);
    expect(atIf.map((s) => s.locals.i)).toEqual(['1', '2']);
    expect(atIf[0]!.locals).toMatchObject({ xs: '[1, 9, 3]', best: '0' });
    expect(t.steps.every((s) => s.file === 'stats.js' && s.function === 'maxIndex')).toBe(true);
    // The user's sample is untouched.
    expect(readFileSync(join(samples, 'js-stats', 'stats.js'), 'utf8')).toBe(readFileSync(join(dir, 'stats.js'), 'utf8'));
  });
});

describe('traceVariables — TypeScript through a loader (tsx): lines from the source map', () => {
  it('records locals and this.fields at the TypeScript lines, not the generated ones', async () => {
    const dir = copySample('ts-window');
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    const fns = (await functionsIn('window.mts', 'typescript', readFileSync(join(dir, 'window.mts'), 'utf8'))).filter((f) => f.name === 'Recent.at');
    expect(fns).toHaveLength(1);
    const t = await traceVariables(dir, 'typescript', 'node --import=tsx --test test/window.spec.mts', 'node-test', { id: 'test/window.spec.mts > the oldest value is at 0', file: 'test/window.spec.mts' }, fns, {
      timeoutMs: 30_000,
    });
    expect(t.outcome).toMatch(/3 !== 2|Expected values/);
    const lines = new Set(t.steps.map((s) => s.line));
    // The body of at() is lines 14-15 of window.mts.
    expect([...lines].every((l) => l >= 13 && l <= 16)).toBe(true);
    const at15 = t.steps.find((s) => s.line === 15);
    expect(at15?.locals).toMatchObject({ i: '0', index: '0', 'this.values': '[2, 3]', 'this.size': '2' });
  });
});

