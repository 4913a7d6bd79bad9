/**
 * Contracts between the debugger's tools (src/debug), its agents (agents/) and its graph
 * (src/graphs/debug). Paths are relative to the project root (the --repo directory) and use '/'.
 */

export type Language = 'python' | 'javascript' | 'typescript';

export type RunnerKind = 'pytest' | 'node-test' | 'vitest' | 'jest' | 'mocha' | 'unknown';

export interface TestCase {
  /** Stable id the runner can re-select: pytest node id (`tests/test_x.py::test_y`), or `file > suite > name` for JS. */
  id: string;
  name: string;
  file?: string;
  status: 'passed' | 'failed' | 'skipped';
  /** Failure message (assertion text, expected vs actual), trimmed to a few KB. */
  message?: string;
}

export interface TestRun {
  command: string;
  runner: RunnerKind;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Per-test results when a machine-readable reporter could be read; empty otherwise. */
  tests: TestCase[];
  passed: number;
  failed: number;
  /** Head and tail of combined stdout+stderr, ANSI codes stripped (a few KB). */
  output: string;
  /**
   * Why the run stopped before running every test (`pytest -x`, a bail flag), when its output or
   * command says so. Such a run is never taken as complete (src/debug/stop-early.ts).
   */
  cutShort?: string;
}

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  /** Added to the environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Only these tests (ids from a previous run), when the runner can select them. */
  only?: string[];
  /** Progress / cancellation. */
  signal?: AbortSignal;
  /**
   * Run the command exactly as the user gave it: no stop-early flag removed (the final
   * confirmation of a patch). Reporters are still attached where that needs no change of the
   * command (environment only).
   */
  exact?: boolean;
  /**
   * Collect per-test V8 coverage inside the runner's processes (jest, vitest, mocha) into this
   * directory (src/debug/coverage-pertest.ts). Ignored by other runners and with `exact`.
   */
  perTestCoverage?: { dir: string; roots: string[] };
}

/** Per-test line coverage: which tests executed which lines. */
export interface CoverageMatrix {
  tests: { id: string; failed: boolean }[];
  /** `file:line` → indices into `tests` of the tests that executed it. Test files excluded. */
  lines: Map<string, number[]>;
}

export interface RankedLine {
  file: string;
  line: number;
  /** Ochiai suspiciousness in [0, 1]. */
  score: number;
  /** Failing / passing tests that executed the line. */
  failedCover: number;
  passedCover: number;
  /** Enclosing function name, when the parser found one. */
  functionName?: string;
}

export interface FunctionSpan {
  file: string;
  name: string;
  startLine: number;
  endLine: number;
  /** Parameter list and header as written, for outlines. */
  signature: string;
}

/** Values of local variables at each executed line of the traced functions during one failing test. */
export interface VariableTrace {
  test: string;
  steps: { file: string; line: number; function: string; locals: Record<string, string> }[];
  /** Set when the trace was cut to stay small. */
  truncated: boolean;
  /** The exception or assertion the test ended with, if any. */
  outcome?: string;
}

/** A candidate patch: the whole new text of one file. */
export interface Candidate {
  file: string;
  /** Mutation operator or agent that produced it, e.g. `swap-comparison`, `llm`. */
  operator: string;
  /** Human description: `line 12: '<' → '<='`. */
  description: string;
  line: number;
  newSource: string;
  /** Lower is tried first. */
  priority: number;
  /** The part of `priority` that does not depend on the line's rank (template, alternative, trace, size). */
  cost?: number;
  /** The replaced ranges of the original text (mutations; two for a `two-edits` candidate). */
  edits?: { start: number; end: number; text: string }[];
  /** The templates combined by a `two-edits` candidate. */
  parts?: string[];
  /**
   * How many model samples proposed this very text (identical samples are validated once); the
   * weight of the candidate in the majority vote among passing patches. Absent = 1.
   */
  votes?: number;
}

/** The isolated copy the debugger works in. */
export interface Workspace {
  /** The user's project root (never written to without --apply). */
  origin: string;
  /** The isolated copy (temp directory, its own git repo with the snapshot committed). */
  dir: string;
  language: Language;
  runner: RunnerKind;
  /** Restore a file of the copy to the snapshot. */
  reset(file?: string): Promise<void>;
  /** Unified diff of the copy against the snapshot (paths relative to origin). */
  diff(): Promise<string>;
  dispose(): Promise<void>;
  /**
   * Environment the tests need in this copy on top of the run's (a parallel copy's own TMPDIR
   * and Python cache folder); absent for the primary copy.
   */
  env?: Record<string, string>;
}

/** How a candidate's test run compares with the baseline (src/debug/results/verdict.ts). */
export type Verdict =
  | 'passed' // every baseline failure now passes, nothing else fails, the command exits 0
  | 'still-failing' // a test that failed before still fails
  | 'regression' // a test fails that did not fail in the baseline (passed, or did not run)
  | 'incomplete' // the run cannot be judged whole: a baseline test vanished, fewer tests ran, cut short, crashed, unreadable
  | 'timeout' // the run did not finish in time (e.g. an introduced infinite loop)
  | 'syntax-error' // the candidate does not parse
  | 'error'; // anything else (could not write the file)

export interface TestCounts {
  passed: number;
  failed: number;
}
