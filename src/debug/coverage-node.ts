/**
 * Per-test line coverage for JavaScript and TypeScript on Node, from V8's own block coverage.
 *
 *  - jest, vitest, mocha: ONE run with a collector inside the runner's processes that takes V8's
 *    precise coverage at the start and end of every test (coverage-pertest.ts); lines of the
 *    code that really ran (babel-jest, vite, tsx, ts-node) are mapped back through source maps.
 *  - node:test, and the others when the collector got nothing (a crash, a timeout, a runner
 *    config it cannot extend): NODE_V8_COVERAGE=<dir> (every Node process writes coverage-*.json
 *    there when it exits, with Node's source-map cache for transformed code); one run per test
 *    file, then for node:test one more run per test of a file that holds several
 *    (`--test-name-pattern`, through runTests' `only`) as long as the total stays under a cap —
 *    above it, the file is the unit (id = file path, failed = any test of it failed).
 */
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests, shq } from './run-tests.js';
import type { CoverageMatrix, RunnerKind, TestCase } from './types.js';
import { makeTempDir } from './temp-dir.js';
import { readPerTestCoverage } from './coverage-pertest.js';
import { NODE_FLAG } from './detect.js';
import type { SourceMapInput } from '@jridgewell/trace-mapping';
import { addExecuted, isJsTestPath, prepareScript, projectSource, v8ToLines, type PreparedScript, type V8Function } from './v8-lines.js';

