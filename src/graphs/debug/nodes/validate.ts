/**
 * validate: try the batch's candidates, each written into an isolated copy: run the tests that
 * failed in the baseline first (cheap rejection), then the whole command, then the user's command
 * exactly as given; judge against the BASELINE (`judge`, src/debug/results/verdict.ts; the last
 * word goes to `confirmExact`). The file is reset after every try.
 *
 * A pool: with N jobs (`input.jobs`, default the available cores) N candidates run at once, each
 * in its own copy (the primary workspace plus clones of it, src/debug/workspace.ts
 * cloneWorkspace: own TMPDIR, own Python cache, dependencies linked as in the primary). Results
 * are recorded in the candidates' order, whatever order they finish in; progress still says
 * "candidate n of m" as each starts.
 *
 * Choosing (prefer correct over plausible): after the first passing mutation, a few more
 * candidates are validated (EXTRA_AFTER_PASS, within SELECTION_MS), each passing one is traced on
 * the passing tests, and the choice among them follows src/debug/repair/select.ts (no special
 * case for a test's constant, the smallest change of what the passing tests see, the smallest
 * edit, the likelier candidate). The others become the report's `alternatives`.
 * A batch of model candidates (`operator: 'llm'`, the samples of one llm round) is validated
 * whole, and the patch is chosen among them by majority vote over normalized patches, then the
 * smallest (pickByVote, src/debug/edits.ts). Either way it stops when the budget runs out.
 */
import { availableParallelism } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { hasSyntaxError, languageOf } from '../../../debug/ast.js';
import { pickByVote } from '../../../debug/edits.js';
import { behaviourDiff, choosePreferred, editSize, specialCaseLiterals, testLiterals, type Contender } from '../../../debug/repair/select.js';
import { countsOf, judge, type Judgement } from '../../../debug/results/verdict.js';
import { runTests } from '../../../debug/run-tests.js';
import { passingTestsToTrace, tracePassingTests } from '../../../debug/repair/behaviour.js';
import type { Candidate, TestRun, VariableTrace, Workspace } from '../../../debug/types.js';
import { cloneWorkspace } from '../../../debug/workspace.js';
import {
  analysisTimeoutMs,
  candidateTimeoutMs,
  isTestFile,
  progress,
  remainingMs,
  runTimeoutMs,
  signalOf,
  type Alternative,
  type DebugState,
  type DebugUpdate,
  type PartialFix,
  type PassingPatch,
  type TestCounts,
  type TriedCandidate,
  type Verdict,
} from '../state.js';

/** After the first passing mutation, validate this many more before choosing. */
export const EXTRA_AFTER_PASS = 4;
/** …and spend at most this long on them (or a third of the budget left, if less). */
export const SELECTION_MS = 20_000;
/** Below this much budget, choose now among what passed. */
const CHOOSE_NOW_MS = 5_000;

/** The parallel copies of each primary workspace (created on first need, removed with it). */
const pools = new WeakMap<Workspace, Workspace[]>();

/** How many candidates to validate at once: `jobs` when given, else the available cores. */
export function jobsFor(input: { jobs?: number }): number {
  const n = input.jobs ?? availableParallelism();
  return Math.max(1, Math.floor(n));
}

