/**
 * `npm run bench:github` (after a build): the GitHub bot under load, against the fake GitHub on
 * 127.0.0.1 (test/support/fake-github.ts), with the built CLI.
 *
 *  1. Acknowledgement latency: a burst of 200 signed deliveries sent at once to `rubberduck serve`
 *     (embedded SQLite queue, whose pool reviews at the same time; then REDIS_URL, where serve only
 *     queues): p50 / p95 / max of the HTTP answer.
 *  2. Reviews per minute on Redis with 1 and 2 `rubberduck worker` processes: 200 PRs delivered
 *     once the workers are ready, timed until the last summary comment is written.
 *
 * GitHub's write pacing is off (RUBBERDUCK_GITHUB_PACING=off): the fake has no secondary rate
 * limits, and the figure is then the bot's own cost. Against github.com the throttling plugin
 * spaces notification-triggering writes 3 s apart per process (two per review: the review and
 * the summary), which caps a process at about 10 reviews a minute whatever the CPU.
 *
 * Options: --prs N (default 200), --concurrency N per worker (default 2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../test/support/fake-github.js';
import { appEnv, deliver, pullRequestEvent, startCli, waitFor, type Started } from '../test/support/fake-github-events.js';
import { addedFile, sha } from '../test/support/pr-builders.js';
import { redisServerPath, startRedis } from '../test/support/redis-server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const PRS = arg('prs', 200);
const CONCURRENCY = arg('concurrency', 2);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function load(): string {
  return loadavg().map((n) => n.toFixed(2)).join(' ');
}

let repoCounter = 0;
/** A fresh repository with PRS pull requests of one small file each (one finding per PR). */
function addRepo(fake: FakeGitHub): string {
  const name = `bench${++repoCounter}`;
  fake.addRepo({ owner: 'octo', name });
  fake.addInstallation(repoCounter, [`octo/${name}`]);
  for (let n = 1; n <= PRS; n++) {
    fake.addPull(`octo/${name}`, { number: n, headSha: sha(n), files: [addedFile(`src/file${n}.js`, ['export function f(x) {', `  return x + ${n};  `, '}'])] });
  }
  return name;
}

async function burst(url: string, name: string): Promise<number[]> {
  const installationId = repoCounter;
  const results = await Promise.all(Array.from({ length: PRS }, (_, i) => deliver(url, 'pull_request', pullRequestEvent({ repo: name, number: i + 1, headSha: sha(i + 1), installationId }))));
  const bad = results.filter((r) => r.status !== 200);
  if (bad.length > 0) throw new Error(`${bad.length} deliveries were not acknowledged: ${bad[0]!.status} ${bad[0]!.body}`);
  return results.map((r) => r.ms).sort((a, b) => a - b);
}

function latencyLine(label: string, ms: number[]): string {
  return `${label.padEnd(34)} p50 ${percentile(ms, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(ms, 95).toFixed(1).padStart(6)} ms   max ${ms[ms.length - 1]!.toFixed(1).padStart(6)} ms`;
}

const summaries = (fake: FakeGitHub, name: string) => [...fake.issueComments.values()].filter((c) => c.issue.startsWith(`octo/${name}#`)).length;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rd-bench-github-'));
  const fake = await startFakeGitHub();
  const started: Started[] = [];
  const stopAll = async () => {
    for (const s of started.splice(0)) await s.stop('SIGKILL');
  };
  console.log(`bench:github — ${PRS} PRs per run, load average before: ${load()}`);
  try {
    // 1a. Embedded queue: serve acknowledges while its own pool reviews.
    {
      const serve = await startCli('serve', appEnv(fake, { RUBBERDUCK_QUEUE_FILE: join(work, 'a.sqlite'), RUBBERDUCK_CONCURRENCY: String(CONCURRENCY) }), work);
      started.push(serve);
      const name = addRepo(fake);
      const t0 = performance.now();
      const ms = await burst(serve.url, name);
      console.log(latencyLine(`ack, embedded SQLite queue`, ms));
      await waitFor(() => summaries(fake, name) === PRS, 'the embedded reviews', 600_000);
      const seconds = (performance.now() - t0) / 1000;
      console.log(`${'reviews, embedded (1 process)'.padEnd(34)} ${PRS} in ${seconds.toFixed(1)} s = ${((PRS / seconds) * 60).toFixed(0)} reviews/min (concurrency ${CONCURRENCY}); load ${load()}`);
      await stopAll();
    }

    const redisBinary = redisServerPath();
    if (!redisBinary) {
      console.log('Redis runs skipped: redis-server is not installed (apt-get install redis-server)');
      return;
    }
    const redis = await startRedis(redisBinary);
    try {
      const env = appEnv(fake, { REDIS_URL: redis.url });
      const serve = await startCli('serve', env, work);
      started.push(serve);
      // 1b. Redis: serve only queues.
      {
        const name = addRepo(fake);
        const ms = await burst(serve.url, name);
        console.log(latencyLine('ack, Redis queue (serve only queues)', ms));
        // Work this burst off before the timed runs.
        const worker = await startCli('worker', env, work, ['--concurrency', String(CONCURRENCY)]);
        await waitFor(() => summaries(fake, name) === PRS, 'the warm-up reviews', 600_000);
        await worker.stop('SIGKILL');
      }
      // 2. Reviews per minute with 1 and 2 workers.
      for (const count of [1, 2]) {
        const workers: Started[] = [];
        for (let i = 0; i < count; i++) workers.push(await startCli('worker', env, work, ['--concurrency', String(CONCURRENCY)]));
        const name = addRepo(fake);
        const t0 = performance.now();
        await burst(serve.url, name);
        await waitFor(() => summaries(fake, name) === PRS, `the reviews with ${count} worker(s)`, 600_000);
        const seconds = (performance.now() - t0) / 1000;
        console.log(`${`reviews, Redis, ${count} worker${count > 1 ? 's' : ''}`.padEnd(34)} ${PRS} in ${seconds.toFixed(1)} s = ${((PRS / seconds) * 60).toFixed(0)} reviews/min (concurrency ${CONCURRENCY} each); load ${load()}`);
        for (const w of workers) await w.stop('SIGKILL');
      }
    } finally {
      await stopAll();
      await redis.stop();
    }
  } finally {
    await stopAll();
    await fake.close();
    rmSync(work, { recursive: true, force: true });
    console.log(`load average after: ${load()}`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench:github: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
