/**
 * validate: write each candidate of the batch into the workspace, run the tests that failed in
 * the baseline first (cheap rejection), then the whole command, and compare against the
 * BASELINE: a candidate passes when every test that failed before now passes and nothing that
 * passed before now fails. The file is reset after every try.
 *
 * Mutation batches stop at the first passing candidate (the queue is ordered cheapest first).
 * A batch of model candidates (`operator: 'llm'`, the samples of one llm round) is validated
 * whole, and the patch is chosen among the passing ones by majority vote over normalized patches,
 * then the smallest (pickByVote, src/debug/edits.ts; a candidate's `votes` counts the identical
 * samples behind it). Either way it stops when the budget runs out.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { hasSyntaxError, languageOf } from '../../../debug/ast.js';
import { pickByVote } from '../../../debug/edits.js';
import { runTests } from '../../../debug/run-tests.js';
import type { Candidate, TestRun } from '../../../debug/types.js';
import {
  candidateTimeoutMs,
  isTestFile,
  progress,
  remainingMs,
  runTimeoutMs,
  signalOf,
  type DebugState,
  type DebugUpdate,
  type PassingPatch,
  type TestCounts,
  type TriedCandidate,
  type Verdict,
} from '../state.js';

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
  // A run that fails without per-test results (crash, timeout, collection error) counts as one failure.
  if (failed === 0 && run.tests.length === 0 && (run.timedOut || run.exitCode !== 0)) failed = 1;
  return { passed, failed };
}

/**
 * Compare a run after a candidate with the baseline. `only` marks a run restricted to the
 * baseline's failing tests (then regressions cannot be judged, only fixes).
 */
export function judge(baseline: TestRun, after: TestRun, only = false): Judgement {
  if (after.timedOut) return { verdict: 'timeout', detail: `timed out after ${Math.round(after.durationMs / 1000)} s` };
  const failedBefore = baseline.tests.filter((t) => t.status === 'failed').map((t) => t.id);
  const passedBefore = baseline.tests.filter((t) => t.status === 'passed').map((t) => t.id);
  if (baseline.tests.length > 0 && after.tests.length > 0) {
    const status = new Map(after.tests.map((t) => [t.id, t.status]));
    const still = failedBefore.filter((id) => status.get(id) !== 'passed');
    if (still.length > 0) return { verdict: 'still-failing', detail: `${still[0]} still fails` };
    if (only) return { verdict: 'passed', detail: 'the failing tests pass' };
    const broken = passedBefore.filter((id) => {
      const s = status.get(id);
      return s === 'failed' || s === undefined;
    });
    if (broken.length > 0) return { verdict: 'regression', detail: `${broken[0]} passed before and fails now` };
    return { verdict: 'passed', detail: 'every failing test passes, no regression' };
  }
  // No per-test results on one side: fall back to the exit code.
  if (after.exitCode === 0 && after.failed === 0) return { verdict: 'passed', detail: 'the test command succeeds' };
  if (after.passed < baseline.passed) {
    return { verdict: 'regression', detail: `${baseline.passed - after.passed} fewer passing tests (exit ${after.exitCode})` };
  }
  return { verdict: 'still-failing', detail: `the test command still fails (exit ${after.exitCode})` };
}

/**
 * The baseline hung: time one run of the tests that passed in the instrumented run (they finish),
 * to size the leash of candidate runs. Null when there is no such test.
 */
async function calibrate(state: DebugState, signal: AbortSignal | undefined): Promise<number | null> {
  const ws = state.workspace;
  const passing = (state.baseline?.tests ?? []).filter((t) => t.status === 'passed').map((t) => t.id);
  if (!ws || passing.length === 0) return null;
  const run = await runTests(state.input.testCommand, state.runner, {
    cwd: ws.dir,
    env: state.runEnv,
    timeoutMs: Math.min(runTimeoutMs(state), Math.max(5000, state.input.testTimeoutMs / 2)),
    only: passing.slice(0, 20),
    ...(signal ? { signal } : {}),
  });
  // Timed out too (a slow or loaded machine): a healthy run takes at least that long.
  return run.durationMs;
}

/** How much of a failed run's output is kept for the model's next round. */
export const FEEDBACK_CHARS = 3000;

/** The first and last parts of a long text (a failing test's name can sit at the top of a long dump). */
export function headAndTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.floor(max / 3);
  return `${text.slice(0, head)}\n[… ${text.length - max} characters cut …]\n${text.slice(text.length - (max - head))}`;
}

/** True for a batch of model candidates: every one is validated, then the vote picks. */
export function validatesWholeBatch(batch: readonly Candidate[]): boolean {
  return batch.length > 0 && batch.every((c) => c.operator === 'llm');
}

/**
 * The patch to keep among passing ones: the majority over normalized patches (each weighted by
 * its candidate's `votes`), then the smallest. Undefined when none passed.
 */
