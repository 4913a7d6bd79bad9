import { join } from 'node:path';
import { UsageError } from '../model/errors.js';
import type { JobQueue } from './types.js';

export type { JobQueue, JobHandler, QueueCounts } from './types.js';

export interface QueueSettings {
  /** REDIS_URL: BullMQ on Redis; else the embedded SQLite queue. */
  redisUrl?: string;
  /** RUBBERDUCK_QUEUE_FILE: the SQLite file (default .rubberduck/queue.sqlite in the current directory). */
  file?: string;
  /** RUBBERDUCK_QUEUE_LOCK_MS: the Redis job lock (how soon a dead worker's job is taken over). */
  lockMs?: number;
}

export function queueSettingsFrom(env: Record<string, string | undefined>, cwd: string = process.cwd()): QueueSettings {
  const lock = env.RUBBERDUCK_QUEUE_LOCK_MS;
  if (lock !== undefined && !/^\d+$/.test(lock)) throw new UsageError('expects a whole number of milliseconds', 'RUBBERDUCK_QUEUE_LOCK_MS');
  return {
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    file: env.RUBBERDUCK_QUEUE_FILE || join(cwd, '.rubberduck', 'queue.sqlite'),
    ...(lock !== undefined ? { lockMs: Number(lock) } : {}),
  };
}

/** Open the queue the settings name; Redis is pinged first so a wrong URL is one clear line. */
export async function openQueue(settings: QueueSettings): Promise<JobQueue> {
  if (settings.redisUrl) {
    let url: URL;
    try {
      url = new URL(settings.redisUrl);
    } catch {
      throw new UsageError('not a URL (expected redis://host:port)', 'REDIS_URL');
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UsageError('expected a redis:// or rediss:// URL', 'REDIS_URL');
    const { RedisQueue } = await import('./bullmq.js');
    const queue = new RedisQueue(settings.redisUrl, settings.lockMs !== undefined ? { lockMs: settings.lockMs } : {});
    try {
      await queue.ping();
    } catch (error) {
      await queue.close(0).catch(() => undefined);
      throw new UsageError(`cannot reach Redis at ${url.host} (${error instanceof Error ? error.message : String(error)})`, 'REDIS_URL');
    }
    return queue;
  }
  const { SqliteQueue } = await import('./sqlite.js');
  try {
    return new SqliteQueue(settings.file ?? join(process.cwd(), '.rubberduck', 'queue.sqlite'));
  } catch (error) {
    throw new UsageError(`cannot open the queue file (${error instanceof Error ? error.message : String(error)})`, settings.file ?? 'RUBBERDUCK_QUEUE_FILE');
  }
}
