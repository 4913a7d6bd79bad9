import { execFile } from 'node:child_process';
import type { ChangeSet, DiffLine, FilePatch } from '../model/changeset.js';
import { groupSeries, parsePlainDiff } from '../parse/index.js';

/** One entry of `GET /repos/{o}/{r}/pulls/{n}/files` (the fields the bot reads). */
export interface PullFile {
  filename: string;
  status: string;
  previous_filename?: string;
  /** Left out by GitHub for binary files and for very large diffs. */
  patch?: string;
  additions: number;
  deletions: number;
  changes: number;
}

/** A pull request's diff as the bot reviews it. */
export interface PullDiff {
  /** A unified diff of every reviewable file (git's headers + GitHub's hunks). */
  text: string;
  changeset: ChangeSet;
  /** Files with changes that GitHub sent no patch for and no local checkout could supply. */
  unreviewed: string[];
  /** Files whose diff came from the local git checkout instead of the API. */
  fromCheckout: string[];
}

function quotePath(prefix: string, path: string | null): string {
  return path === null ? '/dev/null' : `${prefix}${path}`;
}

/** git's header for one file, so that the repository's own diff parser reads GitHub's hunks. */
function fileHeader(file: PullFile): string {
  const oldPath = file.status === 'added' ? null : (file.previous_filename ?? file.filename);
  const newPath = file.status === 'removed' ? null : file.filename;
  const lines = [`diff --git a/${oldPath ?? file.filename} b/${newPath ?? file.filename}`];
  if (file.status === 'added') lines.push('new file mode 100644');
  if (file.status === 'removed') lines.push('deleted file mode 100644');
  if (file.status === 'renamed' && file.previous_filename) lines.push(`rename from ${file.previous_filename}`, `rename to ${file.filename}`);
  lines.push(`--- ${quotePath('a/', oldPath)}`, `+++ ${quotePath('b/', newPath)}`);
  return lines.join('\n');
}

/** `git diff base head -- path` in a local checkout; undefined when git cannot (commits missing). */
export function gitFileDiff(repoDir: string, baseSha: string, headSha: string, path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-c', 'core.quotePath=false', 'diff', '--no-color', '--no-ext-diff', baseSha, headSha, '--', path],
      { cwd: repoDir, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
}

export interface BuildPullDiffOptions {
  /** A local checkout holding both commits (the Action's workspace), for files without a patch. */
  checkout?: { dir: string; baseSha: string; headSha: string };
  /** How the patch is named in findings (`owner/repo#12`). */
  name: string;
}

/** Turn the list-files answer into a diff text and a parsed ChangeSet. */
export async function buildPullDiff(files: readonly PullFile[], options: BuildPullDiffOptions): Promise<PullDiff> {
  const parts: string[] = [];
  const unreviewed: string[] = [];
  const fromCheckout: string[] = [];
  for (const file of files) {
    if (file.patch !== undefined && file.patch !== '') {
      parts.push(`${fileHeader(file)}\n${file.patch.endsWith('\n') ? file.patch : `${file.patch}\n`}`);
      continue;
    }
    // No patch and nothing changed: a pure rename or a binary file; nothing to review.
    if (file.changes === 0) continue;
    const local = options.checkout ? await gitFileDiff(options.checkout.dir, options.checkout.baseSha, options.checkout.headSha, file.filename) : undefined;
    if (local && local.trim() !== '') {
      parts.push(local.endsWith('\n') ? local : `${local}\n`);
      fromCheckout.push(file.filename);
    } else unreviewed.push(file.filename);
  }
  const text = parts.join('');
  const patch = parsePlainDiff(text, { input: options.name, index: 0 });
  const patches = patch.files.length > 0 ? [patch] : [];
  const changeset: ChangeSet = { inputs: [options.name], patches, series: groupSeries(patches, 'pull-request') };
  return { text, changeset, unreviewed, fromCheckout };
}

export type Side = 'RIGHT' | 'LEFT';

/** A place a review comment can go: GitHub answers 422 for a line outside the diff's hunks. */
export interface Anchor {
  path: string;
  line: number;
  side: Side;
  /** For a multi-line comment (a suggestion over several lines): the first line, same hunk. */
  startLine?: number;
}

interface LineInfo {
  hunk: number;
  text: string;
}

/**
 * The lines of a pull request's diff that GitHub accepts review comments on: per file and side,
 * line number → which hunk it is in and its content.
 */
export class DiffLines {
  private readonly files = new Map<string, { RIGHT: Map<number, LineInfo>; LEFT: Map<number, LineInfo> }>();

  constructor(files: readonly FilePatch[]) {
    for (const file of files) {
      const path = file.newPath ?? file.oldPath;
      if (!path) continue;
      const sides = { RIGHT: new Map<number, LineInfo>(), LEFT: new Map<number, LineInfo>() };
      file.hunks.forEach((hunk, index) => {
        for (const line of hunk.lines) this.add(sides, line, index);
      });
      this.files.set(path, sides);
    }
  }

  private add(sides: { RIGHT: Map<number, LineInfo>; LEFT: Map<number, LineInfo> }, line: DiffLine, hunk: number): void {
    if (line.kind !== 'del' && line.newLine !== undefined) sides.RIGHT.set(line.newLine, { hunk, text: line.text });
    if (line.kind !== 'add' && line.oldLine !== undefined) sides.LEFT.set(line.oldLine, { hunk, text: line.text });
  }

  has(path: string): boolean {
    return this.files.has(path);
  }

  /** The content of a line inside the diff, or undefined when the line is outside every hunk. */
  text(path: string, line: number, side: Side = 'RIGHT'): string | undefined {
    return this.files.get(path)?.[side].get(line)?.text;
  }

  /** True when lines start..end of one side are all inside one hunk (a valid multi-line comment). */
  inOneHunk(path: string, start: number, end: number, side: Side = 'RIGHT'): boolean {
    const lines = this.files.get(path)?.[side];
    if (!lines || end < start) return false;
    const first = lines.get(start);
    if (!first) return false;
    for (let n = start; n <= end; n++) if (lines.get(n)?.hunk !== first.hunk) return false;
    return true;
  }

  /** An anchor for line (and optionally start) on a side, when GitHub would accept it. */
  anchor(path: string, line: number, side: Side = 'RIGHT', startLine?: number): Anchor | undefined {
    if (startLine !== undefined && startLine < line) {
      return this.inOneHunk(path, startLine, line, side) ? { path, line, side, startLine } : undefined;
    }
    return this.text(path, line, side) !== undefined ? { path, line, side } : undefined;
  }
}
