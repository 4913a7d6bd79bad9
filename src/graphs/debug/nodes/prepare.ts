/**
 * prepare: detect the project, build the isolated workspace, run the test command once (the
 * baseline) and record which tests fail. Nothing failing → outcome `no-failing-test`; a command
 * the shell cannot find → UsageError (exit 2).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { UsageError } from '../../../model/errors.js';
import { detectProject } from '../../../debug/detect.js';
import { runTests } from '../../../debug/run-tests.js';
import type { RunnerKind, TestRun } from '../../../debug/types.js';
import { createWorkspace } from '../../../debug/workspace.js';
import { baselineTimeoutMs, debugContext, progress, signalOf, type DebugState, type DebugUpdate } from '../state.js';

/** The shell's "cannot run this" answers: 127 not found, 126 not executable. */
export function commandUnusable(run: TestRun): string | null {
  const out = run.output;
  if (run.exitCode === 127 || (run.tests.length === 0 && /(^|\n)\S*:\s*(\d+:\s*)?\S+:\s*(command )?not found\b/i.test(out))) {
    return 'command not found';
  }
  if (run.exitCode === 126) return 'command cannot be executed (permission denied?)';
  if (run.runner === 'pytest' && run.tests.length === 0) {
    // pytest: 4 = usage error (bad option, file not found), 5 = no tests collected.
    if (run.exitCode === 4) return `pytest could not start: ${firstLine(out, /error/i) ?? 'usage error'}`;
    if (run.exitCode === 5) return 'no tests were collected';
  }
  if (/^\s*(?:python[\d.]*|node):\s*can't open file|Cannot find module/im.test(out) && run.tests.length === 0 && run.passed === 0) {
    return `the test command could not start: ${firstLine(out, /can't open file|Cannot find module/i) ?? 'missing file'}`;
  }
  return null;
}

function firstLine(text: string, re: RegExp): string | undefined {
  return text
    .split('\n')
    .find((l) => re.test(l))
    ?.trim()
    .slice(0, 200);
}

/**
 * Heavy pytest plugins that load themselves from site-packages (hypothesis, pytest-benchmark)
 * quadruple the start-up time of every run here (2.3 s instead of 0.6 s). When the project does
 * not mention them, they cannot matter to its tests: block them with `-p no:NAME`.
 */
const AUTOLOADED_PYTEST_PLUGINS: { plugin: string; mention: RegExp }[] = [
  { plugin: 'hypothesispytest', mention: /hypothesis/i },
  { plugin: 'benchmark', mention: /benchmark/i },
];

/** The project's Python and config files, as one text (bounded). */
function projectText(dir: string, limit = 2_000_000): string {
  const parts: string[] = [];
  let size = 0;
  const walk = (abs: string, depth: number) => {
    if (depth > 6 || size > limit) return;
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch {
      return;
    }
    for (const name of names) {
      if (size > limit) return;
      if (name.startsWith('.') || name === 'node_modules' || name === 'venv' || name === '__pycache__') continue;
      const p = join(abs, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p, depth + 1);
      else if (/\.(py|ini|cfg|toml|txt)$/.test(name) && st.size < 500_000) {
        try {
          const t = readFileSync(p, 'utf8');
          parts.push(t);
          size += t.length;
        } catch {
          // unreadable: ignored
        }
      }
    }
  };
  walk(dir, 0);
  return parts.join('\n');
}

/** Environment for every run of the test command in the copy. */
export function runEnvFor(dir: string, runner: RunnerKind): Record<string, string> {
  if (runner !== 'pytest' || process.env.PYTEST_DISABLE_PLUGIN_AUTOLOAD) return {};
  const text = projectText(dir);
  const blocked = AUTOLOADED_PYTEST_PLUGINS.filter((p) => !p.mention.test(text)).map((p) => `-p no:${p.plugin}`);
  if (blocked.length === 0) return {};
  const prev = process.env.PYTEST_ADDOPTS;
  return { PYTEST_ADDOPTS: `${prev ? `${prev} ` : ''}${blocked.join(' ')}` };
}

/** True when the baseline run shows something to fix. */
export function baselineFails(run: TestRun): boolean {
  if (run.timedOut) return true;
  if (run.tests.some((t) => t.status === 'failed')) return true;
  if (run.failed > 0) return true;
  return run.exitCode !== 0;
}

export async function prepare(state: DebugState, config: LangGraphRunnableConfig): Promise<DebugUpdate> {
  const { repo, testCommand } = state.input;
  const ctx = debugContext(config);
  const signal = signalOf(config);

  progress(config, { stage: 'prepare', message: `detecting the project in ${repo}` });
  const project = detectProject(repo, testCommand);

  progress(config, { stage: 'prepare', message: `copying the working tree (${project.language}, ${project.runner})` });
  const workspace = await createWorkspace(repo, project);
  ctx.onWorkspace?.(workspace);

  progress(config, { stage: 'prepare', message: `baseline run: ${testCommand}` });
  const runEnv = { ...ctx.testEnv, ...runEnvFor(workspace.dir, project.runner) };
  const baseline = await runTests(testCommand, project.runner, {
    cwd: workspace.dir,
    env: runEnv,
    timeoutMs: baselineTimeoutMs(state),
    ...(signal ? { signal } : {}),
  });
  if (signal?.aborted) throw new Error('interrupted');

  const unusable = commandUnusable(baseline);
  if (unusable) throw new UsageError(unusable, testCommand);

  const failing = baseline.tests.filter((t) => t.status === 'failed');
  const update: DebugUpdate = {
    language: project.language,
    runner: project.runner,
    workspace,
    baseline,
    runEnv,
    failing,
  };
  if (!baselineFails(baseline)) {
    const passing = baseline.tests.length > 0 ? `all ${baseline.passed} tests pass` : 'the test command succeeds';
    progress(config, { stage: 'prepare', message: `${passing}: nothing to fix` });
    return {
      ...update,
      outcome: 'no-failing-test',
      explanation: `Nothing to fix: \`${testCommand}\` passes (${baseline.passed} tests passed, none failed, exit ${baseline.exitCode}).\n`,
    };
  }
  const what = baseline.timedOut
    ? `the test command timed out after ${Math.round(baseline.durationMs / 1000)} s`
    : failing.length > 0
      ? `${failing.length} failing test${failing.length === 1 ? '' : 's'}: ${failing
          .slice(0, 3)
          .map((t) => t.id)
          .join(', ')}${failing.length > 3 ? ', …' : ''}`
      : `the test command fails (exit ${baseline.exitCode})`;
  progress(config, { stage: 'prepare', message: what });
  return update;
}
