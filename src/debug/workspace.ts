/**
 * The isolated copy the debugger works in. The user's files are sacred:
 *  - no `git worktree add` (it writes into the user's .git), no stash, no index refresh: we only
 *    READ the origin (`git rev-parse`, `git ls-files`, file contents);
 *  - the snapshot is the working tree as it is (uncommitted and untracked-but-not-ignored files
 *    included, deleted files skipped), copied to os.tmpdir()/rubberduck-XXXX, where a fresh git
 *    repo commits it so that diff() and reset() are plain git commands in the copy;
 *  - dependency folders (node_modules, .venv, venv) are linked, never copied or committed:
 *    node_modules becomes a real folder of per-entry symlinks (so tool caches such as
 *    node_modules/.vite or .cache land in the copy, not in the user's tree), virtualenvs are
 *    symlinked whole (pytest runs with -p no:cacheprovider and PYTHONDONTWRITEBYTECODE=1);
 *  - the copy is removed by dispose(), on exit, and on SIGINT/SIGTERM/SIGHUP.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readdir, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../model/errors.js';
import { onProcessExit } from './process.js';
import { makeTempDir, type TempDir } from './temp-dir.js';
import type { Language, RunnerKind, Workspace } from './types.js';

export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Identity and settings so git works without a global config and ignores the user's hooks. */
const GIT_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'rubberduck',
  GIT_AUTHOR_EMAIL: 'rubberduck@localhost',
  GIT_COMMITTER_NAME: 'rubberduck',
  GIT_COMMITTER_EMAIL: 'rubberduck@localhost',
  GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2000-01-01T00:00:00Z',
  GIT_TERMINAL_PROMPT: '0',
  GIT_OPTIONAL_LOCKS: '0',
  LC_ALL: 'C',
};
const GIT_SAFE_CONFIG = [
  '-c', 'core.hooksPath=/dev/null',
  '-c', 'commit.gpgSign=false',
  '-c', 'core.autocrlf=false',
  '-c', 'core.safecrlf=false',
  '-c', 'core.fsmonitor=false',
  '-c', 'diff.noprefix=false',
  '-c', 'diff.mnemonicPrefix=false',
  '-c', 'color.ui=false',
];

/**
 * Run git with arguments (no shell). Plain spawn rather than simple-git: simple-git 4 strips the
 * GIT_* variables we need unless each is allow-listed, and we need raw bytes (-z) and stdin.
 */
