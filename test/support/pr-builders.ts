/** Small builders of pull-request files (GitHub's `patch` field) for the bot's tests. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeFile } from './fake-github.js';
import { gitIn } from './git.js';
import { REPO_ROOT } from './fake-github-events.js';

/** The hunk of a new file with these lines. */
export function addedFile(filename: string, lines: readonly string[]): FakeFile {
  return { filename, status: 'added', patch: `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}` };
}

export function sha(n: number | string): string {
  return String(n).padStart(40, '0').replace(/[^0-9a-f]/g, 'a');
}

export interface FixtureRepo {
  dir: string;
  baseSha: string;
  headSha: string;
  /** The PR's files as list-files returns them (hunks only). */
  files: FakeFile[];
  /** `git archive` of a commit as GitHub's tarball API serves it (one top folder). */
  archive(ref: string): Buffer | undefined;
  /** Files of the default branch (for the contents API). */
  defaultFiles: Record<string, string>;
}

/** fixtures/github/fix-pr as a git repository: base commit, then the PR's head commit. */
export function fixPrRepo(): FixtureRepo {
  const src = join(REPO_ROOT, 'fixtures/github/fix-pr');
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'rd-fix-pr-')));
  cpSync(join(src, 'base'), dir, { recursive: true });
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'base']);
  const baseSha = gitIn(dir, ['rev-parse', 'HEAD']).trim();
  const defaultFiles: Record<string, string> = {};
  for (const path of gitIn(dir, ['ls-files']).trim().split('\n')) defaultFiles[path] = gitIn(dir, ['show', `HEAD:${path}`]);
  cpSync(join(src, 'head'), dir, { recursive: true });
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'Add lcm()']);
  const headSha = gitIn(dir, ['rev-parse', 'HEAD']).trim();
  const files: FakeFile[] = [];
  for (const line of gitIn(dir, ['diff', '--name-status', baseSha, headSha]).trim().split('\n')) {
    const [status, filename] = line.split('\t') as [string, string];
    const diff = gitIn(dir, ['diff', '--no-color', baseSha, headSha, '--', filename]);
    const patch = diff.slice(diff.indexOf('@@')).replace(/\n$/, '');
    files.push({ filename, status: status === 'A' ? 'added' : status === 'D' ? 'removed' : 'modified', patch });
  }
  return {
    dir,
    baseSha,
    headSha,
    files,
    defaultFiles,
    archive(ref: string) {
      try {
        return execFileSync('git', ['archive', '--format=tar.gz', `--prefix=octo-mathlib-${ref.slice(0, 7)}/`, ref], { cwd: dir, maxBuffer: 64 << 20 });
      } catch {
        return undefined;
      }
    },
  };
}
