/**
 * runDebug: the one way any front end (the CLI, the GitHub bot, a benchmark) runs the debug
 * graph. It owns what a run creates: the isolated workspace, a private temp folder for the
 * tests' own files, the child processes (killed through the abort signal), and releases them
 * when the run ends, fails or is aborted. It returns the validated FixReport.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from '../../debug/process.js';
import type { Workspace } from '../../debug/types.js';
import type { LlmClient } from '../../llm/types.js';
import type { FixReport } from '../../model/fix-report.js';
import { UsageError } from '../../model/errors.js';
import { buildDebugGraph, RECURSION_LIMIT } from './index.js';
import { buildReport } from './nodes/report.js';
import type { DebugContext, DebugInput, DebugState, ProgressEvent } from './state.js';

/** What to debug: the repository, its failing test command and the budgets. */
export type DebugTask = DebugInput;
/** One line of progress (stage, candidate n of m). */
export type DebugEvent = ProgressEvent;

export interface RunDebugOptions {
  /** The model, or null: the program-analysis engines alone. */
  llm: LlmClient | null;
  /** Abort (Ctrl-C, a superseded bot job): test runs are killed, the workspace removed. */
  signal?: AbortSignal;
  /**
   * Changes to the environment of every run of the user's tests. `undefined` removes a variable:
   * a bot removes its secrets (GITHUB_TOKEN, PRIVATE_KEY, OPENAI_API_KEY) this way.
   */
  testEnv?: Record<string, string | undefined>;
}

/** The run failed for a reason of its own (not the user's input); `report` says what is known. */
export class DebugRunError extends Error {
  constructor(
    message: string,
    readonly report: FixReport,
  ) {
    super(message);
    this.name = 'DebugRunError';
  }
}

/**
 * Run the debug graph on `task`. Resolves with the FixReport; rejects with a UsageError for
 * unusable input (not a repository, a command that cannot run), with the abort reason when
 * aborted, and with a DebugRunError (carrying an `error` report) for anything else.
 */
export async function runDebug(task: DebugTask, options: RunDebugOptions, onEvent?: (event: DebugEvent) => void): Promise<FixReport> {
  const startedAt = Date.now();
  // The tests' own temp files go to a private folder, removed at the end — also on Ctrl-C, when
  // finally blocks do not run (the exit hook).
  const tmp = mkdtempSync(join(tmpdir(), 'rubberduck-fix-'));
  const removeTmp = () => rmSync(tmp, { recursive: true, force: true });
  const unregister = onProcessExit(removeTmp);
  let workspace: Workspace | null = null;
  const context: DebugContext = {
    llm: options.llm,
    testEnv: { ...options.testEnv, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
    onWorkspace: (ws) => {
      workspace = ws;
    },
  };
  let final: DebugState | undefined;
  try {
    const stream = await buildDebugGraph().stream(
      { input: task, startedAt },
      {
        streamMode: ['custom', 'values'],
        configurable: { rubberduck: context },
        recursionLimit: RECURSION_LIMIT,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === 'custom') onEvent?.(chunk as DebugEvent);
      else if (mode === 'values') final = chunk as DebugState;
    }
  } catch (error) {
    if (error instanceof UsageError || options.signal?.aborted) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    const usage = options.llm?.usage() ?? { llmCalls: 0, promptTokens: 0, completionTokens: 0 };
    throw new DebugRunError(message, buildReport({ ...(final ?? emptyState(task, startedAt)), outcome: 'error', error: message }, usage));
  } finally {
    await (workspace as Workspace | null)?.dispose().catch(() => undefined);
    removeTmp();
    unregister();
  }
  const report = final?.fixReport;
  if (!report) {
    throw new DebugRunError('the debug graph ended without a report', buildReport({ ...(final ?? emptyState(task, startedAt)), outcome: 'error', error: 'the debug graph ended without a report' }, options.llm?.usage() ?? { llmCalls: 0, promptTokens: 0, completionTokens: 0 }));
  }
  return report;
}

/** What buildReport needs when the graph failed before its first state. */
function emptyState(task: DebugTask, startedAt: number): Parameters<typeof buildReport>[0] {
  return { input: task, startedAt, outcome: null, error: null, best: null, baseline: null, suspects: [], explanation: '', tried: [] };
}
