/**
 * The bug fixtures (fixtures/bugs/<name>/), shared by the benchmark (bench/fix.ts) and the
 * fixture checker (test/fixtures/bugs.test.ts).
 *
 * A fixture folder is a small project plus what the tool must NOT see:
 *   - the project: sources, visible tests (tests/ or test/), package.json for JS/TS;
 *   - heldout/          held-out tests, run by the bench on the patched copy only. Their names
 *                       escape every runner's default discovery (heldout_*.py, *.heldout.js/ts),
 *                       so a whole-folder copy run with `pytest` or `node --test` still sees only
 *                       the visible tests;
 *   - fix.patch         the intended fix, a unified diff applied with `git apply`;
 *   - overfit.patch     a plausible-but-wrong patch: passes the visible tests, fails held-out;
 *   - rubberduck.json   the manifest (FixtureMetaSchema).
 * copyForTool() copies the project without those four.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';

/** The classes of issue 12 first, then the classes of the original 18 fixtures. */
export const BUG_CLASSES = [
  'missing-guard',
  'off-by-one',
  'wrong-variable',
  'swapped-arguments',
  'sibling-method',
  'missing-statement',
  'min-max-abs',
  'extra-statement',
  'two-edits',
  'wrong-operator',
  'wrong-constant',
  'wrong-expression',
  'multi-line',
] as const;
export type BugClass = (typeof BUG_CLASSES)[number];

export const LANGUAGES = ['python', 'javascript', 'typescript'] as const;

export const FixtureMetaSchema = z.strictObject({
  /** The visible test command, run by /bin/sh -c in the project (what `rubberduck fix --test` gets). */
  test: z.string().min(1),
  /** The held-out test command, run in the patched copy once heldout/ is added to it. */
  heldoutTest: z.string().min(1),
  language: z.enum(LANGUAGES),
  class: z.enum(BUG_CLASSES),
  /** The bug sits in a module that another module of the project imports. */
  multiFile: z.boolean().optional(),
  bug: z.string().min(1),
  /** The fix is within the engine's edit families (one edit, or two at suspect lines); false = new code needed. */
  fixableByMutation: z.boolean(),
  /** The fixed line as it reads after the fix; one per edit for a fix of several edits. */
  expectedFix: z.union([z.string().min(1), z.array(z.string().min(1)).min(2)]),
});
export type FixtureMeta = z.infer<typeof FixtureMetaSchema>;

export interface Fixture {
  name: string;
  dir: string;
  meta: FixtureMeta;
}

/** What copyForTool() leaves out: held-out tests, the intended and the overfitted patch, the manifest. */
export const HIDDEN_FROM_TOOL: ReadonlySet<string> = new Set(['heldout', 'fix.patch', 'overfit.patch', 'rubberduck.json']);
/** Never copied: caches and installed dependencies (node_modules is linked instead). */
const NEVER_COPIED = /(^|\/)(__pycache__|\.pytest_cache|node_modules)(\/|$)/;

export function readFixture(bugsDir: string, name: string): Fixture {
  const dir = join(bugsDir, name);
  const path = join(dir, 'rubberduck.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  const parsed = FixtureMetaSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return { name, dir, meta: parsed.data };
}

/** Every fixture folder (one with a rubberduck.json), sorted by name. */
export function loadFixtures(bugsDir: string): Fixture[] {
  return readdirSync(bugsDir)
    .filter((n) => existsSync(join(bugsDir, n, 'rubberduck.json')))
    .sort()
    .map((n) => readFixture(bugsDir, n));
}

export function expectedFixes(meta: FixtureMeta): string[] {
  return Array.isArray(meta.expectedFix) ? meta.expectedFix : [meta.expectedFix];
}

/** The fixture's devDependencies (package.json), which the bench provides from rubberduck's own node_modules. */
export function devDependencies(fixture: Fixture): string[] {
  const pkg = join(fixture.dir, 'package.json');
  if (!existsSync(pkg)) return [];
  const json = JSON.parse(readFileSync(pkg, 'utf8')) as { devDependencies?: Record<string, string> };
  return Object.keys(json.devDependencies ?? {});
}

/**
 * Give `dest` a node_modules made of per-entry symlinks into `nodeModules` (rubberduck's own), so
 * a fixture whose package.json lists tsx or vitest as devDependencies runs as if installed, and
 * tool caches (node_modules/.vite) land in the copy, never in our tree.
 */
export function linkNodeModules(fixture: Fixture, dest: string, nodeModules: string): void {
  const deps = devDependencies(fixture);
  if (deps.length === 0) return;
  for (const dep of deps) {
    if (!existsSync(join(nodeModules, dep))) {
      throw new Error(`fixture ${fixture.name} needs ${dep}: add it to rubberduck's devDependencies (npm install --save-dev)`);
    }
  }
  const target = join(dest, 'node_modules');
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.') && entry !== '.bin') continue;
    symlinkSync(join(nodeModules, entry), join(target, entry));
  }
}

/** Copy the project as the tool may see it (no held-out tests, no patches, no manifest) into `dest`. */
export function copyForTool(fixture: Fixture, dest: string, opts: { nodeModules?: string } = {}): void {
  mkdirSync(dest, { recursive: true });
  for (const entry of readdirSync(fixture.dir)) {
    if (HIDDEN_FROM_TOOL.has(entry)) continue;
    const src = join(fixture.dir, entry);
    cpSync(src, join(dest, entry), { recursive: true, filter: (p) => !NEVER_COPIED.test(relative(fixture.dir, p)) });
  }
  if (opts.nodeModules) linkNodeModules(fixture, dest, opts.nodeModules);
}

