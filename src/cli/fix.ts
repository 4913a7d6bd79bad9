/**
 * `rubberduck fix [--repo DIR] --test "CMD" [--offline] [--json FILE] [--apply]
 *                 [--max-seconds N] [--test-timeout S] [--max-llm-calls N] [--max-tokens N]`
 *
 * A thin adapter over runDebug (src/graphs/debug/run.ts): parses the arguments, prints progress
 * on stderr, then the validated patch and the explanation on stdout, and maps the outcome to an
 * exit code.
 * Exit: 0 fixed, 1 not fixed, 2 unusable input (not a git repository, a test command that cannot
 * run, a test command that already passes), 130/143 on SIGINT/SIGTERM.
 * Without --apply the user's tree, index, branches and stash are never touched.
 */
import { parseCommandArgs } from './args.js';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DebugRunError, runDebug, type DebugEvent, type DebugTask } from '../graphs/debug/run.js';
import { onTerminationSignal } from '../debug/process.js';
import { applyPatchToOrigin, repoInfo } from '../debug/workspace.js';
import { loadConfig } from '../config/load.js';
import { createLlmClient, OFFLINE_NOTE } from '../llm/client.js';
import type { LlmClient } from '../llm/types.js';
import { FixReportSchema, type FixReport } from '../model/fix-report.js';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from '../model/errors.js';

export const DEFAULT_MAX_SECONDS = 120;
export const DEFAULT_TEST_TIMEOUT_SECONDS = 30;

const HELP = `usage: rubberduck fix [--repo DIR] --test "CMD" [options]

Find and fix the fault behind a failing test command, in an isolated copy of the repository.

options:
  --repo DIR           the project (a git work tree or a folder inside one; default: .)
  --test "CMD"         the test command, run by /bin/sh in DIR (pytest, node --test, vitest, jest, npm test)
  --offline            do not use a language model even when one is configured
  --json FILE          write the FixReport as JSON to FILE
  --apply              apply the validated patch to the working tree (never without a fix)
  --max-seconds N      wall-clock budget of the whole run (default ${DEFAULT_MAX_SECONDS})
  --test-timeout S     longest single run of the test command (default ${DEFAULT_TEST_TIMEOUT_SECONDS})
  --max-llm-calls N    at most N model calls
  --max-tokens N       at most N prompt + completion tokens
  --jobs N             candidates validated at once, each in its own copy (default: the available cores)

exit: 0 fixed, 1 not fixed, 2 unusable input (including a test command that already passes)`;

export interface FixOptions {
  repo: string;
  test: string;
  offline: boolean;
  json?: string;
  apply: boolean;
  maxSeconds: number;
  testTimeoutSeconds: number;
  maxLlmCalls?: number;
  maxTokens?: number;
  /** Candidates validated in parallel (default: os.availableParallelism()). */
  jobs?: number;
  help: boolean;
}

function positive(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`expects a positive ${integer ? 'integer' : 'number'}, got '${value}'`, `--${name}`);
  }
  return n;
}

