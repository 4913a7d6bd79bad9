import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../model/errors.js';
import type { MessageFilter } from './message-filter.js';

/**
 * public-inbox archives (how lore.kernel.org publishes lists): git repositories in which each
 * commit adds one message as the file `m` (a v2 inbox splits them into epochs git/0.git,
 * git/1.git, …). Commits are listed by one `git rev-list`, and their messages read by one
 * `git cat-file --batch` per epoch, never one process per message.
 */

/** Runs git to completion; stdout, or a one-line error. */
function git(repo: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', repo, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', (error) => reject(error));
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(err.trim().split('\n')[0] || `git exited ${code}`))));
  });
}

/** The epochs of an inbox folder (git/N.git, in order), or the folder itself when it is one git repository. */
export async function publicInboxEpochs(path: string, name: string): Promise<string[]> {
  const gitDir = join(path, 'git');
  if (existsSync(gitDir)) {
    const epochs = readdirSync(gitDir)
      .filter((e) => /^\d+\.git$/.test(e))
      .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
      .map((e) => join(gitDir, e));
    if (epochs.length > 0) {
      await checkEpoch(epochs[0]!, name);
      return epochs;
    }
  }
  try {
    await git(path, ['rev-parse', '--git-dir']);
  } catch {
    throw new UsageError('not an archive: neither an mbox, a Maildir (cur/, new/) nor a public-inbox git repository', name);
  }
  await checkEpoch(path, name);
  return [path];
}

/** A repository is an archive when its first commit carries the file `m`. */
async function checkEpoch(repo: string, name: string): Promise<void> {
  let first: string;
  try {
    first = (await git(repo, ['rev-list', '--max-parents=0', '--max-count=1', 'HEAD'])).trim();
  } catch (error) {
    throw new UsageError(`not a public-inbox archive: ${(error as Error).message}`, name);
  }
  if (!first) throw new UsageError('not a public-inbox archive: the repository has no commits', name);
  try {
    await git(repo, ['cat-file', '-e', `${first}:m`]);
  } catch {
    throw new UsageError(`not a public-inbox archive: commit ${first.slice(0, 12)} has no file m`, name);
  }
}

async function commitsOf(repo: string, filter: MessageFilter): Promise<string[]> {
  const args = ['rev-list', '--first-parent'];
  // Commit dates follow the messages' dates in public-inbox; the headers are checked again after.
  if (filter.since) args.push(`--since=${filter.since.toISOString()}`);
  if (filter.until) args.push(`--until=${filter.until.toISOString()}`);
  if (filter.limit !== undefined) args.push(`--max-count=${filter.limit}`);
  args.push('HEAD');
  const out = await git(repo, args);
  return out.split('\n').filter(Boolean).reverse();
}

/**
 * `git cat-file --batch` answers `<oid> blob <size>\n<content>\n` per request, or
 * `<request> missing\n` (a commit that deletes a message has no `m`).
 */
async function* catFile(repo: string, commits: readonly string[], name: string): AsyncGenerator<Buffer> {
  const child = spawn('git', ['-C', repo, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.on('error', () => {});
  child.stdin.on('error', () => {});
  // Requests are written as the answers are read: the pipe never holds more than it must.
  child.stdin.end(commits.map((c) => `${c}:m\n`).join(''));
  let pending: Buffer = Buffer.alloc(0);
  let want: number | undefined;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        if (want === undefined) {
          const newline = pending.indexOf(0x0a);
          if (newline < 0) break;
          const header = pending.toString('utf8', 0, newline);
          pending = pending.subarray(newline + 1);
          if (header.endsWith(' missing')) continue;
          const size = /^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1];
          if (size === undefined) throw new UsageError(`unexpected answer from git cat-file: ${header.slice(0, 80)}`, name);
          want = Number(size);
        }
        if (pending.length < want + 1) break;
        yield Buffer.from(pending.subarray(0, want));
        pending = pending.subarray(want + 1);
        want = undefined;
      }
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  if (code !== 0 && code !== null) throw new UsageError(`git cat-file failed: ${stderr.trim().split('\n')[0] ?? code}`, name);
}

/** Every message of the inbox, oldest first (epoch by epoch), honouring since/until and the newest `limit`. */
export async function* readPublicInbox(epochs: readonly string[], name: string, filter: MessageFilter): AsyncGenerator<Buffer> {
  const lists: string[][] = [];
  let left = filter.limit;
  // The newest N live in the last epochs: walk back until N are found.
  for (let i = epochs.length - 1; i >= 0; i--) {
    if (left !== undefined && left <= 0) break;
    const commits = await commitsOf(epochs[i]!, { ...filter, ...(left !== undefined ? { limit: left } : {}) });
    lists[i] = commits;
    if (left !== undefined) left -= commits.length;
  }
  for (let i = 0; i < epochs.length; i++) {
    const commits = lists[i];
    if (commits && commits.length > 0) yield* catFile(epochs[i]!, commits, name);
  }
}
