/**
 * git for the benchmarks' scratch repositories: a fixed identity and no hooks, signing or system
 * configuration of the machine's, so a bench run never depends on who runs it.
 */
import { spawnSync } from 'node:child_process';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@localhost',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Runs git in `cwd` and returns its stdout; a failure throws with git's own message. */
export function benchGit(cwd: string, args: string[]): string {
  const r = spawnSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgSign=false', ...args], { cwd, env: GIT_ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${(r.stderr ?? '').trim()}`);
  return r.stdout;
}
