import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JobSchema, jobKey, PermanentJobError, pullKey, type Job } from '../github/jobs.js';
import { MAX_ATTEMPTS, ONCE_TTL_SECONDS, type JobHandler, type JobQueue, type QueueCounts } from './types.js';

/**
 * The embedded queue: jobs in one SQLite file (better-sqlite3, synchronous and transactional, so
 * a claim is atomic), worked by an in-process pool. A job that was running when the process died
 * is pending again on the next start; a failed attempt is retried with a growing delay.
 */
export class SqliteQueue implements JobQueue {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private handler?: JobHandler;
  private concurrency = 1;
  private running = new Map<number, { promise: Promise<void>; controller: AbortController }>();
  private timer?: NodeJS.Timeout;
  private closed = false;
  private log: (line: string) => void = () => {};
  /** Failed attempts wait this long times the attempt number before the next try. */
  retryDelayMs: number;
  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once (preparing on every call cost more than running it). */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  constructor(readonly path: string, options: { retryDelayMs?: number } = {}) {
    this.retryDelayMs = options.retryDelayMs ?? 5000;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    // WAL + NORMAL: a committed job survives a crash of this process (not of the OS), at a fraction of FULL's fsyncs.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        pull TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        run_after INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, run_after, id);
      CREATE INDEX IF NOT EXISTS jobs_pull ON jobs (pull, status);
      CREATE TABLE IF NOT EXISTS once_keys (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
    `);
    const now = Date.now();
    // Restart recovery: what was running when the last process stopped runs again.
    this.sql(`UPDATE jobs SET status = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END, result = CASE WHEN attempts >= ? THEN 'interrupted too often' ELSE result END, updated_at = ? WHERE status = 'running'`).run(MAX_ATTEMPTS, MAX_ATTEMPTS, now);
    this.sql('DELETE FROM once_keys WHERE expires_at < ?').run(now);
  }

  async enqueue(job: Job): Promise<boolean> {
    const key = jobKey(job);
    const now = Date.now();
    const insert = this.db.transaction(() => {
      const existing = this.sql('SELECT status FROM jobs WHERE key = ?').get(key) as { status: string } | undefined;
      if (existing && existing.status !== 'failed') return false;
      if (existing) {
        this.sql(`UPDATE jobs SET status = 'pending', attempts = 0, run_after = 0, result = NULL, payload = ?, updated_at = ? WHERE key = ?`).run(JSON.stringify(job), now, key);
      } else {
        this.sql('INSERT INTO jobs (key, pull, kind, payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(key, pullKey(job), job.kind, JSON.stringify(job), now, now);
      }
      // A newer head supersedes the PR's reviews still waiting (a running one discards itself).
      if (job.kind === 'review') {
        this.sql(`UPDATE jobs SET status = 'superseded', updated_at = ? WHERE pull = ? AND kind = 'review' AND status = 'pending' AND key <> ?`).run(now, pullKey(job), key);
      }
      return true;
    });
    const queued = insert();
    if (queued) this.pump();
    return queued;
  }

  async once(key: string, ttlSeconds: number = ONCE_TTL_SECONDS): Promise<boolean> {
    const now = Date.now();
    const result = this.sql('INSERT INTO once_keys (key, expires_at) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET expires_at = excluded.expires_at WHERE once_keys.expires_at < ?').run(key, now + ttlSeconds * 1000, now);
    return result.changes === 1;
  }

  async work(handler: JobHandler, options: { concurrency: number; log?: (line: string) => void }): Promise<void> {
    this.handler = handler;
    this.concurrency = Math.max(1, options.concurrency);
    if (options.log) this.log = options.log;
    // Retries wait for run_after; look again once a second.
    this.timer = setInterval(() => this.pump(), 1000);
    this.timer.unref();
    this.pump();
  }

  /** Claim jobs while there are free slots. */
  private pump(): void {
    if (!this.handler || this.closed) return;
    while (this.running.size < this.concurrency) {
      const row = this
        .sql(`UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = ? WHERE id = (SELECT id FROM jobs WHERE status = 'pending' AND run_after <= ? ORDER BY id LIMIT 1) RETURNING id, payload, attempts`)
        .get(Date.now(), Date.now()) as { id: number; payload: string; attempts: number } | undefined;
      if (!row) return;
      const controller = new AbortController();
      const promise = this.runOne(row, controller).finally(() => {
        this.running.delete(row.id);
        this.pump();
      });
      this.running.set(row.id, { promise, controller });
    }
  }

  private async runOne(row: { id: number; payload: string; attempts: number }, controller: AbortController): Promise<void> {
    const job = JobSchema.parse(JSON.parse(row.payload));
    const name = jobKey(job);
    try {
      const result = await this.handler!(job, controller.signal);
      if (this.closed && controller.signal.aborted) return; // left 'running': picked up again on the next start
      this.sql(`UPDATE jobs SET status = 'done', result = ?, updated_at = ? WHERE id = ?`).run(result, Date.now(), row.id);
      this.log(`${name}: ${result}`);
    } catch (error) {
      if (this.closed && controller.signal.aborted) return;
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      const permanent = error instanceof PermanentJobError || row.attempts >= MAX_ATTEMPTS;
      this
        .sql(`UPDATE jobs SET status = ?, result = ?, run_after = ?, updated_at = ? WHERE id = ?`)
        .run(permanent ? 'failed' : 'pending', message, Date.now() + this.retryDelayMs * row.attempts, Date.now(), row.id);
      this.log(`${name}: ${permanent ? 'failed' : `attempt ${row.attempts} failed, will retry`}: ${message}`);
    }
  }

  async counts(): Promise<QueueCounts> {
    const rows = this.sql('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as { status: string; n: number }[];
    const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    return { waiting: by.pending ?? 0, active: by.running ?? 0, completed: by.done ?? 0, failed: by.failed ?? 0, superseded: by.superseded ?? 0 };
  }

  /** The stored jobs (tests and `rubberduck worker --status` read them). */
  list(): { key: string; status: string; attempts: number; result: string | null }[] {
    return this.sql('SELECT key, status, attempts, result FROM jobs ORDER BY id').all() as { key: string; status: string; attempts: number; result: string | null }[];
  }

  async close(graceMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const running = [...this.running.values()];
    if (running.length > 0) {
      const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([Promise.allSettled(running.map((r) => r.promise)), grace]);
      // Still running after the grace: abort; the rows stay 'running' and the next start redoes them.
      for (const r of this.running.values()) r.controller.abort();
    }
    this.db.close();
  }
}
