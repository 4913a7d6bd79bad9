/**
 * THE ONE PLACE where the GitHub bot calls into the graphs. Everything else in src/github works
 * on their results (a ReviewReport, a FixReport), so moving to the runners of issue 8
 * (src/graphs/review/run.ts `runReview`, src/graphs/debug/run.ts `runDebug`) is an edit of this
 * file only.
 *
 * Today: the review goes through the runner `runReview` (src/graphs/review/run.ts); the debugger
 * has no runner outside the CLI yet, so `debugCheckout` streams `buildDebugGraph()` the way
 * src/cli/fix.ts does (and disposes the isolated copy afterwards) until `runDebug` lands.
 */
import type { Config } from '../config/schema.js';
import type { ChangeSet } from '../model/changeset.js';
import type { ReviewReport } from '../model/finding.js';
import { FixReportSchema, type FixReport } from '../model/fix-report.js';
import type { LlmClient } from '../llm/types.js';
import type { Workspace } from '../debug/types.js';

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
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

/** Run the debugger on a checkout; the validated FixReport (outcome fixed / not-fixed / no-failing-test / error). */
export async function debugCheckout(call: DebugCall): Promise<FixReport> {
  const { buildDebugGraph, RECURSION_LIMIT } = await import('../graphs/debug/index.js');
  let workspace: Workspace | null = null;
  let final: { fixReport?: FixReport | null } | undefined;
  try {
    const stream = await buildDebugGraph().stream(
      { input: { repo: call.dir, testCommand: call.test, maxSeconds: call.maxSeconds, testTimeoutMs: Math.round(call.testTimeoutSeconds * 1000) }, startedAt: Date.now() },
      {
        streamMode: ['custom', 'values'],
        configurable: { rubberduck: { llm: call.llm, onWorkspace: (ws: Workspace) => (workspace = ws) } },
        recursionLimit: RECURSION_LIMIT,
        ...(call.signal ? { signal: call.signal } : {}),
      },
    );
    for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === 'custom') {
        const event = chunk as { stage: string; message: string };
        call.onProgress?.(`[${event.stage}] ${event.message}`);
      } else if (mode === 'values') final = chunk as typeof final;
    }
  } finally {
    await (workspace as Workspace | null)?.dispose().catch(() => undefined);
  }
  const report = final?.fixReport;
  if (!report) throw new Error('the debug graph ended without a report');
  return FixReportSchema.parse(report);
}
