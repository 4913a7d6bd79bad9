export interface CommitSubject {
  hash: string;
  subject: string;
}

/**
 * The full hash and subject of a commit named by a (possibly abbreviated) hash in a local
 * repository, or undefined when the repository does not have it. Used to rewrite a malformed
 * Fixes tag with the subject the commit really has.
 */
export async function lookupCommitSubject(repo: string, hash: string): Promise<CommitSubject | undefined> {
  if (!/^[0-9a-f]{7,40}$/i.test(hash)) return undefined;
  try {
    // simple-git loads only when a repository is consulted: most reviews have none.
    const { simpleGit } = await import('simple-git');
    const out = await simpleGit({ baseDir: repo }).raw(['log', '-1', '--format=%H%x00%s', `${hash.toLowerCase()}^{commit}`, '--']);
    const [full, subject] = out.trim().split('\0');
    return full && subject !== undefined ? { hash: full, subject } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `hash` names a commit that is HEAD or an ancestor of it in the repository; undefined
 * when git cannot tell (no such commit, no HEAD). (`merge-base --is-ancestor` answers by exit
 * code alone, which simple-git does not report when stderr is empty; the merge base does.)
 */
export async function isAncestorOfHead(repo: string, hash: string): Promise<boolean | undefined> {
  if (!/^[0-9a-f]{7,40}$/i.test(hash)) return undefined;
  try {
    const { simpleGit } = await import('simple-git');
    const git = simpleGit({ baseDir: repo });
    const full = (await git.raw(['rev-parse', '--verify', '--quiet', `${hash.toLowerCase()}^{commit}`])).trim();
    if (!/^[0-9a-f]{40,64}$/.test(full)) return undefined;
    const base = (await git.raw(['merge-base', full, 'HEAD'])).trim();
    return base === full;
  } catch {
    return undefined;
  }
}
