/** The embedded queue: dedupe, superseded reviews, retries, restart recovery (on a real SQLite file). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentJobError, type Job } from '../../src/github/jobs.js';
import { SqliteQueue } from '../../src/queue/sqlite.js';
import { waitFor } from '../support/fake-github-events.js';

const dirs: string[] = [];
const queues: SqliteQueue[] = [];
afterEach(async () => {
  for (const q of queues.splice(0)) await q.close(0).catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-queue-'));
  dirs.push(dir);
  return join(dir, 'queue.sqlite');
}

function open(path: string, options: { retryDelayMs?: number } = {}): SqliteQueue {
  const queue = new SqliteQueue(path, options);
  queues.push(queue);
  return queue;
}

const review = (number: number, sha: string): Job => ({ kind: 'review', owner: 'o', repo: 'r', number, headSha: sha.repeat(40).slice(0, 40), action: 'opened', deliveryId: `d-${number}-${sha}` });

describe('SqliteQueue', () => {
  it('queues one job per (repository, PR, head, command) and remembers run-once keys', async () => {
    const queue = open(file());
    expect(await queue.enqueue(review(1, 'a'))).toBe(true);
    expect(await queue.enqueue({ ...review(1, 'a'), deliveryId: 'another' })).toBe(false);
    expect(await queue.enqueue(review(2, 'a'))).toBe(true);
    expect(await queue.once('delivery:x')).toBe(true);
    expect(await queue.once('delivery:x')).toBe(false);
    expect(await queue.counts()).toMatchObject({ waiting: 2 });
  });

  it('a newer head supersedes the waiting review of the same PR', async () => {
    const queue = open(file());
    await queue.enqueue(review(1, 'a'));
    await queue.enqueue(review(1, 'b'));
    await queue.enqueue(review(2, 'a'));
    expect(queue.list().map((j) => [j.key.replace(/@(.).*:/, '@$1:'), j.status])).toEqual([
      ['o/r#1@a:review', 'superseded'],
      ['o/r#1@b:review', 'pending'],
      ['o/r#2@a:review', 'pending'],
    ]);
  });

  it('retries a failed attempt, fails at once on a permanent error, and queues a failed job again on a new delivery', async () => {
    const queue = open(file(), { retryDelayMs: 0 });
    let attempts = 0;
    await queue.enqueue(review(1, 'a'));
    await queue.enqueue(review(2, 'a'));
    await queue.work(
      async (job) => {
        if (job.number === 2) throw new PermanentJobError('cannot read');
        if (++attempts < 2) throw new Error('503 from GitHub');
        return 'done';
      },
      { concurrency: 1 },
    );
    await waitFor(() => queue.list().every((j) => j.status === 'done' || j.status === 'failed'), 'both jobs to finish');
    expect(queue.list().map((j) => [j.status, j.attempts])).toEqual([
      ['done', 2],
      ['failed', 1],
    ]);
    expect(await queue.enqueue(review(2, 'a'))).toBe(true);
  });

  it('after a crash, the job that was running runs again on the next start', async () => {
    const path = file();
    const crashed = open(path);
    await crashed.enqueue(review(1, 'a'));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    // A handler that never ends: the process "dies" with the job in hand (its row stays 'running').
    await crashed.work(async () => {
      started();
      return new Promise<string>(() => undefined);
    }, { concurrency: 1 });
    await running;
    expect(crashed.list()[0]!.status).toBe('running');

    const restarted = open(path);
    expect(restarted.list()[0]!.status).toBe('pending');
    const seen: number[] = [];
    await restarted.work(async (job) => {
      seen.push(job.number);
      return 'reviewed';
    }, { concurrency: 1 });
    await waitFor(() => restarted.list()[0]!.status === 'done', 'the job to run again');
    expect(seen).toEqual([1]);
  });
});