export interface NodeCoverageOptions {
  /** Timeout of each run. */
  timeoutMs: number;
  /** Tests from a previous run (ids, files, statuses), when known: saves a discovery run. */
  tests?: TestCase[];
  /** Most runs per test (default 60); above it, per-file granularity. */
  maxRuns?: number;
  /** Total time budget (default 10 × timeoutMs); once spent, remaining files stay per-file. */
  budgetMs?: number;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

interface V8Script {
  scriptId: string;
  url: string;
  functions: V8Function[];
}

/** Node's `source-map-cache` entry of a NODE_V8_COVERAGE file (written for transformed code). */
interface SourceMapCacheEntry {
  lineLengths?: number[];
  data?: SourceMapInput | null;
}


export { isJsTestPath, v8ToLines };

/**
 * Read every coverage-*.json of a NODE_V8_COVERAGE dir: project file → executed lines. Scripts
 * that Node saw through a source map (its `source-map-cache`: tsx, ts-node, --enable-source-maps)
 * or whose file ends with a sourceMappingURL are mapped back to their original sources.
 */
export function readV8CoverageDir(covDir: string, root: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let names: string[] = [];
  try {
    names = readdirSync(covDir).filter((n) => n.endsWith('.json'));
  } catch {
    return out;
  }
  const fromDisk = new Map<string, PreparedScript | null>();
  const real = new Map<string, string | null>();
  for (const name of names) {
    let data: { result?: V8Script[]; 'source-map-cache'?: Record<string, SourceMapCacheEntry> };
    try {
      data = JSON.parse(readFileSync(join(covDir, name), 'utf8')) as typeof data;
    } catch {
      continue;
    }
    const cache = data['source-map-cache'] ?? {};
    const mapped = new Map<string, PreparedScript | null>();
    for (const script of data.result ?? []) {
      let abs: string;
      if (script.url.startsWith('file://')) {
        try {
          abs = fileURLToPath(script.url);
        } catch {
          continue;
        }
      } else if (script.url.startsWith('/')) abs = script.url;
      else continue;
      if (abs.split(sep).includes('node_modules')) continue;
      const entry = cache[script.url];
      let prepared: PreparedScript | null | undefined;
      if (entry?.data && entry.lineLengths) {
        prepared = mapped.get(script.url);
        if (prepared === undefined) {
          prepared = prepareScript({ path: abs, lineLengths: entry.lineLengths, map: entry.data }) ?? null;
          mapped.set(script.url, prepared);
        }
      } else {
        // The executed text is the file itself (plain JavaScript); only project files are read.
        if (!projectSource(abs, root, real) && !sourceMapTarget(abs)) continue;
        prepared = fromDisk.get(abs);
        if (prepared === undefined) {
          let src: string | undefined;
          try {
            src = readFileSync(abs, 'utf8');
          } catch {
            src = undefined;
          }
          prepared = src === undefined ? null : (prepareScript({ path: abs, source: src }) ?? null);
          fromDisk.set(abs, prepared);
        }
      }
      if (prepared) addExecuted(out, prepared, script.functions, root, real);
    }
  }
  return out;
}

/** A built file (dist/…, build/…) that may map back to project sources through a .map file. */
function sourceMapTarget(abs: string): boolean {
  return /\.[cm]?js$/.test(abs) && existsSync(`${abs}.map`);
}

/** Whether a test command runs TypeScript through a loader (tsx, ts-node, swc, type stripping). */
export function runsTypeScript(command: string): boolean {
  return /\b(tsx|ts-node|@swc-node\/register|@swc\/register|esbuild-register|@esbuild-kit)\b|--experimental-strip-types|--experimental-transform-types/.test(command);
}

/**
 * Test files of a project, the way `node --test` finds them (plus *.spec.*); TypeScript ones too
 * when `typescript` (the command runs a TS loader).
 */
export function findJsTestFiles(root: string, limit = 500, typescript = false): string[] {
  const ext = typescript ? /\.[cm]?[jt]s$/ : /\.[cm]?js$/;
  const found: string[] = [];
  const walk = (abs: string, rel: string, depth: number, inTestDir: boolean) => {
    if (depth > 8 || found.length >= limit) return;
    let entries: string[];
    try {
      entries = readdirSync(abs).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.startsWith('.') || e === 'node_modules') continue;
      const a = join(abs, e);
      const r = rel ? `${rel}/${e}` : e;
      let st;
      try {
        st = statSync(a);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(a, r, depth + 1, inTestDir || e === 'test' || e === 'tests' || e === '__tests__');
      else if (ext.test(e) && !/\.d\.[cm]?ts$/.test(e) && (inTestDir || isJsTestPath(r)) && !/(^|\/)(fixtures?|helpers?|support)\//.test(r)) found.push(r);
    }
  };
  walk(root, '', 0, false);
  return found;
}

/** Node flags written between `node` and `--test` in the project's command (loaders, --import…). */
export function nodeFlags(testCommand: string): string {
  const m = new RegExp(String.raw`(?:^|[\s;&|(])node(?:js)?((?:${NODE_FLAG})*?)\s+--test(?=\s|$)`).exec(testCommand);
  if (!m) return '';
  const words = (m[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i]!.startsWith('--test')) continue;
    kept.push(words[i]!);
    // an option's value travels with it
    if (!words[i]!.includes('=') && i + 1 < words.length && !words[i + 1]!.startsWith('-')) kept.push(words[++i]!);
  }
  return kept.join(' ');
}

function fileOfTest(t: TestCase): string | undefined {
  if (t.file) return t.file;
  const first = t.id.split(' > ')[0];
  return first && /\.[cm]?[jt]sx?$/.test(first) ? first : undefined;
}

/**
 * Per-test coverage from one run of jest, vitest or mocha with our collector in the test
 * processes; null when no test got lines of its own (hooks refused, a crash, a timeout), and
 * the caller falls back to one run per file.
 */
async function collectInProcess(
  dir: string,
  root: string,
  testCommand: string,
  runner: RunnerKind,
  opts: NodeCoverageOptions,
): Promise<CoverageMatrix | null> {
  const cov = makeTempDir('rd-pertest-');
  try {
    // One run replaces the per-file runs: it may use their budget (taking coverage twice per test
    // slows a big suite down: 677 vitest tests ran 6× slower than without it).
    const budget = opts.budgetMs ?? opts.timeoutMs * 10;
    const res = await runTests(testCommand, runner, {
      cwd: dir,
      timeoutMs: Math.max(opts.timeoutMs, Math.min(budget, opts.timeoutMs * 3)),
      ...(opts.env ? { env: opts.env } : {}),
      perTestCoverage: { dir: cov.path, roots: [...new Set([root, resolve(dir)])] },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (res.timedOut) return null;
    const { matrix, measured } = readPerTestCoverage(cov.path, res.tests, dir, root);
    return measured > 0 ? matrix : null;
  } finally {
    cov.remove();
  }
}

/**
 * Run the tests with V8 coverage and build the per-test matrix (ids as runTests reports them,
 * or test file paths where only per-file granularity was possible).
 */
export async function collectNodeCoverage(
  dir: string,
  testCommand: string,
  runner: RunnerKind,
  opts: NodeCoverageOptions,
): Promise<CoverageMatrix> {
  const root = realpathSync(dir);
  if (runner === 'jest' || runner === 'vitest' || runner === 'mocha') {
    // One run with the per-test collector inside the runner (coverage-pertest.ts).
    const inProcess = await collectInProcess(dir, root, testCommand, runner, opts);
    if (inProcess) return inProcess;
  }
  const started = Date.now();
  const budget = opts.budgetMs ?? opts.timeoutMs * 10;
  const maxRuns = opts.maxRuns ?? 60;
  const tmpDir = makeTempDir('rd-v8cov-');
  const tmp = tmpDir.path;
  let runNo = 0;
  const matrix: CoverageMatrix = { tests: [], lines: new Map() };
  const addEntry = (id: string, failed: boolean, lines: Map<string, Set<number>>) => {
    const idx = matrix.tests.length;
    matrix.tests.push({ id, failed });
    for (const [file, set] of lines) {
      for (const l of set) {
        const key = `${file}:${l}`;
        const list = matrix.lines.get(key);
        if (list) list.push(idx);
        else matrix.lines.set(key, [idx]);
      }
    }
  };
  const commandFor = (file: string): string => {
    if (runner === 'node-test' || runner === 'unknown') {
      const flags = nodeFlags(testCommand);
      return `node ${flags ? `${flags} ` : ''}--test ${shq(file)}`;
    }
    const npm = /^\s*(npm|pnpm|yarn)\b/.test(testCommand) && !/\s--(\s|$)/.test(testCommand);
    return `${testCommand}${npm ? ' --' : ''} ${shq(file)}`;
  };
  const run = async (file: string, only?: string[]) => {
    const covDir = join(tmp, `run-${runNo++}`);
    const res = await runTests(commandFor(file), runner === 'unknown' ? 'node-test' : runner, {
      cwd: dir,
      timeoutMs: opts.timeoutMs,
      env: { ...(opts.env ?? {}), NODE_V8_COVERAGE: covDir },
      ...(only ? { only } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const lines = readV8CoverageDir(covDir, root);
    rmSync(covDir, { recursive: true, force: true });
    return { res, lines };
  };

  try {
    // Which files to run.
    const known = opts.tests ?? [];
    let files = [...new Set(known.map(fileOfTest).filter((f): f is string => !!f))];
    if (files.length === 0) files = findJsTestFiles(root, 500, runsTypeScript(testCommand));

    // Pass 1: each file once (coverage per file, and the list of its tests with statuses).
    const perFile: { file: string; tests: TestCase[]; failed: boolean; lines: Map<string, Set<number>> }[] = [];
    for (const file of files) {
      if (opts.signal?.aborted) break;
      const { res, lines } = await run(file);
      const tests = res.tests.filter((t) => !fileOfTest(t) || fileOfTest(t) === file);
      const failed = res.timedOut || res.failed > 0 || (res.exitCode !== 0 && res.exitCode !== null) || res.exitCode === null;
      perFile.push({ file, tests, failed, lines });
    }

    // Pass 2: per test, for node:test, within the cap and the budget.
    const perTestPossible = runner === 'node-test' || runner === 'unknown';
    const totalTests = perFile.reduce((n, f) => n + (f.tests.length > 1 ? f.tests.length : 0), 0);
    const perTest = perTestPossible && totalTests <= maxRuns;
    for (const f of perFile) {
      const statuses = f.tests.filter((t) => t.status !== 'skipped');
      if (statuses.length === 1) {
        addEntry(statuses[0]!.id, statuses[0]!.status === 'failed' || f.failed, f.lines);
        continue;
      }
      if (!perTest || statuses.length === 0 || Date.now() - started > budget || opts.signal?.aborted) {
        addEntry(f.file, f.failed, f.lines);
        continue;
      }
      for (const t of statuses) {
        if (Date.now() - started > budget || opts.signal?.aborted) {
          // Out of time: what is left of this file counts as one entry.
          addEntry(`${f.file} (rest)`, f.failed, f.lines);
          break;
        }
        const { res, lines } = await run(f.file, [t.id]);
        const mine = res.tests.find((x) => x.id === t.id);
        const failed = mine ? mine.status === 'failed' : t.status === 'failed' || res.timedOut;
        addEntry(t.id, failed, lines);
      }
    }
    return matrix;
  } finally {
    tmpDir.remove();
  }
}
