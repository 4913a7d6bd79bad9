import { Queue, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { JobSchema, jobKey, PermanentJobError, pullKey, type Job } from '../github/jobs.js';
import { MAX_ATTEMPTS, ONCE_TTL_SECONDS, type JobHandler, type JobQueue, type QueueCounts } from './types.js';

export const QUEUE_NAME = 'rubberduck';
const PREFIX = 'rubberduck';

export interface RedisQueueOptions {
  /**
   * How long a worker's lock on a job lasts before another worker may take the job over (BullMQ
   * renews it every half of that while the worker lives). A killed worker's job is retried after
   * at most about this long. Default 30 s; RUBBERDUCK_QUEUE_LOCK_MS overrides it.
   */
  lockMs?: number;
}

/**
 * The queue on Redis (BullMQ): `rubberduck serve` enqueues, any number of `rubberduck worker`
 * processes take jobs. The BullMQ job id is the job key, so a second delivery of the same event
 * adds nothing; a stalled job (its worker died) is moved back and taken by another worker.
 */
export class RedisQueue implements JobQueue {
  readonly kind = 'redis' as const;
  private readonly connection: Redis;
  private readonly queue: Queue;
  private worker?: Worker;
  private readonly lockMs: number;

  constructor(readonly url: string, options: RedisQueueOptions = {}) {
    this.lockMs = options.lockMs ?? 30_000;
    // BullMQ needs maxRetriesPerRequest: null on connections that block (workers).
    this.connection = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.connection.on('error', () => undefined);
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection, prefix: PREFIX });
  }

  /** Fail fast with a clear message when Redis is not there. */
  async ping(timeoutMs = 5000): Promise<void> {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer from Redis within ${timeoutMs / 1000} s`)), timeoutMs).unref());
    await Promise.race([this.connection.ping(), timeout]);
  }

  static jobId(job: Job): string {
    // BullMQ refuses ':' in custom ids.
    return jobKey(job).replace(/:/g, '|');
  }

  async enqueue(job: Job): Promise<boolean> {
    const id = RedisQueue.jobId(job);
    const existing = await this.queue.getJob(id);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'failed') return false;
      await existing.retry('failed');
      return true;
    }
    await this.queue.add(job.kind, job, {
      jobId: id,
      attempts: MAX_ATTEMPTS,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: { age: 30 * 24 * 3600 },
    });
    if (job.kind === 'review') await this.supersede(job, id);
    return true;
  }

  /** Remove the PR's previous review job while it is still waiting (a running one discards itself). */
  private async supersede(job: Job, id: string): Promise<void> {
    const field = pullKey(job);
    const previous = await this.connection.hget(`${PREFIX}:pull-latest`, field);
    await this.connection.hset(`${PREFIX}:pull-latest`, field, id);
    if (!previous || previous === id) return;
    const old = await this.queue.getJob(previous);
    if (!old) return;
    const state = await old.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
      await old.remove().catch(() => undefined);
      await this.connection.hincrby(`${PREFIX}:stats`, 'superseded', 1);
    }
  }

  async once(key: string, ttlSeconds: number = ONCE_TTL_SECONDS): Promise<boolean> {
    return (await this.connection.set(`${PREFIX}:once:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async work(handler: JobHandler, options: { concurrency: number; log?: (line: string) => void }): Promise<void> {
    const log = options.log ?? (() => {});
    this.worker = new Worker(
      QUEUE_NAME,
      async (bullJob: BullJob, _token?: string, signal?: AbortSignal) => {
        const job = JobSchema.parse(bullJob.data);
        try {
          const result = await handler(job, signal ?? new AbortController().signal);
          log(`${jobKey(job)}: ${result}`);
          return result;
        } catch (error) {
          const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
          log(`${jobKey(job)}: attempt ${bullJob.attemptsMade + 1} failed: ${message}`);
          if (error instanceof PermanentJobError) throw new UnrecoverableError(message);
          throw error;
        }
      },
      {
        connection: new Redis(this.url, { maxRetriesPerRequest: null }).on('error', () => undefined),
        prefix: PREFIX,
        concurrency: Math.max(1, options.concurrency),
        lockDuration: this.lockMs,
        stalledInterval: Math.max(500, Math.floor(this.lockMs / 2)),
        maxStalledCount: 2,
      },
    );
    this.worker.on('error', (error) => log(`worker: ${error.message}`));
    await this.worker.waitUntilReady();
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    const superseded = Number((await this.connection.hget(`${PREFIX}:stats`, 'superseded')) ?? 0);
    return { waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0, superseded };
  }

  async close(graceMs = 10_000): Promise<void> {
    if (this.worker) {
      const closing = this.worker.close();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([closing, grace]);
      if (this.worker.isRunning()) await this.worker.close(true);
    }
    await this.queue.close();
    this.connection.disconnect();
  }
}
