/**
 * State of the debug graph (prepare → localize → repair ⇄ validate → explain → report), the
 * run-time context the nodes share (the optional model, progress, cancellation) and the few
 * helpers every node needs. Nodes return partial updates of DebugState; routing lives in index.ts.
 */
import { Annotation, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type {
  Candidate,
  CoverageMatrix,
  TestCounts,
  Verdict,
  FunctionSpan,
  Language,
  RankedLine,
  RunnerKind,
  TestCase,
  TestRun,
  VariableTrace,
  Workspace,
} from '../../debug/types.js';
import type { FixReport } from '../../model/fix-report.js';
import type { LlmClient } from '../../llm/types.js';

/** What the caller (the CLI, the benchmark, a test) asks for. */
export interface DebugInput {
  /** The user's project root (absolute). Never written to by the graph. */
  repo: string;
  /** The test command, run by a shell in the project root. */
  testCommand: string;
  /** Wall-clock budget of the whole run, in seconds. */
  maxSeconds: number;
  /** Upper bound for one run of the test command, in milliseconds. */
  testTimeoutMs: number;
  /**
   * Candidates validated at once, each in its own isolated copy (default: the available cores,
   * os.availableParallelism()). 1 validates one at a time in the primary copy.
   */
  jobs?: number;
}

export type Outcome = FixReport['outcome'];

/** A suspicious place in the code, ranked by the localizer. */
export interface Suspect {
  file: string;
  line: number;
  score: number;
  /** Enclosing function, when known. */
  functionName?: string;
  /** One sentence for humans: how the score came about. */
  why: string;
}

export type { TestCounts, Verdict } from '../../debug/types.js';

export interface TriedCandidate {
  file: string;
  line: number;
  operator: string;
  description: string;
  verdict: Verdict;
  /** Short reason, e.g. the first still-failing test. */
  detail: string;
  after?: TestCounts;
  /**
   * Head and tail of the test output of a run that did not pass (model candidates only), fed back
   * to the repairer's next model round.
   */
  output?: string;
  ms: number;
}

export interface PassingPatch {
  candidate: Candidate;
  /** Unified diff against the snapshot, paths relative to the repository root. */
  patch: string;
  after: TestCounts;
  /**
   * How many traced values of the suspect functions changed on the passing tests under this
   * patch (0 = the passing tests see exactly what they saw before); undefined when not measured.
   */
  behaviourChanges?: number;
  /** The explainer round trip it was found in (a re-check only chooses among its own). */
  roundTrip?: number;
}

/** A passing patch that was not chosen, and why (FixReport `alternatives`). */
export interface Alternative {
  candidate: Candidate;
  patch: string;
  reason: string;
}

/** A candidate that made some but not all of the baseline's failing tests pass (two-edit ingredient). */
export interface PartialFix {
  candidate: Candidate;
  /** The baseline failures it made pass. */
  fixes: string[];
}

/** The explainer's disagreement with a validated patch. */
export interface Disputed {
  file: string;
  line: number;
  /** The explainer's account of why (its `why` field), for the suspects' `why`. */
  reason: string;
}

/** Custom stream events (`streamMode: 'custom'`): one line of progress for the terminal. */
export interface ProgressEvent {
  stage: 'prepare' | 'localize' | 'repair' | 'validate' | 'explain' | 'report';
  message: string;
  /** `candidate n of m` while validating. */
  current?: number;
  total?: number;
}

const replace = <T>(fallback: () => T) => Annotation<T>({ reducer: (_old: T, value: T) => value, default: fallback });
const append = <T>() => Annotation<T[]>({ reducer: (old: T[], value: T[]) => old.concat(value), default: () => [] });

export const DebugStateAnnotation = Annotation.Root({
  input: Annotation<DebugInput>(),
  /** Date.now() when the run started; the budget counts from here. */
  startedAt: replace<number>(() => Date.now()),

  // prepare
  language: replace<Language | null>(() => null),
  runner: replace<RunnerKind>(() => 'unknown'),
  workspace: replace<Workspace | null>(() => null),
  baseline: replace<TestRun | null>(() => null),
  /** Extra environment for every run of the test command (see nodes/prepare.ts runEnvFor); undefined removes a variable. */
  runEnv: replace<Record<string, string | undefined>>(() => ({})),
  /** Tests that failed in the baseline run (empty when the runner gave no per-test results). */
  failing: replace<TestCase[]>(() => []),
  /** Set early by prepare (no-failing-test) or by any node that has to give up (error). */
  outcome: replace<Outcome | null>(() => null),
  error: replace<string | null>(() => null),

  // localize
  ranked: replace<RankedLine[]>(() => []),
  suspects: replace<Suspect[]>(() => []),
  suspectFunctions: replace<FunctionSpan[]>(() => []),
  trace: replace<VariableTrace | null>(() => null),
  /** The suspect functions traced while passing tests ran (repairer), to compare with `trace`. */
  passingTrace: replace<VariableTrace | null>(() => null),
  /** The per-test coverage the ranking came from (null when none), for the model's tests_covering tool. */
  coverage: replace<CoverageMatrix | null>(() => null),

  // repair ⇄ validate
  /** Candidates waiting to be validated (smallest first). */
  queue: replace<Candidate[]>(() => []),
  /** The batch validate works on next. */
  batch: replace<Candidate[]>(() => []),
  /** Which candidate sources the repairer has used so far (`mutation:1`, `llm`, …). */
  repairRounds: replace<string[]>(() => []),
  /** True when the repairer has nothing more to offer. */
  repairExhausted: replace<boolean>(() => false),
  /** How many candidates have been produced in all (for `candidate n of m`). */
  produced: replace<number>(() => 0),
  /** Keys (file + hash of the new text) of every candidate produced, so no patch is tried twice. */
  seen: append<string>(),
  tried: append<TriedCandidate>(),
  /**
   * When the baseline hung: how long a run of the tests that do finish takes (measured once by
   * validate), so a candidate that does not fix the hang is stopped after a few times that.
   */
  healthyRunMs: replace<number | null>(() => null),
  best: replace<PassingPatch | null>(() => null),
  /**
   * Every passing patch found so far, waiting for the choice (validate keeps validating a few more
   * candidates after the first pass, then picks the likeliest correct one: see nodes/validate.ts).
   */
  passing: replace<PassingPatch[]>(() => []),
  /** While choosing: how many more candidates to validate, and until when (epoch ms). */
  selection: replace<{ left: number; until: number } | null>(() => null),
  /** The passing patches not chosen, with the reason (set with `best`). */
  alternatives: replace<Alternative[]>(() => []),
  /** Candidates that fixed some of the failing tests (the repairer combines them in pairs). */
  partialFixes: append<PartialFix>(),
  /**
   * A validated patch put aside when the explainer sent the run back to the localizer: the
   * re-run's model round may find a patch that agrees with the explainer; if not, this one stands.
   */
  fallbackBest: replace<PassingPatch | null>(() => null),

  // explain ⇄ localize (agent synergy)
  /**
   * The line the explainer's model blames although the validated patch does not touch it; set by
   * explain, consumed (moved to the top of the suspects) by localize. Null otherwise.
   */
  disputed: replace<Disputed | null>(() => null),
  /** How many times explain has sent the run back to localize (at most MAX_EXPLAINER_ROUND_TRIPS). */
  explainerRoundTrips: replace<number>(() => 0),

  // explain / report
  explanation: replace<string>(() => ''),
  fixReport: replace<FixReport | null>(() => null),
  notes: append<string>(),
});

export type DebugState = typeof DebugStateAnnotation.State;
export type DebugUpdate = typeof DebugStateAnnotation.Update;

/** What every node may need besides the state; passed as `configurable.rubberduck`. */
export interface DebugContext {
  /** The model, or null when offline. */
  llm: LlmClient | null;
  /** Called as soon as the isolated workspace exists, so the caller can dispose of it whatever happens. */
  onWorkspace?: (workspace: Workspace) => void;
  /** Changes to the environment of every run of the user's tests (undefined removes a variable). */
  testEnv?: Record<string, string | undefined>;
}

export function debugContext(config: LangGraphRunnableConfig | undefined): DebugContext {
  const ctx = (config?.configurable as { rubberduck?: DebugContext } | undefined)?.rubberduck;
  return ctx ?? { llm: null };
}

/** The run's cancellation signal (Ctrl-C), if any. */
export function signalOf(config: LangGraphRunnableConfig | undefined): AbortSignal | undefined {
  return config?.signal;
}

/** Emit one progress event on the custom stream (a no-op when nobody listens). */
export function progress(config: LangGraphRunnableConfig | undefined, event: ProgressEvent): void {
  config?.writer?.(event);
}

/** Milliseconds left of the run's budget. */
export function remainingMs(state: Pick<DebugState, 'input' | 'startedAt'>, now: number = Date.now()): number {
  return state.startedAt + state.input.maxSeconds * 1000 - now;
}

/**
 * Timeout for one more run of the test command: the user's --test-timeout, but no longer than the
 * budget left (at least one second so a run can still start).
 */
export function runTimeoutMs(state: Pick<DebugState, 'input' | 'startedAt'>, now: number = Date.now()): number {
  return Math.max(1000, Math.min(state.input.testTimeoutMs, remainingMs(state, now)));
}

/** Timeout of the baseline run: --test-timeout, but at most a third of the budget (room to repair). */
export function baselineTimeoutMs(state: Pick<DebugState, 'input' | 'startedAt'>, now: number = Date.now()): number {
  return Math.min(runTimeoutMs(state, now), Math.max(5000, (state.input.maxSeconds * 1000) / 3));
}

/**
 * Timeout of an instrumented run (coverage, tracing): a few times the baseline's duration; when
 * the baseline hung (an infinite loop), a sixth of --test-timeout (at least 5 s), since the hung
 * test is reached early anyway and the instrumented run keeps what it saw before the kill.
 */
export function analysisTimeoutMs(state: Pick<DebugState, 'input' | 'startedAt' | 'baseline'>, now: number = Date.now()): number {
  const limit = runTimeoutMs(state, now);
  const base = state.baseline;
  if (!base || base.timedOut) return Math.min(limit, Math.max(5000, state.input.testTimeoutMs / 6));
  return Math.min(limit, Math.max(10_000, base.durationMs * 5 + 5000));
}

/**
 * Timeout of a candidate's run. `only`: the run of the baseline's failing tests alone. When the
 * baseline hung, a candidate that does not fix the loop hangs too: give the failing tests a short
 * leash, the full run (only reached by candidates that fixed them) the whole limit.
 * `concurrency`: candidates validated at once (--jobs). The baseline ran alone; N runs sharing the
 * cores each take up to N times as long, and a correct patch cut short by a timeout is lost.
 */
export function candidateTimeoutMs(
  state: Pick<DebugState, 'input' | 'startedAt' | 'baseline' | 'healthyRunMs'> & { concurrency?: number },
  only: boolean,
  now: number = Date.now(),
): number {
  const limit = runTimeoutMs(state, now);
  const base = state.baseline;
  if (!base) return limit;
  const shared = Math.max(1, state.concurrency ?? 1);
  if (base.timedOut) {
    if (!only) return limit;
    const leash = state.healthyRunMs !== null ? (state.healthyRunMs * 3 + 1500) * shared : state.input.testTimeoutMs / 6;
    return Math.min(limit, Math.max(3000, leash));
  }
  return Math.min(limit, Math.max(5000, (base.durationMs * 3 + 2000) * shared));
}

/** One definition of a test file for the whole debugger (src/debug/project-files.ts). */
export { isTestFile } from '../../debug/project-files.js';
