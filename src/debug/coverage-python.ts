/**
 * Per-test line coverage for Python projects, with our own tracer loaded as a pytest plugin
 * (src/debug/python/rd_trace.py). The plugin appends one JSON line per test (plus partial
 * records while a test runs), so a run killed at its time budget still yields the tests that
 * finished, and the one that hung counts as failed with the lines it reached.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { runCommand } from './process.js';
import { withoutStopEarly } from './stop-early.js';
import type { CoverageMatrix } from './types.js';
import { makeTempDir } from './temp-dir.js';

export interface PythonCoverageOptions {
  /** Budget of the whole run (the process group is killed after it). */
  timeoutMs: number;
  /**
   * Limit per test (SIGALRM inside pytest): a test over it fails and the run goes on with the
   * next one, so one infinite loop does not cost the coverage of every later test.
   * Default: a third of timeoutMs (at least 1 s); 0 disables.
   */
  perTestTimeoutMs?: number;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

export interface PythonCoverageResult extends CoverageMatrix {
  timedOut: boolean;
  exitCode: number | null;
  output: string;
}

/** Directory holding our Python helpers (rd_trace.py, rd_vars.py). */
export function pythonHelperDir(): string {
  return join(packageRoot(), 'src', 'debug', 'python');
}

/** Env for running pytest with one of our plugins. */
export function pluginEnv(plugin: string, extra: Record<string, string>, base?: Record<string, string | undefined>): Record<string, string | undefined> {
  const helper = pythonHelperDir();
  const pyPath = base && 'PYTHONPATH' in base ? base.PYTHONPATH : process.env.PYTHONPATH;
  const addopts = base && 'PYTEST_ADDOPTS' in base ? base.PYTEST_ADDOPTS : process.env.PYTEST_ADDOPTS;
  return {
    ...base,
    PYTHONPATH: pyPath ? `${helper}:${pyPath}` : helper,
    // rd_complete: no stop at the first failure, whatever the command or pytest.ini says.
    PYTEST_ADDOPTS: `${addopts ? `${addopts} ` : ''}-p ${plugin} -p rd_complete -p no:cacheprovider`,
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
}

interface Record_ {
  id: string;
  outcome: 'passed' | 'failed' | 'skipped';
  partial: boolean;
  lines: Record<string, number[]>;
}

/** Build a matrix from the plugin's JSON lines (exported for tests). */
export function matrixFromRecords(text: string): CoverageMatrix {
  const byId = new Map<string, { failed: boolean; skipped: boolean; final: boolean; lines: Record<string, number[]> }>();
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let rec: Record_;
    try {
      rec = JSON.parse(raw) as Record_;
    } catch {
      continue; // a line cut by a kill
    }
    if (typeof rec.id !== 'string' || typeof rec.lines !== 'object' || rec.lines === null) continue;
    const prev = byId.get(rec.id);
    if (prev?.final && rec.partial) continue;
    byId.set(rec.id, {
      failed: rec.partial || rec.outcome === 'failed',
      skipped: !rec.partial && rec.outcome === 'skipped',
      final: !rec.partial,
      lines: rec.lines,
    });
  }
  const matrix: CoverageMatrix = { tests: [], lines: new Map() };
  for (const [id, t] of byId) {
    if (t.skipped) continue;
    const idx = matrix.tests.length;
    matrix.tests.push({ id, failed: t.failed });
    for (const [file, lines] of Object.entries(t.lines)) {
      for (const line of lines) {
        const key = `${file}:${line}`;
        const list = matrix.lines.get(key);
        if (list) list.push(idx);
        else matrix.lines.set(key, [idx]);
      }
    }
  }
  return matrix;
}

/**
 * Run the project's pytest command once with the rd_trace plugin and return which tests
 * executed which lines of the project's own (non-test) Python files.
 */
export async function collectPythonCoverage(
  dir: string,
  testCommand: string,
  opts: PythonCoverageOptions,
): Promise<PythonCoverageResult> {
  const tmpDir = makeTempDir('rd-pycov-');
  const tmp = tmpDir.path;
  const out = join(tmp, 'coverage.jsonl');
  const perTest = opts.perTestTimeoutMs ?? Math.max(1000, Math.floor(opts.timeoutMs / 3));
  try {
    const res = await runCommand(withoutStopEarly(testCommand, 'pytest'), {
      cwd: dir,
      timeoutMs: opts.timeoutMs,
      env: pluginEnv(
        'rd_trace',
        { RD_TRACE_OUT: out, RD_TRACE_ROOT: dir, RD_TRACE_TEST_TIMEOUT: String(perTest / 1000) },
        opts.env,
      ),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let text = '';
    try {
      text = readFileSync(out, 'utf8');
    } catch {
      // plugin never ran (not a pytest command, or it failed to start)
    }
    return { ...matrixFromRecords(text), timedOut: res.timedOut, exitCode: res.exitCode, output: res.output };
  } finally {
    tmpDir.remove();
  }
}
