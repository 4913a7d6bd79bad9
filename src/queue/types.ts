import type { Job } from '../github/jobs.js';

/** What a worker does with a job; the string is logged. Throw PermanentJobError for no retry. */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<string>;

export interface QueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  superseded: number;
}

/**
 * The bot's job queue: embedded SQLite by default (src/queue/sqlite.ts), BullMQ on Redis when
 * REDIS_URL is set (src/queue/bullmq.ts). Both dedupe on jobKey(), cancel a waiting review of a PR
 * when a newer head is queued, keep unfinished jobs across restarts and retry failed ones.
 */
export interface JobQueue {
  readonly kind: 'sqlite' | 'redis';
  /** Queue a job unless one with the same key exists (a failed one is queued again); true when queued. */
  enqueue(job: Job): Promise<boolean>;
  /** True the first time a key is seen (webhook delivery ids, fix runs); remembered for `ttlSeconds`. */
  once(key: string, ttlSeconds?: number): Promise<boolean>;
  /** Start taking jobs (in this process) with `concurrency` at a time. */
  work(handler: JobHandler, options: { concurrency: number; log?: (line: string) => void }): Promise<void>;
  counts(): Promise<QueueCounts>;
  /** Stop taking jobs, wait for running ones (up to `graceMs`), close the store. */
  close(graceMs?: number): Promise<void>;
}

/** How many times a job is tried before it is marked failed. */
export const MAX_ATTEMPTS = 3;
/** How long delivery ids and fix-run keys are remembered. */
export const ONCE_TTL_SECONDS = 30 * 24 * 3600;
