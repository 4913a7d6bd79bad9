import { describe, expect, it } from 'vitest';
import { changedLines, expectedVsActual, explainOffline, valuesAt, type ExplainInput } from '../../agents/explainer/offline.js';
import type { TestRun, VariableTrace } from '../../src/debug/types.js';

const PYTEST_MSG = [
  'def test_ten():',
  '>       assert sieve(10) == [2, 3, 5, 7]',
  'E       assert [2, 3, 4, 5, 6, 7, 8, 9] == [2, 3, 5, 7]',
  'E         At index 2 diff: 4 != 5',
  '',
  'tests/test_sieve.py:5: AssertionError',
].join('\n');

const baseline: TestRun = {
  command: 'python3 -m pytest -q',
  runner: 'pytest',
  exitCode: 1,
  timedOut: false,
  durationMs: 400,
  tests: [],
  passed: 2,
  failed: 1,
  output: '',
};

const trace: VariableTrace = {
  test: 'tests/test_sieve.py::test_ten',
  steps: [
    { file: 'sieve.py', line: 5, function: 'sieve', locals: { i: '2', n: '10' } },
    { file: 'sieve.py', line: 5, function: 'sieve', locals: { i: '3', n: '10' } },
    { file: 'sieve.py', line: 6, function: 'sieve', locals: { i: '3', n: '10' } },
  ],
  truncated: false,
  outcome: 'AssertionError: assert [2, 3, 4] == [2, 3]',
};

const PATCH = `diff --git a/sieve.py b/sieve.py
--- a/sieve.py
+++ b/sieve.py
@@ -4,3 +4,3 @@
     for i in range(2, n):
-        if not is_prime[i]:
+        if is_prime[i]:
             for j in range(i * i, n, i):
`;

function input(fixed: boolean): ExplainInput {
  return {
    testCommand: 'python3 -m pytest -q',
    baseline,
    failing: [{ id: 'tests/test_sieve.py::test_ten', name: 'test_ten', status: 'failed', message: PYTEST_MSG }],
    suspects: [{ file: 'sieve.py', line: 5, score: 1, why: 'executed by 1 of 1 failing test and 0 passing tests', functionName: 'sieve' }],
    trace,
    best: fixed
      ? {
          candidate: { file: 'sieve.py', line: 5, operator: 'negate-condition', description: "line 5: drop 'not'", newSource: '', priority: 1 },
          patch: PATCH,
          after: { passed: 3, failed: 0 },
        }
      : null,
    tried: fixed
      ? []
      : [{ file: 'sieve.py', line: 5, operator: 'swap-comparison', description: "'<' → '<='", verdict: 'still-failing', detail: 'test_ten still fails', ms: 300 }],
    ...(fixed ? {} : { stopReason: 'no candidate patch left to try' }),
  };
}

describe('expected vs actual', () => {
  it('reads pytest assertions (left = actual)', () => {
    expect(expectedVsActual(PYTEST_MSG)).toEqual({ expected: '[2, 3, 5, 7]', actual: '[2, 3, 4, 5, 6, 7, 8, 9]' });
  });

  it('reads an exception raised inside the asserted call', () => {
    const msg = '>       assert gcd(7, 7) == 7\nE   RecursionError: maximum recursion depth exceeded';
    expect(expectedVsActual(msg)).toEqual({ expected: '7', actual: 'gcd(7, 7) raises RecursionError: maximum recursion depth exceeded' });
  });

  it('shows the values behind the names the assert uses (pytest --showlocals)', () => {
    const msg = [
      'def test_kth():',
      '        arr = [3, 1, 2]',
      '        k = 1',
      '        expected = 2',
      '>       assert kth(arr, k) == expected',
      '',
      'arr        = [3, 1, 2]',
      'expected   = 2',
      'k          = 1',
      '',
      'tests/test_kth.py:7: ',
      '    def kth(arr, k):',
      '>       return sorted(arr)[k+10]',
      'E       IndexError: list index out of range',
      '',
      'arr        = [3, 1, 2]',
      'k          = 1',
    ].join('\n');
    expect(expectedVsActual(msg)).toEqual({ expected: '2', actual: 'kth([3, 1, 2], 1) raises IndexError: list index out of range' });
  });

  it('reads node:assert and jest messages', () => {
    expect(expectedVsActual('Expected values to be strictly equal:\n\ntrue !== false\n')).toEqual({ expected: 'false', actual: 'true' });
    expect(expectedVsActual('expect(received).toBe(expected)\n\nExpected: 4\nReceived: 3')).toEqual({ expected: '4', actual: '3' });
  });
});

describe('the five-point explanation', () => {
  it('explains a fix: what fails, where, why, what changed, why that fixes it', () => {
    const md = explainOffline(input(true));
    for (const h of ['## 1. What fails', '## 2. Where', '## 3. Why', '## 4. What changed', '## 5. Why that fixes it']) expect(md).toContain(h);
    expect(md).toContain('tests/test_sieve.py::test_ten');
    expect(md).toContain('expected: `[2, 3, 5, 7]`');
    expect(md).toContain('`sieve.py:5` in `sieve` — 1.00');
    expect(md).toContain('`i = 3`');
    expect(md).toContain('before: `if not is_prime[i]:`');
    expect(md).toContain('after:  `if is_prime[i]:`');
    expect(md).toContain('the failing test now passes');
  });

  it('explains a failure: the first three points and what was tried', () => {
    const md = explainOffline(input(false));
    expect(md).toContain('## 3. Why');
    expect(md).toContain('## 4. What was tried');
    expect(md).not.toContain('What changed');
    expect(md).toContain('1 still-failing');
    expect(md).toContain('Stopped: no candidate patch left to try.');
  });

  it('explains a hanging baseline without per-test results', () => {
    const md = explainOffline({ ...input(false), failing: [], baseline: { ...baseline, timedOut: true, durationMs: 10_000, exitCode: null } });
    expect(md).toContain('does not finish');
  });

  it('finds the values at a line, and the changed lines of a diff', () => {
    expect(valuesAt(trace, 'sieve.py', 5).map((v) => v.locals.i)).toEqual(['2', '3']);
    expect(valuesAt(trace, 'sieve.py', 7).map((v) => v.line)).toEqual([6]);
    expect(changedLines(PATCH)).toEqual([{ file: 'sieve.py', before: ['        if not is_prime[i]:'], after: ['        if is_prime[i]:'] }]);
  });
});
