/**
 * THE ONE PLACE where the GitHub bot calls into the graphs. Everything else in src/github works
 * on their results (a ReviewReport, a FixReport), so a change of the runners' signatures is an
 * edit of this file only.
 *
 * The review goes through `runReview` (src/graphs/review/run.ts), the debugger through `runDebug`
 * (src/graphs/debug/run.ts), which owns the isolated copy, the tests' temp folder and the child
 * processes, and releases them when the run ends or is aborted.
 */
import type { Config } from '../config/schema.js';
import type { ChangeSet } from '../model/changeset.js';
import type { ReviewReport } from '../model/finding.js';
import type { FixReport } from '../model/fix-report.js';
import type { LlmClient } from '../llm/types.js';

export interface ReviewCall {
  changeset: ChangeSet;
  config: Config;
  llm: LlmClient | null;
  signal?: AbortSignal;
}

/** Review an already parsed change set (the PR's diff) as one unit; the validated report, findings merged and sorted. */
export async function reviewChangeSet(call: ReviewCall): Promise<ReviewReport> {
  const { runReview } = await import('../graphs/review/run.js');
  return runReview({ kind: 'changeset', changeset: call.changeset }, { config: call.config, llm: call.llm, ...(call.signal ? { signal: call.signal } : {}) });
}

export interface DebugCall {
  /** A git work tree holding the PR head (the debugger copies it again into its own isolation). */
  dir: string;
  test: string;
  maxSeconds: number;
  testTimeoutSeconds: number;
  llm: LlmClient | null;
  /**
   * Variables removed from the environment of every test run (the bot's secrets). The bot has
   * also taken them out of process.env at start; this keeps them out even if it had not.
   */
  removeFromTestEnv: readonly string[];
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

/**
 * Run the debugger (`runDebug`) on a checkout: the validated FixReport (fixed / not-fixed /
 * no-failing-test). A UsageError for a test command that cannot run; a run that failed for a
 * reason of its own resolves with its `error` report.
 */
export async function debugCheckout(call: DebugCall): Promise<FixReport> {
  const { runDebug, DebugRunError } = await import('../graphs/debug/run.js');
  const testEnv: Record<string, string | undefined> = {};
  for (const name of call.removeFromTestEnv) testEnv[name] = undefined;
  try {
    return await runDebug(
      { repo: call.dir, testCommand: call.test, maxSeconds: call.maxSeconds, testTimeoutMs: Math.round(call.testTimeoutSeconds * 1000) },
      { llm: call.llm, testEnv, ...(call.signal ? { signal: call.signal } : {}) },
      (event) => call.onProgress?.(`[${event.stage}] ${event.message}`),
    );
  } catch (error) {
    if (error instanceof DebugRunError) return error.report;
    throw error;
  }
}
