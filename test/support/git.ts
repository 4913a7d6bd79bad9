/**
 * Git helpers for tests: build a throw-away repository from a fixture directory.
 * Works without a global git config (identity passed through the environment).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BUGS_DIR = join(REPO_ROOT, 'fixtures', 'bugs');
/** Bugs written apart from the repair templates, to measure bugs the engine was not tuned on (bench:fix --bugs). */
export const UNSEEN_DIR = join(REPO_ROOT, 'fixtures', 'unseen');

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Run git in `cwd` and return its stdout (throws on failure). */
export function gitIn(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgSign=false', ...args], {
    cwd,
    env: { ...process.env, ...GIT_ENV },
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A fixture by name (`py-gcd`) or path, resolved under fixtures/bugs. */
export function fixturePath(nameOrDir: string): string {
  return nameOrDir.includes('/') ? resolve(nameOrDir) : join(BUGS_DIR, nameOrDir);
}

/**
 * Copy a fixture into a fresh temp dir, `git init` it and commit everything.
 * `opts.subdir` puts the fixture in that subdirectory of the repository (the returned path is
 * still the repository root). Remove it with removeRepo().
 */
export function makeRepoFrom(fixtureDir: string, opts: { subdir?: string } = {}): string {
  const src = fixturePath(fixtureDir);
  const root = realpathSync(mkdtempSync(join(tmpdir(), `rd-repo-${basename(src)}-`)));
  const dest = opts.subdir ? join(root, opts.subdir) : root;
  cpSync(src, dest, {
    recursive: true,
    filter: (p) => {
      const rel = p.slice(src.length);
      // What the tool never sees (held-out tests, the intended and the overfitted patch; see bench/fixtures.ts).
      if (/^\/(heldout|fix\.patch|overfit\.patch)(\/|$)/.test(rel)) return false;
      return !/(^|\/)(__pycache__|\.pytest_cache|\.benchmarks|node_modules)(\/|$)/.test(rel);
    },
  });
  gitIn(root, ['init', '-q', '-b', 'main']);
  gitIn(root, ['add', '-A']);
  gitIn(root, ['commit', '-q', '-m', 'initial']);
  return root;
}

export function removeRepo(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/**
 * Give a test project this repository's own node_modules (mocha, vitest…), entry by entry in a
 * real folder so that tool caches land in the project, not here. Keep it out of git yourself
 * (the validation fixtures ship a .gitignore for it).
 */
export function linkOwnNodeModules(dir: string): void {
  const target = join(dir, 'node_modules');
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(join(REPO_ROOT, 'node_modules'))) {
    if (!name.startsWith('.') || name === '.bin') symlinkSync(join(REPO_ROOT, 'node_modules', name), join(target, name));
  }
}

export const VALIDATION_DIR = join(REPO_ROOT, 'fixtures', 'validation');