/** Copy heldout/ into the (patched) copy. */
export function addHeldout(fixture: Fixture, dest: string): void {
  const src = join(fixture.dir, 'heldout');
  if (!statSync(src, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`fixture ${fixture.name} has no heldout/ folder`);
  cpSync(src, join(dest, 'heldout'), { recursive: true, filter: (p) => !NEVER_COPIED.test(relative(fixture.dir, p)) });
}

export interface ShellResult {
  code: number | null;
  timedOut: boolean;
  output: string;
  seconds: number;
}

/**
 * The environment of our own test runs: no colours, no bytecode or pytest cache written, none of
 * the heavy autoloaded pytest plugins (hypothesis, benchmark: 2 s per start on this machine), and
 * none of an enclosing vitest's variables (a nested vitest would take itself for a worker).
 */
export function runEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(VITEST|NODE_OPTIONS$|NODE_V8_COVERAGE$|PYTEST_ADDOPTS$|FORCE_COLOR$)/.test(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    NO_COLOR: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTEST_ADDOPTS: '-p no:cacheprovider -p no:hypothesispytest -p no:benchmark',
    ...extra,
  };
}

/** Run `command` with /bin/sh in `cwd`; on timeout the whole process group is killed. */
export function runShell(command: string, cwd: string, timeoutMs: number, env: Record<string, string> = runEnv()): Promise<ShellResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      resolve({ code, timedOut, output: Buffer.concat(chunks).toString('utf8'), seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', () => finish(null));
    child.on('close', (code) => finish(code));
  });
}

export interface TestCounts {
  passed: number;
  failed: number;
}

/** Passed/failed counts from the summary of pytest -q, node --test (TAP or spec) or vitest. */
export function testCounts(output: string): TestCounts | undefined {
  const node = /^(?:#|ℹ) pass (\d+)\s*$/m.exec(output);
  if (node) {
    const fail = /^(?:#|ℹ) fail (\d+)\s*$/m.exec(output);
    return { passed: Number(node[1]), failed: Number(fail?.[1] ?? 0) };
  }
  const vitest = /^\s*Tests\s+(.*)$/m.exec(output);
  const pytest = [...output.matchAll(/^=*\s*(?:\d+ (?:passed|failed|errors?|skipped|deselected|xfailed|xpassed)(?:, )?)+.*$/gm)].at(-1);
  const line = vitest?.[1] ?? pytest?.[0];
  if (!line) return undefined;
  const n = (re: RegExp): number => Number(re.exec(line)?.[1] ?? 0);
  return { passed: n(/(\d+) passed/), failed: n(/(\d+) failed/) + n(/(\d+) errors?/) };
}

/** `git apply` a patch (text) in `dir`; undefined when it applied, else git's complaint. */
export async function applyPatch(dir: string, patch: string, name = 'candidate.patch'): Promise<string | undefined> {
  const file = join(dir, '..', `${name}-${process.pid}-${Date.now()}.patch`);
  writeFileSync(file, patch.endsWith('\n') ? patch : `${patch}\n`);
  try {
    // The ceiling keeps git from finding a repository ABOVE dir (paths would then be taken from its top).
    const r = await runShell(`git apply --whitespace=nowarn ${JSON.stringify(file)}`, dir, 30_000, runEnv({ GIT_CEILING_DIRECTORIES: dirname(dir) }));
    return r.code === 0 ? undefined : r.output.trim().split('\n')[0] || `git apply exited ${r.code}`;
  } finally {
    rmSync(file, { force: true });
  }
}

/** The lines a unified diff leaves in the files (added and context lines), whitespace removed. */
export function afterLines(patch: string): string[] {
  return patch
    .split('\n')
    .filter((l) => (l.startsWith('+') && !l.startsWith('+++')) || l.startsWith(' '))
    .map((l) => l.slice(1).replace(/\s+/g, ''));
}

/**
 * Whether a patch shows every line of the fixture's expected fix as it reads after the fix
 * (whitespace-insensitive): added lines, or for a deletion the kept line next to it.
 */
export function showsExpectedFix(meta: FixtureMeta, patch: string): boolean {
  const after = new Set(afterLines(patch));
  return expectedFixes(meta).every((l) => after.has(l.replace(/\s+/g, '')));
}

/** The files a unified diff touches (paths of its b/ side, or a/ for a deleted file). */
export function patchedFiles(patch: string): string[] {
  const files = new Set<string>();
  for (const m of patch.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)) files.add(m[2]!);
  return [...files];
}

/**
 * Whether two patched copies agree on every file either patch touches, whitespace aside: the
 * tool's patch is "the intended fix" when it leaves the same code as fix.patch does.
 */
export function sameCode(dirA: string, dirB: string, files: readonly string[]): boolean {
  const read = (dir: string, f: string): string | undefined => {
    try {
      return readFileSync(join(dir, f), 'utf8').replace(/\s+/g, '');
    } catch {
      return undefined;
    }
  };
  return files.every((f) => read(dirA, f) === read(dirB, f));
}

/** Run `items` through `work` with at most `limit` at a time, results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}
