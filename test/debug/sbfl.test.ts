import { describe, expect, it } from 'vitest';
import { ochiai, rankBySbfl } from '../../src/debug/sbfl.js';
import type { CoverageMatrix, FunctionSpan } from '../../src/debug/types.js';

function matrix(tests: [string, boolean][], lines: Record<string, number[]>): CoverageMatrix {
  return { tests: tests.map(([id, failed]) => ({ id, failed })), lines: new Map(Object.entries(lines)) };
}

describe('rankBySbfl (Ochiai)', () => {
  // t0, t1 fail; t2, t3 pass.
  const m = matrix(
    [
      ['t0', true],
      ['t1', true],
      ['t2', false],
      ['t3', false],
    ],
    {
      'a.py:1': [0, 1, 2, 3], // ef 2, ep 2 → 2/sqrt(2*4) = 0.7071
      'a.py:2': [0, 1], // ef 2, ep 0 → 1
      'a.py:3': [0, 2], // ef 1, ep 1 → 1/sqrt(2*2) = 0.5
      'a.py:4': [2, 3], // never in a failing test: excluded
      'b.py:7': [1], // ef 1, ep 0 → 1/sqrt(2) = 0.7071
      'a.py:9': [0, 1, 2], // ef 2, ep 1 → 2/sqrt(6) = 0.8165
    },
  );

  it('computes the formula', () => {
    expect(ochiai(2, 0, 2)).toBe(1);
    expect(ochiai(1, 1, 2)).toBeCloseTo(0.5);
    expect(ochiai(0, 3, 2)).toBe(0);
    expect(ochiai(0, 0, 0)).toBe(0);
  });

  it('ranks lines, breaks ties by fewer passing covers then file/line, excludes lines no failing test ran', () => {
    const r = rankBySbfl(m);
    expect(r.map((x) => `${x.file}:${x.line}`)).toEqual(['a.py:2', 'a.py:9', 'b.py:7', 'a.py:1', 'a.py:3']);
    expect(r[0]).toMatchObject({ score: 1, failedCover: 2, passedCover: 0 });
    expect(r[1]!.score).toBeCloseTo(2 / Math.sqrt(6), 10);
    // b.py:7 and a.py:1 tie on 0.7071: fewer passing covers (0 vs 2) first.
    expect(r[2]!.score).toBeCloseTo(r[3]!.score, 10);
    expect(r[2]!.passedCover).toBe(0);
    expect(r[4]).toMatchObject({ file: 'a.py', line: 3, score: 0.5, failedCover: 1, passedCover: 1 });
  });

  it('honours top, sorts equal scores by file then line, and fills function names', () => {
    const fns: FunctionSpan[] = [{ file: 'a.py', name: 'f', startLine: 1, endLine: 5, signature: 'def f()' }];
    const r = rankBySbfl(
      matrix(
        [
          ['x', true],
          ['y', false],
        ],
        { 'b.py:1': [0], 'a.py:3': [0], 'a.py:2': [0], 'a.py:10': [0, 1] },
      ),
      { top: 3, functions: fns },
    );
    expect(r.map((x) => `${x.file}:${x.line}`)).toEqual(['a.py:2', 'a.py:3', 'b.py:1']);
    expect(r[0]!.functionName).toBe('f');
    expect(r[2]!.functionName).toBeUndefined();
  });

  it('returns nothing when no test failed', () => {
    expect(rankBySbfl(matrix([['p', false]], { 'a.py:1': [0] }))).toEqual([]);
  });
});
