/**
 * What a test run says about a candidate patch, compared with the baseline run. "Fixed" is a
 * strong claim, so the judgement is strict:
 *  - every test that failed in the baseline must be SEEN passing; one that did not run (the
 *    runner crashed, a module stopped loading, the run was cut short) is not fixed;
 *  - any failing test that was not failing in the baseline is a regression, also one that did
 *    not run in the baseline;
 *  - fewer tests than the baseline, a crash exit code, unreadable results or a run cut short
 *    make the run incomplete, never a pass;
 *  - with per-test results, a full run must also exit 0.
 * Without per-test results on the baseline side, only the exit code can speak: 0 is a pass.
 */
import type { TestCounts, TestRun, Verdict } from '../types.js';

export interface Judgement {
  verdict: Verdict;
  detail: string;
}

/** Counts for the report: per-test results when there are any, else the runner's totals. */
export function countsOf(run: TestRun): TestCounts {
  let { passed, failed } = run;
  if (run.tests.length > 0) {
    passed = run.tests.filter((t) => t.status === 'passed').length;
    failed = run.tests.filter((t) => t.status === 'failed').length;
  }
  // A run that fails without a failing test (crash, timeout, collection error) counts as one failure.
  if (failed === 0 && (run.timedOut || run.exitCode !== 0)) failed = 1;
  return { passed, failed };
}

/**
 * Exit codes that mean the runner itself gave up rather than reporting failing tests: killed by
 * a signal, pytest's interrupted (2) / internal error (3) / usage error (4) / nothing collected (5).
 */
export function crashReason(run: TestRun): string | null {
  if (run.timedOut) return null;
  if (run.exitCode === null) return 'the test runner was killed';
  if (run.exitCode >= 128) return `the test runner died (exit ${run.exitCode})`;
  if (run.runner === 'pytest' && run.exitCode >= 2 && run.exitCode <= 5) {
    const what = ['', '', 'was interrupted', 'hit an internal error', 'could not start (usage error)', 'collected no tests'][run.exitCode];
    return `pytest ${what} (exit ${run.exitCode})`;
  }
  return null;
}

const ran = (run: TestRun) => run.tests.filter((t) => t.status !== 'skipped').length;

/**
 * Compare a run after a candidate with the baseline. `only` marks a run restricted to the
 * baseline's failing tests (then regressions cannot be judged, only fixes).
 */
export function judge(baseline: TestRun, after: TestRun, only = false): Judgement {
  if (after.timedOut) return { verdict: 'timeout', detail: `timed out after ${Math.round(after.durationMs / 1000)} s` };
  if (after.cutShort) return { verdict: 'incomplete', detail: `the run was cut short: ${after.cutShort}` };
  const crash = crashReason(after);
  if (crash) return { verdict: 'incomplete', detail: crash };

  if (baseline.tests.length === 0) {
    // No per-test results to compare: the exit code is all there is.
    if (after.exitCode === 0 && countsOf(after).failed === 0) return { verdict: 'passed', detail: 'the test command succeeds' };
    return { verdict: 'still-failing', detail: `the test command still fails (exit ${after.exitCode})` };
  }
  if (after.tests.length === 0) {
    return { verdict: 'incomplete', detail: `no test results could be read (exit ${after.exitCode}): the suite may not load` };
  }

  const status = new Map(after.tests.map((t) => [t.id, t.status]));
  const failedBefore = baseline.tests.filter((t) => t.status === 'failed').map((t) => t.id);
  const vanished = failedBefore.filter((id) => !status.has(id));
  if (vanished.length > 0) {
    return { verdict: 'incomplete', detail: `${vanished[0]} did not run${vanished.length > 1 ? ` (nor ${vanished.length - 1} more failing test${vanished.length > 2 ? 's' : ''})` : ''}: a vanished test is not a passing one` };
  }
  const still = failedBefore.filter((id) => status.get(id) !== 'passed');
  if (still.length > 0) return { verdict: 'still-failing', detail: `${still[0]} still ${status.get(still[0]!) === 'skipped' ? 'does not pass (skipped)' : 'fails'}` };
  if (only) return { verdict: 'passed', detail: 'the failing tests pass' };

  const before = new Map(baseline.tests.map((t) => [t.id, t.status]));
  const broken = after.tests.filter((t) => t.status === 'failed' && before.get(t.id) !== 'failed');
  if (broken.length > 0) {
    const b = broken[0]!;
    const was = before.get(b.id);
    const why = was === 'passed' ? 'passed before and fails now' : was === 'skipped' ? 'was skipped before and fails now' : 'did not run in the baseline and fails now';
    return { verdict: 'regression', detail: `${b.id} ${why}` };
  }
  const missing = baseline.tests.filter((t) => t.status === 'passed' && !status.has(t.id));
  if (missing.length > 0) return { verdict: 'regression', detail: `${missing[0]!.id} passed before and did not run` };
  if (ran(after) < ran(baseline)) return { verdict: 'incomplete', detail: `${ran(after)} tests ran, ${ran(baseline)} in the baseline` };
  if (after.exitCode !== 0) return { verdict: 'incomplete', detail: `every test passes but the test command exits ${after.exitCode}` };
  return { verdict: 'passed', detail: 'every failing test passes, no regression' };
}