/** The primary copy and up to `n - 1` clones of it (fewer if a clone cannot be made). */
async function copiesFor(ws: Workspace, n: number, note: (m: string) => void): Promise<Workspace[]> {
  let pool = pools.get(ws);
  if (!pool) pools.set(ws, (pool = []));
  while (pool.length < n - 1) {
    try {
      pool.push(await cloneWorkspace(ws));
    } catch (error) {
      note(`a parallel copy could not be made (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); validating with ${pool.length + 1}`);
      break;
    }
  }
  return [ws, ...pool.slice(0, n - 1)];
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

interface Outcome {
  tried: TriedCandidate;
  passing?: PassingPatch;
  partial?: PartialFix;
}

/** Trace the baseline's passing tests over the suspect functions in `dir` (under a patch when given). */
export async function tracePassing(
  state: DebugState,
  dir: string,
  patched: { file: string; newSource: string } | null,
  signal?: AbortSignal,
): Promise<VariableTrace | null> {
  return tracePassingTests({
    dir,
    language: state.language ?? 'python',
    testCommand: state.input.testCommand,
    runner: state.runner,
    tests: passingTestsToTrace(state.baseline?.tests ?? [], state.failing),
    functions: state.suspectFunctions,
    patched,
    timeoutMs: analysisTimeoutMs(state),
    env: state.runEnv,
    ...(signal ? { signal } : {}),
  });
}

/** Validate one candidate in one copy (the file is reset afterwards, whatever happens). */
async function validateOne(
  state: DebugState,
  cand: Candidate,
  ws: Workspace,
  timing: DebugState & { concurrency?: number },
  signal: AbortSignal | undefined,
): Promise<Outcome | null> {
  const started = Date.now();
  const baseline = state.baseline!;
  const failingIds = state.failing.map((t) => t.id);
  const canSelect = failingIds.length > 0 && state.runner !== 'unknown';
  const make = (verdict: Verdict, detail: string, after?: TestCounts, run?: TestRun): TriedCandidate => {
    const t: TriedCandidate = { file: cand.file, line: cand.line, operator: cand.operator, description: cand.description, verdict, detail, ms: Date.now() - started };
    if (after) t.after = after;
    // What the model's patch did to the tests goes back to the model (repairer's next round).
    if (run && cand.operator === 'llm' && verdict !== 'passed') t.output = headAndTail(run.output, FEEDBACK_CHARS);
    return t;
  };
  if (isTestFile(cand.file)) return { tried: make('error', 'test files are never patched') };
  const lang = languageOf(cand.file) ?? state.language ?? 'python';
  if (await hasSyntaxError(lang, cand.newSource, cand.file).catch(() => false)) return { tried: make('syntax-error', 'the candidate does not parse') };

  // The copy's own temp folder and Python cache (a clone), on top of the run's environment.
  const env = { ...state.runEnv, ...(ws.env ?? {}) };
  try {
    await writeFile(join(ws.dir, cand.file), cand.newSource);
    const opts = { cwd: ws.dir, env, ...(signal ? { signal } : {}) };
    let partial: PartialFix | undefined;
    if (canSelect) {
      const first = await runTests(state.input.testCommand, state.runner, { ...opts, timeoutMs: candidateTimeoutMs(timing, true), only: failingIds });
      if (signal?.aborted) return null;
      const j = judge(baseline, first, true);
      if (j.verdict !== 'passed') {
        // Some of the failing tests pass now: half of a two-edit fix, maybe.
        const passed = failingIds.filter((id) => first.tests.some((t) => t.id === id && t.status === 'passed'));
        if (passed.length > 0 && passed.length < failingIds.length && cand.operator !== 'llm') partial = { candidate: cand, fixes: passed };
        return { tried: make(j.verdict, j.detail, undefined, first), ...(partial ? { partial } : {}) };
      }
    }
    const full = await runTests(state.input.testCommand, state.runner, { ...opts, timeoutMs: candidateTimeoutMs(timing, false) });
    if (signal?.aborted) return null;
    let j = judge(baseline, full);
    const after = countsOf(full);
    if (j.verdict === 'passed') {
      // The last word goes to the user's command exactly as given (their -x, their wrapper).
      const exact = await runTests(state.input.testCommand, state.runner, { ...opts, exact: true, timeoutMs: candidateTimeoutMs(timing, false) });
      if (signal?.aborted) return null;
      j = confirmExact(exact);
    }
    const tried = make(j.verdict, j.detail, after, full);
    if (tried.verdict !== 'passed') return { tried };
    const patch = await ws.diff();
    return { tried, passing: { candidate: cand, patch, after, roundTrip: state.explainerRoundTrips } };
  } catch (error) {
    return { tried: make('error', error instanceof Error ? error.message.split('\n')[0]! : String(error)) };
  } finally {
    await ws.reset(cand.file).catch(() => undefined);
  }
}

/** Test files of the run (baseline ids), for the special-case rule. */
function testFiles(state: DebugState): string[] {
  const ids = [...(state.baseline?.tests ?? []), ...state.failing];
  return [...new Set(ids.map((t) => t.file ?? t.id.split('::')[0]!.split(' > ')[0]!).filter((f) => isTestFile(f)))];
}

/**
 * What the passing tests see under each patch, compared with what they saw before (the
 * repairer's passing trace): each patch written into a copy in turn, the copies in parallel.
 */
async function measureBehaviour(state: DebugState, passing: PassingPatch[], copies: Workspace[], signal: AbortSignal | undefined): Promise<void> {
  const before = state.passingTrace;
  if (!before || before.steps.length === 0) return;
  let next = 0;
  const worker = async (ws: Workspace) => {
    while (next < passing.length && !signal?.aborted && remainingMs(state) > CHOOSE_NOW_MS) {
      const p = passing[next++]!;
      if (p.behaviourChanges !== undefined) continue;
      try {
        await writeFile(join(ws.dir, p.candidate.file), p.candidate.newSource);
        const after = await tracePassing({ ...state, runEnv: { ...state.runEnv, ...(ws.env ?? {}) } }, ws.dir, p.candidate, signal);
        if (after && after.steps.length > 0) p.behaviourChanges = behaviourDiff(before, after);
      } finally {
        await ws.reset(p.candidate.file).catch(() => undefined);
      }
    }
  };
  await Promise.all(copies.map((c) => worker(c)));
}

/** Choose among the passing mutations (select.ts); the rest become alternatives. */
async function choose(
  state: DebugState,
  passing: PassingPatch[],
  copies: Workspace[],
  signal: AbortSignal | undefined,
): Promise<{ best: PassingPatch; alternatives: Alternative[] } | null> {
  if (passing.length === 0) return null;
  if (passing.length === 1) return { best: passing[0]!, alternatives: [] };
  const ws = state.workspace!;
  await measureBehaviour(state, passing, copies, signal);
  const literals = await testLiterals(ws.dir, testFiles(state)).catch(() => new Set<string>());
  const originals = new Map<string, string>();
  const contenders: (Contender & { patch: PassingPatch })[] = [];
  for (const [order, p] of passing.entries()) {
    let original = originals.get(p.candidate.file);
    if (original === undefined) {
      original = await readFile(join(ws.dir, p.candidate.file), 'utf8').catch(() => '');
      originals.set(p.candidate.file, original);
    }
    const c: Contender & { patch: PassingPatch } = {
      candidate: p.candidate,
      order,
      specialCase: specialCaseLiterals(original, p.candidate, literals),
      size: editSize(original, p.candidate),
      patch: p,
    };
    if (p.behaviourChanges !== undefined) c.behaviourChanges = p.behaviourChanges;
    contenders.push(c);
  }
  const choice = choosePreferred(contenders)!;
  return {
    best: choice.best.patch,
    alternatives: choice.others.map((o) => ({ candidate: o.contender.candidate, patch: o.contender.patch.patch, reason: o.reason })),
  };
}

export async function validate(state: DebugState, config: LangGraphRunnableConfig): Promise<DebugUpdate> {
  const ws = state.workspace;
  const baseline = state.baseline;
  if (!ws || !baseline) return { batch: [], outcome: 'error', error: 'validate: no workspace or baseline' };
  const signal = signalOf(config);
  const notes: string[] = [];
  const failingIds = state.failing.map((t) => t.id);
  const canSelect = failingIds.length > 0 && state.runner !== 'unknown';
  let healthyRunMs = state.healthyRunMs;
  const batch = state.batch;
  if (batch.length > 0 && baseline.timedOut && canSelect && healthyRunMs === null) {
    healthyRunMs = await calibrate(state, signal);
    if (healthyRunMs !== null) {
      progress(config, { stage: 'validate', message: `the tests that finish take ${(healthyRunMs / 1000).toFixed(1)} s` });
    }
  }
  const wholeBatch = validatesWholeBatch(batch);

  // How far into the batch to go: all of it, or (choosing) only the extra candidates left.
  let selection = state.selection;
  let limit = batch.length;
  if (selection && !wholeBatch) limit = Math.min(limit, Math.max(0, selection.left));
  const jobs = Math.min(jobsFor(state.input), Math.max(1, limit));
  const copies = limit > 0 ? await copiesFor(ws, jobs, (m) => notes.push(m)) : [ws];
  const timing = { ...state, healthyRunMs, concurrency: copies.length };
  if (copies.length > 1 && state.tried.length === 0) {
    progress(config, { stage: 'validate', message: `validating ${copies.length} candidates at a time, each in its own copy` });
  }

  const results: (Outcome | undefined)[] = [];
  let next = 0;
  let firstPass = -1;
  let stoppedForBudget = false;
  const worker = async (copy: Workspace) => {
    for (;;) {
      if (signal?.aborted) return;
      const i = next;
      if (i >= limit) return;
      if (selection && Date.now() > selection.until) return;
      if (remainingMs(state) < 1000) {
        stoppedForBudget = true;
        return;
      }
      next++;
      const cand = batch[i]!;
      const n = state.tried.length + i + 1;
      progress(config, { stage: 'validate', message: `candidate ${n} of ${state.produced}: ${cand.file}:${cand.line} ${cand.description}`, current: n, total: state.produced });
      const out = await validateOne(state, cand, copy, timing, signal);
      if (!out) return;
      results[i] = out;
      if (out.passing) {
        progress(config, { stage: 'validate', message: `candidate ${n} passes: ${cand.file}:${cand.line} ${cand.description}` });
        if (!wholeBatch && !selection && firstPass < 0) {
          // The first pass: a few more candidates, then the choice.
          firstPass = i;
          const until = Date.now() + Math.min(SELECTION_MS, Math.max(0, remainingMs(state) / 3));
          selection = { left: EXTRA_AFTER_PASS, until };
          limit = Math.min(limit, i + 1 + EXTRA_AFTER_PASS);
        }
      }
    }
  };
  await Promise.all(copies.map((c) => worker(c)));
  if (stoppedForBudget) notes.push(`budget of ${state.input.maxSeconds} s used up with candidates left`);

  // Recorded in the candidates' order, whatever order they finished in.
  const done = results.map((r, i) => ({ r, i })).filter((x): x is { r: Outcome; i: number } => !!x.r);
  const tried = done.map(({ r }) => r.tried);
  const partialFixes = done.flatMap(({ r }) => (r.partial ? [r.partial] : []));
  const newPassing = done.flatMap(({ r }) => (r.passing ? [r.passing] : []));
  // Candidates not started go back to the front of the queue.
  const unstarted = batch.slice(next);
  const update: DebugUpdate = { batch: [], tried, notes, healthyRunMs, partialFixes };
  const requeue = unstarted.length > 0 && !signal?.aborted && !stoppedForBudget;
  if (requeue) update.queue = [...unstarted, ...state.queue];

  if (wholeBatch) {
    const best = chooseAmongPassing(newPassing);
    if (best) {
      if (newPassing.length > 1) {
        const votes = newPassing.filter((p) => p === best).reduce((n, p) => n + (p.candidate.votes ?? 1), 0);
        progress(config, {
          stage: 'validate',
          message: `${newPassing.length} model patches pass; chosen by vote: ${best.candidate.file}:${best.candidate.line} ${best.candidate.description} (${votes} vote${votes === 1 ? '' : 's'})`,
        });
      }
      update.best = best;
      update.alternatives = newPassing.filter((p) => p !== best).map((p) => ({ candidate: p.candidate, patch: p.patch, reason: 'fewer votes among the model samples, or a larger patch' }));
      update.selection = null;
      update.passing = [];
      return update;
    }
  }

  // The mutations that passed so far (this explainer round trip's), and whether to choose now.
  const passing = [...state.passing.filter((p) => (p.roundTrip ?? 0) === state.explainerRoundTrips), ...newPassing.filter((p) => p.candidate.operator !== 'llm')];
  if (selection) {
    const validatedAfter = firstPass >= 0 ? done.filter((d) => d.i > firstPass).length : done.length;
    selection = { ...selection, left: selection.left - validatedAfter };
  }
  const queueLeft = (requeue ? unstarted.length : 0) + state.queue.length;
  const chooseNow =
    passing.length > 0 &&
    (batch.length === 0 ||
      !selection || selection.left <= 0 || Date.now() > selection.until || (state.repairExhausted && queueLeft === 0) || remainingMs(state) < CHOOSE_NOW_MS || signal?.aborted === true);
  if (chooseNow) {
    const choice = await choose(state, passing, await copiesFor(ws, Math.min(jobsFor(state.input), passing.length), (m) => notes.push(m)), signal);
    if (choice) {
      update.best = choice.best;
      update.alternatives = choice.alternatives;
      if (passing.length > 1) {
        const c = choice.best.candidate;
        progress(config, { stage: 'validate', message: `${passing.length} candidates pass; chosen: ${c.file}:${c.line} ${c.description}` });
      }
    }
    update.selection = null;
    update.passing = [];
  } else {
    update.passing = passing;
    update.selection = selection;
  }
  return update;
}
