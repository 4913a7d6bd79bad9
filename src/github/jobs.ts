import { z } from 'zod';

/**
 * A unit of the bot's work, small enough to sit in SQLite or Redis: the worker fetches the rest
 * from GitHub. One job per (repository, PR, head sha, command).
 */
const Common = {
  owner: z.string().min(1),
  repo: z.string().min(1),
  number: z.number().int().positive(),
  /** The App installation whose token the worker uses (absent in the Action). */
  installationId: z.number().int().positive().optional(),
  /** X-GitHub-Delivery of the event that asked for it. */
  deliveryId: z.string(),
};

export const JobSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('review'), ...Common, headSha: z.string().regex(/^[0-9a-f]{7,64}$/), action: z.string() }),
  /**
   * `/rubberduck fix` on a PR comment. The comment event carries no head sha: the worker reads it
   * and runs at most once per (repository, PR, head sha, 'fix').
   */
  z.object({ kind: z.literal('fix'), ...Common, commentId: z.number().int().positive(), commenter: z.string().min(1) }),
]);
export type Job = z.infer<typeof JobSchema>;
export type ReviewJob = Extract<Job, { kind: 'review' }>;
export type FixJob = Extract<Job, { kind: 'fix' }>;

export function prName(job: Pick<Job, 'owner' | 'repo' | 'number'>): string {
  return `${job.owner}/${job.repo}#${job.number}`;
}

/** The dedupe key: a second delivery of the same event maps to the same key and is a no-op. */
export function jobKey(job: Job): string {
  return job.kind === 'review' ? `${prName(job)}@${job.headSha}:review` : `${prName(job)}:fix:comment-${job.commentId}`;
}

/** The run-once key of a fix, known once the worker has read the PR's head. */
export function fixRunKey(job: FixJob, headSha: string): string {
  return `${prName(job)}@${headSha}:fix`;
}

/** Which PR a job is about: a newer review job for the same PR supersedes an older one. */
export function pullKey(job: Pick<Job, 'owner' | 'repo' | 'number'>): string {
  return prName(job);
}

/** A failure that retrying cannot fix (a 404 on the PR, a bad configuration): the job fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}
