/**
 * The Redis path against a REAL redis-server started here on a free port: `rubberduck serve` with
 * REDIS_URL only queues, two `rubberduck worker` processes take the jobs; a burst of 200
 * deliveries is reviewed exactly once per PR, and nothing is lost when one worker is killed in
 * the middle of a job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { appEnv, deliver, pullRequestEvent, startCli, waitFor, type Started } from '../support/fake-github-events.js';
import { addedFile, sha } from '../support/pr-builders.js';
import { redisServerPath, startRedis, type RedisServer } from '../support/redis-server.js';

const binary = redisServerPath();
if (!binary) console.warn('SKIPPED test/queue/redis.test.ts: redis-server is not installed (apt-get install redis-server; .ci/run does)');

const REPO = 'octo/load';
const BURST = 200;

describe.skipIf(!binary)('the bot on Redis (BullMQ): serve queues, workers review', () => {
  let redis: RedisServer;
  let fake: FakeGitHub;
  let serve: Started;
  const workers: Started[] = [];
  let work: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rd-redis-'));
    redis = await startRedis(binary!);
    fake = await startFakeGitHub();
    fake.addInstallation(1, [REPO]);
    fake.addRepo({ owner: 'octo', name: 'load' });
    for (let n = 1; n <= BURST; n++) fake.addPull(REPO, { number: n, headSha: sha(n), files: [addedFile(`f${n}.txt`, [`line ${n}  `])] });
    // A short job lock so that a killed worker's job is taken over within seconds.
    env = appEnv(fake, { REDIS_URL: redis.url, RUBBERDUCK_QUEUE_LOCK_MS: '2000' });
    serve = await startCli('serve', env, work);
  });

  afterAll(async () => {
    for (const w of workers) await w.stop('SIGKILL');
    await serve?.stop();
    await fake?.close();
    await redis?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('serve only queues; a newer head removes the waiting review of the older one', async () => {
    fake.addPull(REPO, { number: 500, headSha: sha(5001), files: [addedFile('old.txt', ['old  '])] });
    expect((await deliver(serve.url, 'pull_request', pullRequestEvent({ repo: 'load', number: 500, headSha: sha(5001) }))).status).toBe(200);
    fake.push(REPO, 500, sha(5002), [addedFile('new.txt', ['new  '])]);
    expect((await deliver(serve.url, 'pull_request', pullRequestEvent({ repo: 'load', number: 500, headSha: sha(5002), action: 'synchronize' }))).status).toBe(200);
    const health = (await (await fetch(`${serve.url}/healthz`)).json()) as { queue: string; waiting: number; superseded: number };
    expect(health).toMatchObject({ queue: 'redis', waiting: 1, superseded: 1 });
    expect(fake.requests.filter((r) => r.path.startsWith('/repos/'))).toEqual([]); // serve itself calls GitHub for nothing
  });

  it('two workers, a burst of 200 deliveries, one worker killed mid-job: every PR reviewed exactly once', async () => {
    // The first job to read its PR's files is held: its worker is then killed with it in hand.
    const gate = fake.hold('GET', /^\/repos\/octo\/load\/pulls\/\d+\/files$/);
    workers.push(await startCli('worker', env, work, ['--concurrency', '2']));
    workers.push(await startCli('worker', env, work, ['--concurrency', '2']));

    const deliveries = await Promise.all(Array.from({ length: BURST }, (_, i) => deliver(serve.url, 'pull_request', pullRequestEvent({ repo: 'load', number: i + 1, headSha: sha(i + 1) }))));
    expect(deliveries.every((d) => d.status === 200)).toBe(true);

    const held = await gate.seen;
    const pid = Number(/pid (\d+)/.exec(held.userAgent)?.[1]);
    const victim = workers.find((w) => w.proc.pid === pid);
    expect(victim).toBeDefined();
    await victim!.stop('SIGKILL');
    gate.release();
    const survivor = workers.find((w) => w !== victim)!;

    // The summary comment is the last write of a review job.
    await waitFor(() => fake.issueComments.size === BURST + 1, 'every PR summarised', 150_000);
    for (let n = 1; n <= BURST; n++) {
      const reviews = fake.reviewsOn(REPO, n);
      const where = `PR ${n}`;
      expect(reviews.length, where).toBe(1);
      expect(fake.commentsOn(REPO, n).length, where).toBe(1);
      expect(fake.checkRunsFor(REPO, sha(n)).length, where).toBe(1);
      expect(fake.issueCommentsOn(REPO, n).length, where).toBe(1);
    }
    // The superseded head of the first test was never reviewed; the newer one was.
    expect(fake.checkRunsFor(REPO, sha(5001))).toHaveLength(0);
    expect(fake.checkRunsFor(REPO, sha(5002))).toHaveLength(1);
    const heldNumber = Number(/pulls\/(\d+)\/files/.exec(held.path)![1]);
    expect(survivor.log()).toMatch(new RegExp(`octo/load#${heldNumber}@[0-9a-f]+:review: reviewed`));

    // A second delivery of an event already handled is a no-op.
    const writes = fake.writes().length;
    await Promise.all([1, 2, 3].map((n) => deliver(serve.url, 'pull_request', pullRequestEvent({ repo: 'load', number: n, headSha: sha(n), action: 'reopened' }))));
    await waitFor(() => (serve.log().match(/already queued octo\/load#[123]@/g) ?? []).length === 3, 'the duplicate lines');
    const health = (await (await fetch(`${serve.url}/healthz`)).json()) as { waiting: number; active: number; completed: number; failed: number };
    expect(health).toMatchObject({ waiting: 0, active: 0, failed: 0, completed: BURST + 1 });
    expect(fake.writes().length).toBe(writes);
  }, 240_000);
});
