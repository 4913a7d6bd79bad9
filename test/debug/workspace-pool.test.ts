/**
 * The parallel copies of a workspace (cloneWorkspace): the same snapshot, dependencies linked the
 * same way, their own temp folder and Python cache, never a write to the user's tree, removed with
 * the primary copy and by the exit hooks (Ctrl-C).
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runExitHooks, terminate } from '../../src/debug/process.js';
import { cloneWorkspace, createWorkspace } from '../../src/debug/workspace.js';
import { gitIn, makeRepoFrom, removeRepo } from '../support/git.js';

const repos: string[] = [];
afterAll(() => {
  for (const r of repos) removeRepo(r);
});

describe('cloneWorkspace', () => {
  it('makes another isolated copy of the snapshot, with its own TMPDIR, gone with the primary', async () => {
    const origin = makeRepoFrom('py-gcd');
    repos.push(origin);
    writeFileSync(join(origin, '.gitignore'), 'node_modules/\n');
    gitIn(origin, ['add', '.gitignore']);
    gitIn(origin, ['commit', '-q', '-m', 'ignore']);
    // An uncommitted edit is part of the snapshot; node_modules is linked, not copied.
    writeFileSync(join(origin, 'gcd.py'), `${readFileSync(join(origin, 'gcd.py'), 'utf8')}# local\n`);
    mkdirSync(join(origin, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(origin, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    const status = gitIn(origin, ['status', '--porcelain', '--untracked-files=all', '--ignored']);

    const ws = await createWorkspace(origin, { language: 'python', runner: 'pytest' });
    const a = await cloneWorkspace(ws);
    const b = await cloneWorkspace(ws);
    expect(new Set([ws.dir, a.dir, b.dir]).size).toBe(3);
    expect(readFileSync(join(a.dir, 'gcd.py'), 'utf8')).toContain('# local');
    // node_modules: a real folder of per-entry links into the user's one (tool caches stay in the copy).
    expect(lstatSync(join(a.dir, 'node_modules')).isDirectory()).toBe(true);
    expect(realpathSync(readlinkSync(join(a.dir, 'node_modules', 'dep')))).toBe(realpathSync(join(origin, 'node_modules', 'dep')));
    // Own temp folder and Python cache per copy.
    expect(a.env?.TMPDIR).toBeDefined();
    expect(a.env?.TMPDIR).not.toBe(b.env?.TMPDIR);
    expect(existsSync(a.env!.TMPDIR!)).toBe(true);
    expect(a.env?.PYTHONPYCACHEPREFIX?.startsWith(a.env!.TMPDIR!)).toBe(true);

    // An edit in one copy shows in its diff with the primary's paths, nowhere else.
    writeFileSync(join(a.dir, 'gcd.py'), 'changed\n');
    expect(await a.diff()).toMatch(/^--- a\/gcd\.py$/m);
    expect(await ws.diff()).toBe('');
    expect(await b.diff()).toBe('');
    await a.reset('gcd.py');
    expect(await a.diff()).toBe('');

    const tmpA = a.env!.TMPDIR!;
    await ws.dispose();
    for (const d of [ws.dir, a.dir, b.dir, tmpA]) expect(existsSync(d), d).toBe(false);
    expect(gitIn(origin, ['status', '--porcelain', '--untracked-files=all', '--ignored'])).toBe(status);
    expect(readdirSync(join(origin, 'node_modules'))).toEqual(['dep']);
  });

  it('a clone is removed by the exit hooks (Ctrl-C)', async () => {
    const origin = makeRepoFrom('js-parens');
    repos.push(origin);
    const ws = await createWorkspace(origin, { language: 'javascript', runner: 'node-test' });
    const clone = await cloneWorkspace(ws);
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    try {
      terminate('SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
      runExitHooks();
      expect(existsSync(clone.dir)).toBe(false);
      expect(existsSync(clone.env!.TMPDIR!)).toBe(false);
      expect(existsSync(ws.dir)).toBe(false);
    } finally {
      exit.mockRestore();
    }
    await ws.dispose();
  });
});
