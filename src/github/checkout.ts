import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar';
import { git } from '../debug/workspace.js';
import { onProcessExit } from '../debug/process.js';
import type { GitHub } from './octokit.js';

/** Larger archives are refused (a fix runs on the bot's disk). */
export const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;

export interface Checkout {
  dir: string;
  dispose(): Promise<void>;
}

/**
 * The PR head in a private temp folder, as a git work tree with one commit (the debugger wants
 * one). It comes from the tarball API of the base repository at the head sha, which works with
 * an installation token, for fork PRs too (GitHub keeps a PR's commits in the base repository),
 * and on GitHub Enterprise through GITHUB_API_URL. No credentials end up in the folder.
 */
export async function checkoutHead(octokit: GitHub, owner: string, repo: string, sha: string): Promise<Checkout> {
  const dir = await mkdtemp(join(tmpdir(), 'rubberduck-pr-'));
  // Removed on any exit too (the hook is synchronous; a removed folder makes it a no-op).
  const unregister = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const dispose = async () => {
    await rm(dir, { recursive: true, force: true });
    unregister();
  };
  try {
    const answer = await octokit.rest.repos.downloadTarballArchive({ owner, repo, ref: sha });
    const data = answer.data as ArrayBuffer;
    if (data.byteLength > MAX_ARCHIVE_BYTES) throw new Error(`the archive of ${sha.slice(0, 12)} is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
    // GitHub's archives hold one top folder (`owner-repo-sha/`): strip it.
    await pipeline(Readable.from([Buffer.from(data)]), extract({ cwd: dir, strip: 1, preservePaths: false }));
    for (const args of [['init', '-q', '-b', 'pr-head'], ['add', '-A'], ['commit', '-q', '--no-verify', '-m', `PR head ${sha}`]]) {
      const result = await git(args, dir);
      if (result.code !== 0) throw new Error(`git ${args[0]} in the checkout failed: ${result.stderr.trim()}`);
    }
    return { dir, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
