import { afterAll, describe, expect, it, vi } from 'vitest';
import { runExitHooks, terminate } from '../../src/debug/process.js';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { applyPatchToOrigin, createWorkspace } from '../../src/debug/workspace.js';
import { runTests } from '../../src/debug/run-tests.js';
import { UsageError } from '../../src/model/errors.js';
import { gitIn, makeRepoFrom, removeRepo } from '../support/git.js';

const repos: string[] = [];
afterAll(() => {
  for (const r of repos) removeRepo(r);
});

/** mtime (ns) of every file and directory under dir, .git included. */
function mtimes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p, { bigint: true });
      out[relative(dir, p)] = `${st.mtimeNs}:${st.size}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

function gitState(dir: string) {
  return {
    status: gitIn(dir, ['status', '--porcelain', '--untracked-files=all', '--ignored']),
    head: gitIn(dir, ['rev-parse', 'HEAD']),
    stash: gitIn(dir, ['stash', 'list']),
    worktrees: gitIn(dir, ['worktree', 'list', '--porcelain']),
    branches: gitIn(dir, ['branch', '-a']),
  };
}

describe('createWorkspace', () => {
  it('copies a snapshot with uncommitted changes and never touches the origin', async () => {
    const origin = makeRepoFrom('py-gcd');
    repos.push(origin);
    // Working tree state: a modification, an untracked file, a deletion, ignored files, deps.
    writeFileSync(join(origin, 'gcd.py'), readFileSync(join(origin, 'gcd.py'), 'utf8') + '\n# local edit\n');
    writeFileSync(join(origin, 'notes.txt'), 'untracked\n');
    writeFileSync(join(origin, '.gitignore'), '*.log\nnode_modules/\n.venv/\n');
    gitIn(origin, ['add', '.gitignore']);
    gitIn(origin, ['commit', '-q', '-m', 'ignore']);
    unlinkSync(join(origin, 'tests', 'test_gcd.py'));
    writeFileSync(join(origin, 'debug.log'), 'ignored\n');
    mkdirSync(join(origin, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(origin, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    mkdirSync(join(origin, 'node_modules', '.cache'), { recursive: true });
    mkdirSync(join(origin, '.venv', 'bin'), { recursive: true });
    writeFileSync(join(origin, '.venv', 'pyvenv.cfg'), 'home = /usr/bin\n');

    const before = gitState(origin);
    const timesBefore = mtimes(origin);

    const ws = await createWorkspace(origin, { language: 'python', runner: 'pytest' });
    expect(ws.origin).toBe(origin);
    expect(ws.dir.startsWith(tmpdir())).toBe(true);
    expect(ws.dir).not.toBe(origin);
    // the snapshot: uncommitted edit and untracked file in, deleted and ignored files out
    expect(readFileSync(join(ws.dir, 'gcd.py'), 'utf8')).toContain('# local edit');
    expect(existsSync(join(ws.dir, 'notes.txt'))).toBe(true);
    expect(existsSync(join(ws.dir, 'tests', 'test_gcd.py'))).toBe(false);
    expect(existsSync(join(ws.dir, 'debug.log'))).toBe(false);
    // dependencies are linked, caches are not shared, nothing of them is committed
    expect(readFileSync(join(ws.dir, 'node_modules', 'dep', 'index.js'), 'utf8')).toContain('module.exports');
    expect(lstatSync(join(ws.dir, 'node_modules')).isSymbolicLink()).toBe(false);
    expect(lstatSync(join(ws.dir, 'node_modules', 'dep')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(ws.dir, 'node_modules', '.cache'))).toBe(false);
    expect(lstatSync(join(ws.dir, '.venv')).isSymbolicLink()).toBe(true);
    const tracked = gitIn(ws.dir, ['ls-files']).split('\n').filter(Boolean).sort();
    expect(tracked).toEqual(['.gitignore', 'gcd.py', 'notes.txt', 'rubberduck.json']);
    expect(gitIn(ws.dir, ['status', '--porcelain'])).toBe('');

    // an edit in the copy shows in diff(), with paths relative to origin, and applies there
    writeFileSync(join(ws.dir, 'gcd.py'), readFileSync(join(ws.dir, 'gcd.py'), 'utf8').replace('gcd(a % b, b)', 'gcd(b, a % b)'));
    const diff = await ws.diff();
    expect(diff).toContain('--- a/gcd.py');
    expect(diff).toContain('+++ b/gcd.py');
    expect(diff).toContain('+    return gcd(b, a % b)');
    gitIn(origin, ['apply', '--check', '-'], diff);

    // reset(file) restores the snapshot
    await ws.reset('gcd.py');
    expect(await ws.diff()).toBe('');
    expect(readFileSync(join(ws.dir, 'gcd.py'), 'utf8')).toContain('# local edit');
    writeFileSync(join(ws.dir, 'notes.txt'), 'changed\n');
    await ws.reset();
    expect(await ws.diff()).toBe('');

    // running the tests in the copy writes nothing into the origin
    const run = await runTests('python3 -m pytest -q', 'pytest', { cwd: ws.dir, timeoutMs: 60_000 });
    expect(run.exitCode).not.toBeNull();

    expect(mtimes(origin)).toEqual(timesBefore);
    const dir = ws.dir;
    await ws.dispose();
    expect(existsSync(dir)).toBe(false);
    await ws.dispose(); // idempotent
    // the origin's dependencies survived the removal of the copy's links
    expect(existsSync(join(origin, 'node_modules', 'dep', 'index.js'))).toBe(true);
    expect(existsSync(join(origin, '.venv', 'pyvenv.cfg'))).toBe(true);
    expect(mtimes(origin)).toEqual(timesBefore);
    expect(gitState(origin)).toEqual(before);

    // --apply writes the validated patch into the origin
    await applyPatchToOrigin(origin, diff);
    expect(readFileSync(join(origin, 'gcd.py'), 'utf8')).toContain('return gcd(b, a % b)');
  });

  it('works on a subdirectory of a repository', async () => {
    const root = makeRepoFrom('js-kth', { subdir: 'packages/kth' });
    repos.push(root);
    writeFileSync(join(root, 'README.md'), 'top level\n');
    const origin = join(root, 'packages', 'kth');
    const before = gitState(root);
    const ws = await createWorkspace(origin, { language: 'javascript', runner: 'node-test' });
    try {
      expect(existsSync(join(ws.dir, 'kth.js'))).toBe(true);
      expect(existsSync(join(ws.dir, 'README.md'))).toBe(false);
      const broken = await runTests('node --test', 'node-test', { cwd: ws.dir, timeoutMs: 60_000 });
      expect(broken.failed).toBeGreaterThan(0);
      const file = join(ws.dir, 'kth.js');
      writeFileSync(file, readFileSync(file, 'utf8').replace('k - numLess)', 'k - numLessOrEq)'));
      const fixed = await runTests('node --test', 'node-test', { cwd: ws.dir, timeoutMs: 60_000 });
      expect(fixed.exitCode).toBe(0);
      expect(fixed.failed).toBe(0);
      const diff = await ws.diff();
      expect(diff).toContain('--- a/kth.js');
      expect(gitState(root)).toEqual(before);
      await applyPatchToOrigin(origin, diff);
      expect(readFileSync(join(origin, 'kth.js'), 'utf8')).toContain('k - numLessOrEq)');
      expect(existsSync(join(root, 'kth.js'))).toBe(false);
    } finally {
      await ws.dispose();
    }
  });

  it('rejects a directory that is not in a git repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-norepo-'));
    try {
      await expect(createWorkspace(dir, { language: 'python', runner: 'pytest' })).rejects.toThrow(UsageError);
      await expect(createWorkspace(dir, { language: 'python', runner: 'pytest' })).rejects.toThrow(/not a git repository/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('applyPatchToOrigin', () => {
  it('refuses a patch that does not apply and leaves the tree alone', async () => {
    const origin = makeRepoFrom('py-sieve');
    repos.push(origin);
    const before = statSync(join(origin, 'sieve.py')).mtimeMs;
    const bad = '--- a/sieve.py\n+++ b/sieve.py\n@@ -1,1 +1,1 @@\n-this line is not there\n+nor this\n';
    await expect(applyPatchToOrigin(origin, bad)).rejects.toThrow(UsageError);
    await expect(applyPatchToOrigin(origin, '')).rejects.toThrow(UsageError);
    expect(statSync(join(origin, 'sieve.py')).mtimeMs).toBe(before);
    expect(gitIn(origin, ['status', '--porcelain'])).toBe('');
  });
});

describe('cleanup on signals', () => {
  it('removes live workspaces on SIGINT and exits 130', async () => {
    const origin = makeRepoFrom('js-parens');
    repos.push(origin);
    const ws = await createWorkspace(origin, { language: 'javascript', runner: 'node-test' });
    expect(existsSync(ws.dir)).toBe(true);
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      // What SIGINT does: the signal hooks, then exit 130, whose 'exit' listener runs the hooks
      // (process.exit is mocked here, so the test runs them as the listener would).
      terminate('SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
      runExitHooks();
      expect(existsSync(ws.dir)).toBe(false);
    } finally {
      exit.mockRestore();
    }
    await ws.dispose(); // harmless afterwards
  });
});
