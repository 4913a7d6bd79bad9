import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectNodeCoverage, isJsTestPath, v8ToLines } from '../../src/debug/coverage-node.js';
import { collectPythonCoverage, matrixFromRecords } from '../../src/debug/coverage-python.js';
import { rankBySbfl } from '../../src/debug/sbfl.js';

const samples = join(import.meta.dirname, 'samples');
const temps: string[] = [];
function copySample(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `rd-cov-${name}-`));
  temps.push(dir);
  cpSync(join(samples, name), dir, { recursive: true });
  return dir;
}
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('Python coverage (rd_trace pytest plugin)', () => {
  it('records per-test lines and ranks the buggy line first', async () => {
    const dir = copySample('py-calc');
    const m = await collectPythonCoverage(dir, 'python3 -m pytest -q', { timeoutMs: 30_000 });
    expect(m.tests).toHaveLength(5);
    const failed = m.tests.filter((t) => t.failed).map((t) => t.id);
    expect(failed).toEqual(['tests/test_calc.py::test_count_inclusive_upper']);
    // test files never appear
    expect([...m.lines.keys()].every((k) => k.startsWith('calc.py:'))).toBe(true);
    const low = m.tests.findIndex((t) => t.id.endsWith('test_clamp_low'));
    expect(m.lines.get('calc.py:3')).toEqual([low]);
    expect(m.lines.get('calc.py:5')).toBeUndefined();
    const ranked = rankBySbfl(m);
    expect(ranked[0]).toMatchObject({ file: 'calc.py', line: 12, score: 1, failedCover: 1, passedCover: 0 });
  });

  it('survives an infinite loop: keeps finished tests, marks the hanging one failed with its lines', async () => {
    const dir = copySample('py-loop');
    const t0 = Date.now();
    const m = await collectPythonCoverage(dir, 'python3 -m pytest -q -x', { timeoutMs: 6_000, perTestTimeoutMs: 0 });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(m.timedOut).toBe(true);
    const byId = new Map(m.tests.map((t) => [t.id.split('::')[1], t.failed]));
    expect(byId.get('test_double')).toBe(false);
    expect(byId.get('test_find_first')).toBe(false);
    expect(byId.get('test_find_hangs')).toBe(true);
    expect(byId.has('test_zzz_never_runs')).toBe(false);
    const hang = m.tests.findIndex((t) => t.id.endsWith('test_find_hangs'));
    expect(m.lines.get('loopy.py:8')).toContain(hang); // `lo = mid`, the bug
    const ranked = rankBySbfl(m, { top: 3 });
    expect(ranked.map((r) => r.line)).toContain(8);
  });

  it('with a per-test limit, fails the hanging test and goes on with the next ones', async () => {
    const dir = copySample('py-loop');
    const m = await collectPythonCoverage(dir, 'python3 -m pytest -q', { timeoutMs: 20_000, perTestTimeoutMs: 1_500 });
    expect(m.timedOut).toBe(false);
    expect(m.tests.map((t) => [t.id.split('::')[1], t.failed])).toEqual([
      ['test_double', false],
      ['test_find_first', false],
      ['test_find_hangs', true],
      ['test_zzz_never_runs', false],
    ]);
    expect(rankBySbfl(m)[0]).toMatchObject({ line: 8, score: 1 });
  });

  it('reads partial and final records (final wins; partial-only means failed)', () => {
    const text = [
      '{"id":"a","outcome":"passed","partial":true,"lines":{"m.py":[1]}}',
      '{"id":"a","outcome":"passed","partial":false,"lines":{"m.py":[1,2]}}',
      '{"id":"b","outcome":"passed","partial":true,"lines":{"m.py":[3]}}',
      '{"id":"c","outcome":"skipped","partial":false,"lines":{}}',
      '{"id":"d","outco',
    ].join('\n');
    const m = matrixFromRecords(text);
    expect(m.tests).toEqual([
      { id: 'a', failed: false },
      { id: 'b', failed: true },
    ]);
    expect(m.lines.get('m.py:2')).toEqual([0]);
    expect(m.lines.get('m.py:3')).toEqual([1]);
  });
});

describe('Node coverage (V8, node:test)', () => {
  it('converts nested V8 ranges to executed lines (innermost wins)', () => {
    const src = 'function f(a) {\n  if (a) {\n    return 1;\n  }\n  return 2;\n}\nf(1);\n';
    const lines = v8ToLines(src, [
      { functionName: '', isBlockCoverage: true, ranges: [{ startOffset: 0, endOffset: src.length, count: 1 }] },
      {
        functionName: 'f',
        isBlockCoverage: true,
        ranges: [
          { startOffset: 0, endOffset: src.indexOf('\nf(1)'), count: 1 },
          { startOffset: src.indexOf('\n  return 2'), endOffset: src.indexOf('\nf(1)') - 1, count: 0 },
        ],
      },
    ]);
    expect(lines).toEqual([1, 2, 3, 4, 6, 7]);
  });

  it('tells test files apart', () => {
    expect(isJsTestPath('test/a.js')).toBe(true);
    expect(isJsTestPath('src/a.test.mjs')).toBe(true);
    expect(isJsTestPath('src/__tests__/x.js')).toBe(true);
    expect(isJsTestPath('src/lib.js')).toBe(false);
  });

  it('collects per-test coverage with node --test and ranks the buggy line first', async () => {
    const dir = copySample('js-stats');
    const m = await collectNodeCoverage(dir, 'node --test', 'node-test', { timeoutMs: 30_000 });
    expect(m.tests).toHaveLength(4);
    expect(m.tests.filter((t) => t.failed)).toHaveLength(1);
    expect(m.tests.find((t) => t.failed)!.id).toContain('maxIndex finds the largest');
    expect([...m.lines.keys()].every((k) => k.startsWith('stats.js:'))).toBe(true);
    const ranked = rankBySbfl(m);
    expect(ranked[0]).toMatchObject({ file: 'stats.js', line: 13, score: 1 });
  });

  it('falls back to per-file entries above the run cap', async () => {
    const dir = copySample('js-stats');
    const m = await collectNodeCoverage(dir, 'node --test', 'node-test', { timeoutMs: 30_000, maxRuns: 2 });
    expect(m.tests).toEqual([{ id: 'test/stats.test.js', failed: true }]);
    expect(m.lines.has('stats.js:13')).toBe(true);
  });
});
