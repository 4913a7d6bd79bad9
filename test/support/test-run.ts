/** Test runs as the runners' result readers give them, for tests of the verdict and the debug nodes. */
import type { TestCase, TestRun } from '../../src/debug/types.js';

/** One test case whose id and name are the same. */
export const tc = (id: string, status: TestCase['status']): TestCase => ({ id, name: id, status });

/** A pytest run of these cases: exit 1 when one failed, counts from the cases. */
export function run(tests: TestCase[], extra: Partial<TestRun> = {}): TestRun {
  return {
    command: 'pytest',
    runner: 'pytest',
    exitCode: tests.some((t) => t.status === 'failed') ? 1 : 0,
    timedOut: false,
    durationMs: 500,
    tests,
    passed: tests.filter((t) => t.status === 'passed').length,
    failed: tests.filter((t) => t.status === 'failed').length,
    output: '',
    ...extra,
  };
}
