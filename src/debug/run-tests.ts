/**
 * Run a project's test command and read per-test results through a machine-readable reporter:
 *  - pytest: PYTEST_ADDOPTS `-p no:cacheprovider -o junit_family=xunit1 --junitxml=<tmp>` (works
 *    whatever wraps pytest); `only` = node ids appended to a direct pytest command.
 *  - node:test: a custom reporter module (file + nesting per test, see results/node-events.ts)
 *    plus the spec reporter on stdout, injected right after `--test` in the command or in the
 *    package.json script that `npm test` runs; NODE_OPTIONS as a last resort (Node 20 refuses
 *    --test-name-pattern there, so no selection then). `only` = `--test-name-pattern` per name.
 *  - vitest: `--reporter=junit --outputFile.junit=<tmp> --reporter=default`; `only` = `-t`.
 *  - jest: `--json --outputFile=<tmp>`; `only` = `-t`.
 *  - mocha: a reporter module of ours (results/mocha.ts); `only` = `--grep`.
 * Every run but the final confirmation (`exact`) is made complete first: stop-early flags are
 * dropped from the command, or from the package script `npm test` runs, and pytest gets the
 * rd_complete plugin (src/debug/stop-early.ts explains why).
 * Without a report (crash, timeout, unknown runner) per-test results come from a scan of the
 * output (TAP / spec / pytest lines), else stay empty and the exit code is what counts.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { runCommand } from './process.js';
import { makeTempDir } from './temp-dir.js';
import { isPackageTestScript, NODE_FLAG, readPackageScripts, readTestScript, runnerFromCommand } from './detect.js';
import { pythonHelperDir } from './coverage-python.js';
import { cutShortReason, hasStopEarlyFlag, withoutStopEarly } from './stop-early.js';
import type { RunnerKind, RunOptions, TestCase, TestRun } from './types.js';
import { countStatuses, splitJsTestId } from './results/common.js';
import { parseJUnit } from './results/junit.js';
import { parseJestJson } from './results/jest.js';
import { MOCHA_OUT_ENV, MOCHA_REPORTER, parseMochaRecords } from './results/mocha.js';
import { NODE_EVENTS_REPORTER, parseNodeEvents } from './results/node-events.js';
import { scanTestOutput } from './results/text.js';
import {
  JEST_SETUP,
  PERTEST_COLLECTOR,
  PERTEST_DIR_ENV,
  PERTEST_MODULE_ENV,
  PERTEST_ROOT_ENV,
  VITEST_SETUP,
  vitestWrapperConfig,
} from './coverage-pertest.js';

/** POSIX shell single-quoting. */
export function shq(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Insert `flags` right after the first `--test` of a `node … --test` invocation; undefined if none. */
export function injectAfterNodeTest(command: string, flags: string): string | undefined {
  const m = new RegExp(String.raw`(^|[\s/;&|(])(node(?:js)?${NODE_FLAG}*?\s+--test)(?=\s|$)`).exec(command);
  if (!m) return undefined;
  const at = m.index + m[0].length;
  return `${command.slice(0, at)} ${flags}${command.slice(at)}`;
}

const PYTEST_VALUE_OPTIONS = new Set([
  '-k', '-m', '-p', '-o', '-c', '-W', '--rootdir', '--confcutdir', '--basetemp', '--junitxml',
  '--junit-xml', '--ignore', '--deselect', '--maxfail', '--tb', '-r', '--durations', '--log-level',
  '--import-mode', '--cov', '--override-ini', '--config-file',
]);

/** A direct pytest command with its positional test paths replaced by `nodeIds`. */
export function selectPytest(command: string, cwd: string, nodeIds: string[]): string {
  const tokens = command.trim().split(/\s+/);
  const at = tokens.findIndex((t, i) => /(^|\/)(py\.test|pytest)$/.test(t) || (t === 'pytest' && tokens[i - 1] === '-m'));
  if (at < 0 || /[|;&<>`$()"']/.test(command)) {
    return `${command} ${nodeIds.map(shq).join(' ')}`;
  }
  const kept = tokens.slice(0, at + 1);
  for (let i = at + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith('-')) {
      kept.push(t);
      if (PYTEST_VALUE_OPTIONS.has(t) && i + 1 < tokens.length) kept.push(tokens[++i]!);
      continue;
    }
    const path = t.split('::')[0]!;
    if (t.includes('::') || existsSync(join(cwd, path))) continue; // a positional test path
    kept.push(t);
  }
  return `${kept.join(' ')} ${nodeIds.map(shq).join(' ')}`;
}

/** `-t` pattern matching the given JS test ids by their last title. */
function titlePattern(ids: string[]): string {
  const names = [...new Set(ids.map((id) => splitJsTestId(id).titles.at(-1) ?? id))];
  return `(${names.map(escapeRegExp).join('|')})$`;
}

/** Environment changes for a run; undefined removes a variable (RunOptions.env). */
type Env = Record<string, string | undefined>;

/** A variable as the child will see it: changed here, else inherited. */
function inherited(env: Env, key: string): string | undefined {
  return key in env ? env[key] : process.env[key];
}

function addPath(env: Env, cwd: string): void {
  const bin = join(resolve(cwd), 'node_modules', '.bin');
  env.PATH = `${bin}${delimiter}${inherited(env, 'PATH') ?? ''}`;
}

interface Plan {
  command: string;
  env: Env;
  /** Where the report is expected. */
  report?: { path: string; kind: 'junit' | 'jest' | 'node-events' | 'mocha' };
  /** Whether `only` was honoured by the command. */
  selected: boolean;
  /** Files written into the project for this run (vitest's wrapper config), removed afterwards. */
  cleanup?: string[];
  /** Whether the runner was given the per-test coverage hooks. */
  perTest?: boolean;
}

/** What follows `npm test` in the command (`npm test -- --grep x` → `--grep x`). */
function scriptArgs(command: string): string {
  return command.replace(/^\s*(?:npm|yarn|pnpm)\s+(?:(?:run|run-script)\s+)?(?:test|t)(?:\s+--)?/, '').trim();
}

/**
 * The command with the runner's stop-early flags removed. When `npm test` runs a script that
 * carries them, the script itself is run instead (after `pretest`, as npm would), with the
 * project's node_modules/.bin on PATH.
 */
function completeCommand(command: string, runner: RunnerKind, cwd: string, env: Env): string {
  if (!isPackageTestScript(command)) return withoutStopEarly(command, runner);
  const script = readTestScript(cwd);
  if (!script || !hasStopEarlyFlag(script, runner)) return command;
  addPath(env, cwd);
  const pre = readPackageScripts(cwd).pretest !== undefined ? 'npm run pretest && ' : '';
  const extra = scriptArgs(command);
  return `${pre}${withoutStopEarly(script, runner)}${extra ? ` ${extra}` : ''}`;
}

/** pytest reporting through the environment: JUnit XML, no cache, no bytecode in the user's tree. */
function pytestEnv(env: Env, xml: string, complete: boolean): void {
  env.PYTHONDONTWRITEBYTECODE = '1';
  // --showlocals: the failure message then carries the test's own values (`expected = 5`), which
  // the explanation quotes instead of variable names.
  const add = `-p no:cacheprovider -o junit_family=xunit1 --junitxml=${xml}${complete ? ' -p rd_complete --showlocals' : ''}`;
  const prev = inherited(env, 'PYTEST_ADDOPTS');
  env.PYTEST_ADDOPTS = prev ? `${prev} ${add}` : add;
  if (complete) {
    const pyPath = inherited(env, 'PYTHONPATH');
    env.PYTHONPATH = pyPath ? `${pythonHelperDir()}${delimiter}${pyPath}` : pythonHelperDir();
  }
}

/** Write the per-test collector and point the run's environment at it; its path. */
async function setUpCollector(env: Env, tmp: string, cov: NonNullable<RunOptions['perTestCoverage']>): Promise<string> {
  const file = join(tmp, 'rubberduck-pertest.cjs');
  await writeFile(file, PERTEST_COLLECTOR);
  env[PERTEST_MODULE_ENV] = file;
  env[PERTEST_DIR_ENV] = cov.dir;
  env[PERTEST_ROOT_ENV] = cov.roots.join(delimiter);
  return file;
}

/**
 * The project's own `setupFilesAfterEnv`, from `jest --showConfig` (the command line option
 * replaces the configured list, so ours must be appended to it). undefined when the config
 * cannot be read or holds several projects (one list for all would be wrong).
 */
async function jestSetupFiles(cmd: string, sep: string, opts: RunOptions, env: Env): Promise<string[] | undefined> {
  const res = await runCommand(`${cmd}${sep} --showConfig`, {
    cwd: opts.cwd,
    timeoutMs: Math.min(opts.timeoutMs, 60_000),
    env,
    headBytes: 4 << 20,
    tailBytes: 4096,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = res.output;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (res.exitCode !== 0 || start < 0 || end < start) return undefined;
  try {
    const data = JSON.parse(text.slice(start, end + 1)) as { configs?: { setupFilesAfterEnv?: string[] }[]; config?: { setupFilesAfterEnv?: string[] } };
    const configs = data.configs ?? (data.config ? [data.config] : []);
    if (configs.length !== 1) return undefined;
    const files = configs[0]!.setupFilesAfterEnv;
    return Array.isArray(files) ? files.filter((f) => typeof f === 'string') : undefined;
  } catch {
    return undefined;
  }
}

const VITEST_CONFIGS = ['vitest.config', 'vite.config'].flatMap((b) => ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'].map((e) => `${b}.${e}`));

/**
 * vitest with our setup file: a wrapper config next to the project's (vitest has no command-line
 * option for setup files). Returns the command (its own --config replaced) and the files to remove.
 */
async function vitestWithSetup(cmd: string, dir: string): Promise<{ command: string; files: string[] }> {
  const cwd = resolve(dir);
  let userConfig: string | undefined;
  const m = /(^|\s)(?:--config|-c)(?:=|\s+)(\S+)/.exec(cmd);
  let command = cmd;
  if (m) {
    userConfig = m[2]!.replace(/^['"]|['"]$/g, '');
    command = cmd.slice(0, m.index) + m[1] + cmd.slice(m.index + m[0].length);
  } else {
    userConfig = VITEST_CONFIGS.find((name) => existsSync(join(cwd, name)));
  }
  const tag = randomBytes(4).toString('hex');
  const setup = join(cwd, `.rubberduck-${tag}.setup.mjs`);
  const wrapper = join(cwd, `.rubberduck-${tag}.vitest.config.mjs`);
  const rel = userConfig ? (isAbsolute(userConfig) ? userConfig : `./${userConfig.replace(/^\.\//, '')}`) : undefined;
  await writeFile(setup, VITEST_SETUP);
  await writeFile(wrapper, vitestWrapperConfig(rel, setup));
  return { command: `${command.trimEnd()} --config ${shq(wrapper)}`, files: [setup, wrapper] };
}

/**
 * What `npm test` runs, as a command of its own (after `pretest`, with node_modules/.bin on PATH
 * and the extra arguments), when the script is a plain call of `runner`; undefined otherwise.
 */
function directScript(command: string, runner: RunnerKind, cwd: string, env: Env): string | undefined {
  const script = readTestScript(cwd);
  if (!script || runnerFromCommand(script) !== runner || /[;&|<>`$()]/.test(script)) return undefined;
  addPath(env, cwd);
  const pre = readPackageScripts(cwd).pretest !== undefined ? 'npm run pretest && ' : '';
  const extra = scriptArgs(command);
  return `${pre}${withoutStopEarly(script, runner)}${extra ? ` ${extra}` : ''}`;
}

/** Major version of the project's mocha, when installed. */
function mochaMajor(cwd: string): number | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(cwd, 'node_modules', 'mocha', 'package.json'), 'utf8')) as { version?: string };
    const major = Number((pkg.version ?? '').split('.')[0]);
    return Number.isFinite(major) ? major : undefined;
  } catch {
    return undefined;
  }
}

/**
 * mocha 1.x's `mocha` wrapper spawns `_mocha` with `customFds`, which Node 20 ignores: the run
 * prints nothing. Its `_mocha` works, so the tool's own runs call that instead.
 */
export function oldMochaDirect(command: string, cwd: string): string {
  if (!/(^|[\s/;&|(])mocha(?=\s|$)/.test(command)) return command;
  const major = mochaMajor(cwd);
  if (major === undefined || major >= 2) return command;
  return command.replace(/(^|[\s/;&|(])mocha(?=\s|$)/g, '$1_mocha');
}

async function plan(command: string, runner: RunnerKind, opts: RunOptions, tmp: string): Promise<Plan> {
  const env: Env = { ...(opts.env ?? {}) };
  // Whatever the runner: Python must not write bytecode into a linked virtualenv (the user's).
  if (inherited(env, 'PYTHONDONTWRITEBYTECODE') === undefined) env.PYTHONDONTWRITEBYTECODE = '1';
  if (opts.exact) {
    // The user's command as given; only what the environment can carry is added.
    if (runner === 'pytest') {
      const xml = join(tmp, 'pytest.xml');
      pytestEnv(env, xml, false);
      return { command, env, report: { path: xml, kind: 'junit' }, selected: false };
    }
    return { command, env, selected: false };
  }
  const only = opts.only && opts.only.length > 0 ? opts.only : undefined;
  const cmd = completeCommand(command, runner, opts.cwd, env);
  const sep = isPackageTestScript(cmd) && !/\s--(\s|$)/.test(cmd) ? ' --' : '';
  switch (runner) {
    case 'pytest': {
      const xml = join(tmp, 'pytest.xml');
      pytestEnv(env, xml, true);
      if (only && runnerFromCommand(cmd) === 'pytest') {
        return { command: selectPytest(cmd, opts.cwd, only), env, report: { path: xml, kind: 'junit' }, selected: true };
      }
      return { command: cmd, env, report: { path: xml, kind: 'junit' }, selected: false };
    }
    case 'node-test': {
      const reporter = join(tmp, 'rubberduck-reporter.mjs');
      const out = join(tmp, 'node-events.jsonl');
      await writeFile(reporter, NODE_EVENTS_REPORTER);
      let flags = `--test-reporter=${shq(reporter)} --test-reporter-destination=${shq(out)} --test-reporter=spec --test-reporter-destination=stdout`;
      if (only) {
        const names = [...new Set(only.map((id) => splitJsTestId(id).titles.at(-1) ?? id))];
        flags += names.map((n) => ` --test-name-pattern=${shq(`^${escapeRegExp(n)}$`)}`).join('');
      }
      let injected = injectAfterNodeTest(cmd, flags);
      if (!injected && isPackageTestScript(cmd)) {
        const script = readTestScript(opts.cwd);
        const rewritten = script ? injectAfterNodeTest(script, flags) : undefined;
        if (rewritten) {
          // What `npm test` would run, with the reporters injected (and node_modules/.bin on PATH).
          addPath(env, opts.cwd);
          injected = rewritten;
        }
      }
      if (injected) return { command: injected, env, report: { path: out, kind: 'node-events' }, selected: !!only };
      // Unknown wrapper: NODE_OPTIONS takes the reporters (not the name pattern).
      const nodeOpts = `--test-reporter=${reporter} --test-reporter-destination=${out} --test-reporter=spec --test-reporter-destination=stdout`;
      const prev = inherited(env, 'NODE_OPTIONS');
      env.NODE_OPTIONS = prev ? `${prev} ${nodeOpts}` : nodeOpts;
      return { command: cmd, env, report: { path: out, kind: 'node-events' }, selected: false };
    }
    case 'vitest': {
      const xml = join(tmp, 'vitest.xml');
      env.CI = env.CI ?? '1';
      let args = `--reporter=junit --outputFile.junit=${shq(xml)} --reporter=default`;
      if (only) args += ` -t ${shq(titlePattern(only))}`;
      let run = /\bvitest\b(?!\s+run\b)/.test(cmd) && !isPackageTestScript(cmd) ? cmd.replace(/\bvitest\b/, 'vitest run') : cmd;
      let cleanup: string[] | undefined;
      if (opts.perTestCoverage && isPackageTestScript(run)) {
        // `npm test` cannot take a second --config: run the script itself (as npm would).
        const direct = directScript(run, 'vitest', opts.cwd, env);
        if (direct) run = /\bvitest\b(?!\s+run\b)/.test(direct) ? direct.replace(/\bvitest\b/, 'vitest run') : direct;
      }
      if (opts.perTestCoverage && !isPackageTestScript(run)) {
        await setUpCollector(env, tmp, opts.perTestCoverage);
        const wrapped = await vitestWithSetup(run, opts.cwd);
        run = wrapped.command;
        cleanup = wrapped.files;
      }
      const sepRun = isPackageTestScript(run) && !/\s--(\s|$)/.test(run) ? ' --' : '';
      return {
        command: `${run}${sepRun} ${args}`,
        env,
        report: { path: xml, kind: 'junit' },
        selected: !!only,
        ...(cleanup ? { cleanup, perTest: true } : {}),
      };
    }
    case 'jest': {
      const json = join(tmp, 'jest.json');
      env.CI = env.CI ?? '1';
      // --forceExit: a suite that leaves a handle open (a server, a timer) makes jest wait forever
      // after writing its report; the tool's runs must end when the tests do.
      let args = `--json --outputFile=${shq(json)} --forceExit`;
      if (only) args += ` -t ${shq(titlePattern(only))}`;
      let perTest = false;
      if (opts.perTestCoverage) {
        const own = await jestSetupFiles(cmd, sep, opts, env);
        if (own) {
          await setUpCollector(env, tmp, opts.perTestCoverage);
          const setup = join(tmp, 'rubberduck-jest-setup.cjs');
          await writeFile(setup, JEST_SETUP);
          args += ` --setupFilesAfterEnv ${[...own, setup].map(shq).join(' ')}`;
          perTest = true;
        }
      }
      return { command: `${cmd}${sep} ${args}`, env, report: { path: json, kind: 'jest' }, selected: !!only, ...(perTest ? { perTest } : {}) };
    }
    case 'mocha': {
      const reporter = join(tmp, 'rubberduck-mocha-reporter.cjs');
      const out = join(tmp, 'mocha.jsonl');
      await writeFile(reporter, MOCHA_REPORTER);
      env[MOCHA_OUT_ENV] = out;
      // mocha refuses a second --reporter: the user's own goes (it only changes what is printed).
      const base = isPackageTestScript(cmd) && oldMochaDirect('mocha', opts.cwd) !== 'mocha' ? (directScript(cmd, 'mocha', opts.cwd, env) ?? cmd) : cmd;
      const own = oldMochaDirect(base, opts.cwd).replace(/(^|\s)(?:--reporter|-R)(?:=|\s+)\S+/g, '$1').replace(/(^|\s)(?:--reporter-options?|-O)(?:=|\s+)\S+/g, '$1');
      let args = `--reporter ${shq(reporter)}`;
      // mocha 4+ waits for open handles after the last test (before 4 it exited): --exit.
      if ((mochaMajor(opts.cwd) ?? 0) >= 4) args += ' --exit';
      if (only) args += ` --grep ${shq(titlePattern(only))}`;
      let perTest = false;
      if (opts.perTestCoverage) {
        // --require starts coverage before the spec files load; the reporter marks the tests.
        args += ` --require ${shq(await setUpCollector(env, tmp, opts.perTestCoverage))}`;
        perTest = true;
      }
      const sepOwn = isPackageTestScript(own) && !/\s--(\s|$)/.test(own) ? ' --' : '';
      return { command: `${own.trimEnd()}${sepOwn} ${args}`, env, report: { path: out, kind: 'mocha' }, selected: !!only, ...(perTest ? { perTest } : {}) };
    }
    default:
      return { command: cmd, env, selected: false };
  }
}

async function readReport(p: Plan, runner: RunnerKind, cwd: string): Promise<{ tests: TestCase[]; filteredOut?: Set<string> } | undefined> {
  if (!p.report) return undefined;
  let text: string;
  try {
    text = await readFile(p.report.path, 'utf8');
  } catch {
    return undefined;
  }
  if (!text.trim()) return undefined;
  try {
    switch (p.report.kind) {
      case 'junit':
        return { tests: parseJUnit(text, { runner }) };
      case 'jest':
        return { tests: parseJestJson(text, cwd) };
      case 'node-events':
        return parseNodeEvents(text, cwd);
      case 'mocha':
        return { tests: parseMochaRecords(text) };
    }
  } catch {
    return undefined;
  }
}

/**
 * Run `command` in `opts.cwd` and report per-test results. Never throws for a failing or hanging
 * test suite: a timeout gives `timedOut: true` and whatever results could be read.
 */
export async function runTests(command: string, runner: RunnerKind, opts: RunOptions): Promise<TestRun> {
  const tmpDir = makeTempDir('rubberduck-run-');
  const tmp = tmpDir.path;
  let p: Plan | undefined;
  try {
    p = await plan(command, runner, opts, tmp);
    const res = await runCommand(p.command, {
      cwd: opts.cwd,
      timeoutMs: opts.timeoutMs,
      env: p.env,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const report = await readReport(p, runner, opts.cwd);
    let tests = report?.tests ?? scanTestOutput(res.output, runner);
    if (report?.filteredOut) {
      const out = report.filteredOut;
      tests = tests.filter((t) => !out.has(t.id));
    }
    if (opts.only && opts.only.length > 0 && p.selected) {
      // Name patterns can match namesakes elsewhere: keep the asked-for tests, and any failure
      // (a test file that no longer loads must not go unnoticed).
      const want = new Set(opts.only);
      tests = tests.filter((t) => want.has(t.id) || t.status === 'failed');
    }
    const { passed, failed } = countStatuses(tests);
    const cutShort = opts.exact ? null : cutShortReason(res.output, runner, p.command);
    return {
      ...(cutShort ? { cutShort } : {}),
      command,
      runner,
      exitCode: res.exitCode,
      timedOut: res.timedOut,
      durationMs: res.durationMs,
      tests,
      passed,
      failed,
      output: res.output,
    };
  } finally {
    for (const f of p?.cleanup ?? []) await rm(f, { force: true });
    tmpDir.remove();
  }
}