export function git(args: string[], cwd: string, opts: { input?: string; env?: Record<string, string> } = {}): Promise<GitResult> {
  return new Promise((resolvePromise) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      // Inherited GIT_DIR/GIT_WORK_TREE/GIT_INDEX_FILE (e.g. inside a git hook) would redirect us.
      if (v !== undefined && !/^GIT_(DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|PREFIX|COMMON_DIR|NAMESPACE)$/.test(k)) env[k] = v;
    }
    Object.assign(env, GIT_ENV, opts.env ?? {});
    const child = spawn('git', [...GIT_SAFE_CONFIG, ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => resolvePromise({ code: null, stdout: '', stderr: e.message }));
    child.on('close', (code) =>
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

async function gitOk(args: string[], cwd: string, opts: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
  const r = await git(args, cwd, opts);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/** The repository top level and origin's path inside it (`''` or `sub/dir`), or a UsageError. */
export async function repoInfo(origin: string): Promise<{ top: string; prefix: string }> {
  if (!existsSync(origin)) throw new UsageError('no such directory', origin);
  const r = await git(['rev-parse', '--show-toplevel', '--show-prefix'], origin);
  if (r.code !== 0) throw new UsageError('not a git repository', origin);
  const [top = '', prefix = ''] = r.stdout.split('\n');
  return { top, prefix: prefix.replace(/\/$/, '') };
}

// ── live workspaces and cleanup ────────────────────────────────────────────────────────────
const live = new Set<string>();
let handlersInstalled = false;

function disposeAllSync(): void {
  for (const dir of live) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort on the way out
    }
  }
  live.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  onProcessExit(disposeAllSync);
}

/** Remove every live workspace now (for tests and graceful shutdown). */
export async function disposeAll(): Promise<void> {
  const dirs = [...live];
  live.clear();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}

// ── snapshot ───────────────────────────────────────────────────────────────────────────────
const DEP_DIRS = ['node_modules', '.venv', 'venv'];

/** Link origin's node_modules entry by entry into a real folder of the copy. */
async function linkNodeModules(source: string, target: string): Promise<void> {
  await mkdir(target, { recursive: true });
  for (const name of await readdir(source)) {
    // Tool caches (.cache, .vite, .vitest…) must not be shared; .bin is needed.
    if (name.startsWith('.') && name !== '.bin') continue;
    await symlink(join(source, name), join(target, name));
  }
}

/** The dependency folders for the copy: origin's own, else the nearest ancestor's up to the repo top. */
async function linkDependencies(origin: string, top: string, copy: string): Promise<string[]> {
  const linked: string[] = [];
  for (const name of DEP_DIRS) {
    let dir = origin;
    for (;;) {
      const candidate = join(dir, name);
      let st;
      try {
        st = await stat(candidate);
      } catch {
        st = undefined;
      }
      if (st?.isDirectory()) {
        const real = await realpath(candidate);
        if (name === 'node_modules') await linkNodeModules(real, join(copy, name));
        else await symlink(real, join(copy, name));
        linked.push(name);
        break;
      }
      if (resolve(dir) === resolve(top) || dirname(dir) === dir) break;
      dir = dirname(dir);
    }
  }
  return linked;
}

async function copySnapshot(origin: string, copy: string): Promise<string[]> {
  const listing = await gitOk(['ls-files', '-co', '--exclude-standard', '-z', '--', '.'], origin);
  const files = [...new Set(listing.split('\0').filter(Boolean))];
  const copyOne = async (rel: string): Promise<boolean> => {
    if (rel.split('/').some((part) => part === '..' || part === '.git')) return false;
    if (DEP_DIRS.includes(rel.split('/')[0]!)) return false; // linked instead
    const src = join(origin, rel);
    let st;
    try {
      st = await lstat(src);
    } catch {
      return false; // deleted in the working tree
    }
    const dst = join(copy, rel);
    if (st.isSymbolicLink()) {
      await mkdir(dirname(dst), { recursive: true });
      await symlink(await readlink(src), dst);
      return true;
    }
    if (!st.isFile()) return false; // submodule (gitlink) directories, sockets
    await mkdir(dirname(dst), { recursive: true });
    await copyFile(src, dst);
    await chmod(dst, st.mode & 0o777);
    return true;
  };
  const copied: string[] = [];
  // A few dozen copies at a time: fast on big trees, well under the open-files limit.
  for (let i = 0; i < files.length; i += 32) {
    const batch = files.slice(i, i + 32);
    const done = await Promise.all(batch.map(copyOne));
    batch.forEach((rel, k) => {
      if (done[k]) copied.push(rel);
    });
  }
  return copied;
}

/**
 * Another isolated copy of a workspace, for validating candidates in parallel: a `git clone` of
 * the primary copy's snapshot (never of the user's tree), its dependency folders linked from the
 * user's project exactly as the primary's are (linkDependencies), and its own temp folder for
 * the tests (`env`: TMPDIR, and PYTHONPYCACHEPREFIX so Python caches never collide). Removed by
 * its dispose(), by the primary's dispose(), on exit and on SIGINT/SIGTERM/SIGHUP.
 */
export async function cloneWorkspace(primary: Workspace): Promise<Workspace> {
  const { top } = await repoInfo(primary.origin);
  installHandlers();
  const dir = await mkdtemp(join(tmpdir(), 'rubberduck-'));
  live.add(dir);
  let tests: TempDir | undefined;
  try {
    // The clone's checkout lands in an empty folder: clone into it, then link the dependencies.
    await gitOk(['clone', '-q', '--no-tags', '--', primary.dir, dir], tmpdir());
    const linked = await linkDependencies(primary.origin, top, dir);
    await writeFile(join(dir, '.git', 'info', 'exclude'), linked.map((n) => `/${n}\n`).join('') + '__pycache__/\n.pytest_cache/\n');
    tests = makeTempDir('rubberduck-job-');
  } catch (e) {
    live.delete(dir);
    await rm(dir, { recursive: true, force: true });
    tests?.remove();
    throw e;
  }
  const testTmp = tests;
  const env = { TMPDIR: testTmp.path, TMP: testTmp.path, TEMP: testTmp.path, PYTHONPYCACHEPREFIX: join(testTmp.path, 'pycache') };
  const ws = workspaceAt(primary.origin, dir, primary.language, primary.runner, () => testTmp.remove());
  ws.env = env;
  clonesOf(primary).add(ws);
  return ws;
}

const clones = new WeakMap<Workspace, Set<Workspace>>();
function clonesOf(ws: Workspace): Set<Workspace> {
  let set = clones.get(ws);
  if (!set) clones.set(ws, (set = new Set()));
  return set;
}

export interface WorkspaceOptions {
  language: Language;
  runner: RunnerKind;
}

/** Snapshot `origin` (a git work tree or a subdirectory of one) into a fresh isolated copy. */
export async function createWorkspace(origin: string, opts: WorkspaceOptions): Promise<Workspace> {
  const abs = resolve(origin);
  const { top } = await repoInfo(abs);
  installHandlers();
  const dir = await mkdtemp(join(tmpdir(), 'rubberduck-'));
  live.add(dir);
  try {
    const files = await copySnapshot(abs, dir);
    const linked = await linkDependencies(abs, top, dir);
    await gitOk(['init', '-q', '-b', 'snapshot'], dir);
    // Keep linked dependencies out of the snapshot's git (a symlink is a file: no trailing slash).
    await writeFile(join(dir, '.git', 'info', 'exclude'), linked.map((n) => `/${n}\n`).join('') + '__pycache__/\n.pytest_cache/\n');
    if (files.length > 0) {
      await gitOk(['add', '-f', '--pathspec-from-file=-', '--pathspec-file-nul'], dir, {
        input: files.join('\0') + '\0',
        env: { GIT_LITERAL_PATHSPECS: '1' },
      });
    }
    await gitOk(['commit', '-q', '--allow-empty', '--no-verify', '-m', 'rubberduck snapshot'], dir);
  } catch (e) {
    live.delete(dir);
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  return workspaceAt(abs, dir, opts.language, opts.runner);
}

/** The Workspace object of a copy at `dir` (its own git repository holding the snapshot). */
function workspaceAt(origin: string, dir: string, language: Language, runner: RunnerKind, onDispose?: () => void): Workspace {
  let disposed = false;
  const self: Workspace = {
    origin,
    dir,
    language,
    runner,
    async reset(file?: string) {
      await gitOk(['checkout', '-q', '--', file ?? '.'], dir, { env: { GIT_LITERAL_PATHSPECS: file ? '1' : '0' } });
    },
    async diff() {
      return gitOk(['diff', '--no-color', '--no-ext-diff', '--src-prefix=a/', '--dst-prefix=b/', 'HEAD', '--'], dir);
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      // The parallel copies made from this one go with it.
      const mine = clones.get(self);
      if (mine) await Promise.all([...mine].map((c) => c.dispose()));
      live.delete(dir);
      onDispose?.();
      // Safety: only ever remove our own temp directory.
      if (dir.startsWith(resolve(tmpdir()) + sep) && /rubberduck-[^/]+$/.test(dir)) {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
  return self;
}

/**
 * --apply: apply a validated patch (from Workspace.diff()) to the user's tree. `git apply --check`
 * first; any failure is a UsageError and leaves the tree untouched.
 */
export async function applyPatchToOrigin(origin: string, patch: string): Promise<void> {
  const abs = resolve(origin);
  const { prefix } = await repoInfo(abs);
  if (!patch.trim()) throw new UsageError('the patch is empty', origin);
  // In a subdirectory, git apply silently skips paths outside it: anchor the paths to origin.
  const dirArg = prefix ? [`--directory=${prefix}`] : [];
  const tmp = await mkdtemp(join(tmpdir(), 'rubberduck-apply-'));
  try {
    const file = join(tmp, 'fix.patch');
    await writeFile(file, patch.endsWith('\n') ? patch : `${patch}\n`);
    const check = await git(['apply', '--check', '--verbose', ...dirArg, file], abs);
    if (check.code !== 0 || /^Skipped patch/m.test(check.stderr + check.stdout)) {
      throw new UsageError(`the patch does not apply: ${(check.stderr || check.stdout).trim().split('\n').slice(-3).join(' ')}`, origin);
    }
    const r = await git(['apply', ...dirArg, file], abs);
    if (r.code !== 0) throw new UsageError(`git apply failed: ${r.stderr.trim()}`, origin);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
