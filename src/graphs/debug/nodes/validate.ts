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
import { countsOf, judge, type Judgement } from '../../../debug/results/verdict.js';
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

/** The final confirmation: the user's own command, unchanged, must succeed. */
export function confirmExact(run: TestRun): Judgement {
  if (run.timedOut) return { verdict: 'timeout', detail: `the test command as given timed out after ${Math.round(run.durationMs / 1000)} s` };
  if (run.exitCode === 0) return { verdict: 'passed', detail: 'every failing test passes, no regression; the test command as given succeeds' };
  const failing = run.tests.filter((t) => t.status === 'failed').map((t) => t.id);
  return {
    verdict: failing.length > 0 ? 'regression' : 'incomplete',
    detail: `the test command as given still fails (exit ${run.exitCode}${failing.length > 0 ? `: ${failing[0]}` : ''})`,
  };
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
      let j = judge(baseline, full);
      const after = countsOf(full);
      if (j.verdict === 'passed') {
        // The last word goes to the user's command exactly as given (their -x, their wrapper).
        const exact = await runTests(state.input.testCommand, state.runner, { ...opts, exact: true, timeoutMs: candidateTimeoutMs(timing, false) });
        if (signal?.aborted) break;
        j = confirmExact(exact);
      }
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