export function chooseAmongPassing(passing: readonly PassingPatch[]): PassingPatch | undefined {
  if (passing.length <= 1) return passing[0];
  const ballots = passing.flatMap((p) => Array.from({ length: Math.max(1, p.candidate.votes ?? 1) }, () => p));
  const lang = languageOf(passing[0]!.candidate.file) ?? undefined;
  return pickByVote(ballots, lang);
}

export async function validate(state: DebugState, config: LangGraphRunnableConfig): Promise<DebugUpdate> {
  const ws = state.workspace;
  const baseline = state.baseline;
  if (!ws || !baseline) return { batch: [], outcome: 'error', error: 'validate: no workspace or baseline' };
  const signal = signalOf(config);
  const tried: TriedCandidate[] = [];
  const notes: string[] = [];
  let best: PassingPatch | null = null;
  const failingIds = state.failing.map((t) => t.id);
  const canSelect = failingIds.length > 0 && state.runner !== 'unknown';
  let healthyRunMs = state.healthyRunMs;
  if (baseline.timedOut && canSelect && healthyRunMs === null) {
    healthyRunMs = await calibrate(state, signal);
    if (healthyRunMs !== null) {
      progress(config, { stage: 'validate', message: `the tests that finish take ${(healthyRunMs / 1000).toFixed(1)} s` });
    }
  }
  const timing = { ...state, healthyRunMs };
  const wholeBatch = validatesWholeBatch(state.batch);
  const passing: PassingPatch[] = [];

  for (const cand of state.batch) {
    if (signal?.aborted) break;
    if (remainingMs(state) < 1000) {
      notes.push(`budget of ${state.input.maxSeconds} s used up with candidates left`);
      break;
    }
    const n = state.tried.length + tried.length + 1;
    progress(config, {
      stage: 'validate',
      message: `candidate ${n} of ${state.produced}: ${cand.file}:${cand.line} ${cand.description}`,
      current: n,
      total: state.produced,
    });
    const started = Date.now();
    const record = (verdict: Verdict, detail: string, after?: TestCounts, run?: TestRun): TriedCandidate => {
      const t: TriedCandidate = {
        file: cand.file,
        line: cand.line,
        operator: cand.operator,
        description: cand.description,
        verdict,
        detail,
        ms: Date.now() - started,
      };
      if (after) t.after = after;
      // What the model's patch did to the tests goes back to the model (repairer's next round).
      if (run && cand.operator === 'llm' && verdict !== 'passed') t.output = headAndTail(run.output, FEEDBACK_CHARS);
      tried.push(t);
      return t;
    };

    if (isTestFile(cand.file)) {
      record('error', 'test files are never patched');
      continue;
    }
    const lang = languageOf(cand.file) ?? state.language ?? 'python';
    if (await hasSyntaxError(lang, cand.newSource, cand.file).catch(() => false)) {
      record('syntax-error', 'the candidate does not parse');
      continue;
    }

    try {
      await writeFile(join(ws.dir, cand.file), cand.newSource);
      const opts = { cwd: ws.dir, env: state.runEnv, ...(signal ? { signal } : {}) };
      if (canSelect) {
        const first = await runTests(state.input.testCommand, state.runner, {
          ...opts,
          timeoutMs: candidateTimeoutMs(timing, true),
          only: failingIds,
        });
        if (signal?.aborted) break;
        const j = judge(baseline, first, true);
        if (j.verdict !== 'passed') {
          record(j.verdict, j.detail, undefined, first);
          continue;
        }
      }
      const full = await runTests(state.input.testCommand, state.runner, { ...opts, timeoutMs: candidateTimeoutMs(timing, false) });
      if (signal?.aborted) break;
      const j = judge(baseline, full);
      const after = countsOf(full);
      const t = record(j.verdict, j.detail, after, full);
      if (t.verdict === 'passed') {
        const patch = await ws.diff();
        passing.push({ candidate: cand, patch, after });
        progress(config, { stage: 'validate', message: `candidate ${n} passes: ${cand.file}:${cand.line} ${cand.description}` });
        if (!wholeBatch) break;
      }
    } catch (error) {
      record('error', error instanceof Error ? error.message.split('\n')[0]! : String(error));
    } finally {
      await ws.reset(cand.file).catch(() => undefined);
    }
  }
  best = chooseAmongPassing(passing) ?? null;
  if (best && passing.length > 1) {
    const votes = passing.filter((p) => p === best).reduce((n, p) => n + (p.candidate.votes ?? 1), 0);
    progress(config, {
      stage: 'validate',
      message: `${passing.length} model patches pass; chosen by vote: ${best.candidate.file}:${best.candidate.line} ${best.candidate.description} (${votes} vote${votes === 1 ? '' : 's'})`,
    });
  }
  const update: DebugUpdate = { batch: [], tried, notes, healthyRunMs };
  if (best) update.best = best;
  return update;
}