export function parseFixArgs(argv: string[]): FixOptions {
  const parsed = parseCommandArgs('fix', {
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      repo: { type: 'string' },
      test: { type: 'string', short: 't' },
      offline: { type: 'boolean', default: false },
      json: { type: 'string' },
      apply: { type: 'boolean', default: false },
      'max-seconds': { type: 'string' },
      'test-timeout': { type: 'string' },
      'max-llm-calls': { type: 'string' },
      'max-tokens': { type: 'string' },
      jobs: { type: 'string', short: 'j' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const v = parsed.values;
  const help = v.help ?? false;
  if (!help && (v.test === undefined || !v.test.trim())) throw new UsageError('a test command is required (--test "CMD")', 'fix');
  const opts: FixOptions = {
    repo: resolve(v.repo ?? '.'),
    test: v.test ?? '',
    offline: v.offline ?? false,
    apply: v.apply ?? false,
    maxSeconds: positive('max-seconds', v['max-seconds'], false) ?? DEFAULT_MAX_SECONDS,
    testTimeoutSeconds: positive('test-timeout', v['test-timeout'], false) ?? DEFAULT_TEST_TIMEOUT_SECONDS,
    help,
  };
  if (v.json !== undefined) opts.json = resolve(v.json);
  const calls = positive('max-llm-calls', v['max-llm-calls'], true);
  if (calls !== undefined) opts.maxLlmCalls = calls;
  const tokens = positive('max-tokens', v['max-tokens'], true);
  if (tokens !== undefined) opts.maxTokens = tokens;
  const jobs = positive('jobs', v.jobs, true);
  if (jobs !== undefined) opts.jobs = jobs;
  return opts;
}

/**
 * Progress on stderr. On a terminal every event shows at once. Otherwise the events of the
 * prepare stage are held until it succeeds, so that unusable input (a missing command, a passing
 * suite) still ends with exactly one line on stderr.
 */
export class ProgressPrinter {
  private held: string[] = [];
  private live: boolean;
  /** Set once an event after the prepare stage went out. */
  private released = false;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.live = !!out.isTTY;
  }

  static format(e: DebugEvent): string {
    return `rubberduck fix [${e.stage}] ${e.message}`;
  }

  event(e: DebugEvent): void {
    const line = ProgressPrinter.format(e);
    // Held: the prepare stage, and the report that follows it directly (nothing to fix).
    if (!this.live && !this.released && (e.stage === 'prepare' || e.stage === 'report')) {
      this.held.push(line);
      return;
    }
    this.released = true;
    this.flush();
    this.out.write(`${line}\n`);
  }

  /** Print what was held (prepare went through). */
  flush(): void {
    if (this.held.length === 0) return;
    this.out.write(this.held.map((l) => `${l}\n`).join(''));
    this.held = [];
  }
}

let signalsInstalled = false;
/** Ctrl-C / SIGTERM: stop at once; the exit hooks kill the test runs and remove the copy. */
function installSignals(controller: AbortController): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  onTerminationSignal((signal) => {
    controller.abort();
    process.stderr.write(`\nrubberduck: interrupted (${signal}); the repository is unchanged\n`);
  });
}

/**
 * The model client (null offline). The `llm` settings of `.rubberduck.json` (in the repository,
 * else the current directory) apply: structured-output method, temperature, timeout, retries.
 */
async function makeLlm(opts: FixOptions, log: (m: string) => void): Promise<LlmClient | null> {
  if (opts.offline) return null;
  const budget: { maxCalls?: number; maxTokens?: number } = {};
  if (opts.maxLlmCalls !== undefined) budget.maxCalls = opts.maxLlmCalls;
  if (opts.maxTokens !== undefined) budget.maxTokens = opts.maxTokens;
  const config = await loadConfig({ cwd: process.cwd(), repo: opts.repo });
  return createLlmClient({ budget, log, config });
}

async function writeJson(file: string, report: FixReport): Promise<void> {
  const valid = FixReportSchema.parse(report);
  mkdirSync(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(valid, null, 2)}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const opts = parseFixArgs(argv);
  if (opts.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  await repoInfo(opts.repo); // UsageError: no such directory / not a git repository

  const controller = new AbortController();
  installSignals(controller);

  const printer = new ProgressPrinter(process.stderr);
  // The model client's notes (endpoint down, an answer dropped) go to stderr; "no endpoint
  // configured" only when debugging (an offline run stays quiet).
  const llm = await makeLlm(opts, (m) => {
    if (process.env.RUBBERDUCK_DEBUG || m !== OFFLINE_NOTE) process.stderr.write(`rubberduck fix [model] ${m}\n`);
  });
  const task: DebugTask = {
    repo: opts.repo,
    testCommand: opts.test,
    maxSeconds: opts.maxSeconds,
    testTimeoutMs: Math.round(opts.testTimeoutSeconds * 1000),
    ...(opts.jobs !== undefined ? { jobs: opts.jobs } : {}),
  };

  let report: FixReport;
  try {
    report = await runDebug(task, { llm, signal: controller.signal }, (e) => printer.event(e));
  } catch (error) {
    // Our own failure (not the user's input): still leave a report behind for tools.
    if (opts.json && error instanceof DebugRunError) await writeJson(opts.json, error.report).catch(() => undefined);
    throw error;
  }
  if (opts.json) await writeJson(opts.json, report);

  if (report.outcome === 'no-failing-test') {
    throw new UsageError(`the test command passes (${report.tests.before.passed} passed, none failed): nothing to fix`, opts.test);
  }
  printer.flush();

  const out: string[] = [];
  if (report.outcome === 'fixed') out.push(report.patch.endsWith('\n') ? report.patch : `${report.patch}\n`);
  out.push(report.explanation);
  process.stdout.write(out.join('\n'));

  const summary =
    report.outcome === 'fixed'
      ? `fixed in ${report.seconds} s after ${report.candidates?.tried ?? 0} candidate(s); tests ${report.tests.before.failed} failing → ${report.tests.after.failed}`
      : `not fixed in ${report.seconds} s (${report.candidates?.tried ?? 0} candidate(s) tried)`;
  process.stderr.write(`rubberduck fix: ${summary}\n`);

  if (report.outcome === 'fixed') {
    if (opts.apply) {
      await applyPatchToOrigin(opts.repo, report.patch);
      process.stderr.write(`rubberduck fix: patch applied to ${opts.repo}\n`);
    }
    return EXIT_OK;
  }
  if (report.error) process.stderr.write(`rubberduck fix: ${report.error.split('\n')[0]}\n`);
  if (opts.apply) process.stderr.write('rubberduck fix: nothing applied (no validated patch)\n');
  return EXIT_FINDINGS;
}
