/**
 * Key-variable tracing for Python: runs one failing test under the rd_vars pytest plugin, which
 * sys.settrace()s only the suspect functions' code objects and records repr()s of their locals.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pluginEnv } from './coverage-python.js';
import { withoutStopEarly } from './stop-early.js';
import { runCommand } from './process.js';
import type { FunctionSpan, VariableTrace } from './types.js';
import { makeTempDir } from './temp-dir.js';

export interface TraceOptions {
  timeoutMs: number;
  env?: Record<string, string | undefined>;
  /** Steps kept from the start and the end of the run (default 150 + 50). */
  head?: number;
  tail?: number;
  /** Characters per value (default 80). */
  width?: number;
  signal?: AbortSignal;
}

/**
 * Trace one test (`test`), or several at once (an array: the passing tests a repair compares the
 * failing one with; their steps come in one trace named after the first).
 */
export async function tracePythonVariables(
  dir: string,
  testCommand: string,
  test: { id: string; file?: string } | { id: string; file?: string }[],
  functions: FunctionSpan[],
  opts: TraceOptions,
): Promise<VariableTrace> {
  const tests = Array.isArray(test) ? test : [test];
  const name = Array.isArray(test) ? `${tests.length} test${tests.length === 1 ? '' : 's'}: ${tests.map((t) => t.id).join(', ')}` : test.id;
  const tmpDir = makeTempDir('rd-pyvars-');
  const tmp = tmpDir.path;
  const out = join(tmp, 'vars.json');
  try {
    const res = await runCommand(withoutStopEarly(testCommand, 'pytest'), {
      cwd: dir,
      timeoutMs: opts.timeoutMs,
      env: pluginEnv(
        'rd_vars',
        {
          RD_VARS_OUT: out,
          RD_VARS_ROOT: dir,
          ...(Array.isArray(test) ? { RD_VARS_TESTS: JSON.stringify(tests.map((t) => t.id)) } : { RD_VARS_TEST: test.id }),
          RD_VARS_TARGETS: JSON.stringify(
            functions.map((f) => ({ file: f.file, name: f.name, startLine: f.startLine, endLine: f.endLine })),
          ),
          RD_VARS_HEAD: String(opts.head ?? 150),
          RD_VARS_TAIL: String(opts.tail ?? 50),
          RD_VARS_WIDTH: String(opts.width ?? 80),
        },
        opts.env,
      ),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    let data: { steps?: VariableTrace['steps']; truncated?: boolean; outcome?: string | null } = {};
    try {
      data = JSON.parse(readFileSync(out, 'utf8')) as typeof data;
    } catch {
      // killed before it could write (SIGKILL) or the plugin never loaded
    }
    const trace: VariableTrace = { test: name, steps: data.steps ?? [], truncated: data.truncated ?? false };
    if (data.outcome) trace.outcome = data.outcome;
    else if (res.timedOut) trace.outcome = `Timeout: the test did not finish in ${opts.timeoutMs} ms`;
    return trace;
  } finally {
    tmpDir.remove();
  }
}
