import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Reply } from '../model/changeset.js';
import { UsageError } from '../model/errors.js';
import type { Posting, PostingLog } from '../parse/series.js';

/**
 * The triage history: every message, series and review reply seen, in SQLite (better-sqlite3,
 * synchronous: one process writes, and a triage is one pass). Rows are keyed by Message-ID and
 * series id and written with upserts, so reading the same archive twice counts nothing twice.
 * It is also where versions are linked across runs (the PostingLog the parser asks).
 */

/** `$XDG_STATE_HOME/rubberduck/triage.sqlite`, else `~/.local/state/rubberduck/triage.sqlite`. */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'rubberduck', 'triage.sqlite');
}

/** What the history keeps of one series after its review. */
export interface SeriesRecord {
  id: string;
  version: number;
  total: number;
  subject: string;
  title: string;
  author: string;
  authorName: string;
  tree?: string;
  date?: string;
  previousId?: string;
  /** Message-IDs of its cover and patches, cover first. */
  messages: { messageId: string; counter?: number; cover: boolean; subject: string }[];
  /** The review's findings for the series, JSON (the triage's own light form). */
  findings: string;
  /** Whether an LLM reviewer looked at it. */
  llm: boolean;
  archive: string;
  /** The reply a maintainer would send, when it has findings worth one (drafts.ts). */
  draft?: string;
}

/** A stored series as the verdict reads it. */
export interface StoredSeries extends Omit<SeriesRecord, 'messages' | 'findings' | 'draft'> {
  messages: SeriesRecord['messages'];
  findings: string;
  /** Latest later version of it, if any: [id, version]. */
  supersededBy?: { id: string; version: number; subject: string };
  previous?: { id: string; version: number; subject: string; date?: string };
  replies: StoredReply[];
  firstRun: number;
  lastRun: number;
}

export interface StoredReply {
  messageId: string;
  parentId?: string;
  /** The series message (cover or patch) it answers, when known. */
  answers?: string;
  from: string;
  date?: string;
  trailers: { key: string; value: string; name?: string; email?: string }[];
  text: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started TEXT NOT NULL,
  archive TEXT NOT NULL,
  messages INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS series (
  id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  total INTEGER NOT NULL,
  subject TEXT NOT NULL,
  title TEXT NOT NULL,
  author TEXT NOT NULL,
  author_name TEXT NOT NULL DEFAULT '',
  tree TEXT,
  date TEXT,
  previous_id TEXT,
  findings TEXT NOT NULL DEFAULT '[]',
  llm INTEGER NOT NULL DEFAULT 0,
  archive TEXT NOT NULL DEFAULT '',
  draft TEXT,
  first_run INTEGER NOT NULL,
  last_run INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS series_posting ON series (author, title, date);
CREATE INDEX IF NOT EXISTS series_previous ON series (previous_id);
CREATE INDEX IF NOT EXISTS series_run ON series (last_run);
CREATE TABLE IF NOT EXISTS messages (
  message_id TEXT PRIMARY KEY,
  series_id TEXT NOT NULL,
  counter INTEGER,
  cover INTEGER NOT NULL DEFAULT 0,
  subject TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_series ON messages (series_id);
CREATE TABLE IF NOT EXISTS replies (
  message_id TEXT PRIMARY KEY,
  parent_id TEXT,
  refs TEXT NOT NULL DEFAULT '[]',
  answers TEXT,
  sender TEXT NOT NULL DEFAULT '',
  date TEXT,
  trailers TEXT NOT NULL DEFAULT '[]',
  text TEXT NOT NULL DEFAULT '',
  last_run INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS replies_answers ON replies (answers);
CREATE INDEX IF NOT EXISTS replies_unresolved ON replies (answers) WHERE answers IS NULL;
`;

interface SeriesRow {
  id: string;
  version: number;
  total: number;
  subject: string;
  title: string;
  author: string;
  author_name: string;
  tree: string | null;
  date: string | null;
  previous_id: string | null;
  findings: string;
  llm: number;
  archive: string;
  first_run: number;
  last_run: number;
}

interface ReplyRow {
  message_id: string;
  parent_id: string | null;
  answers: string | null;
  sender: string;
  date: string | null;
  trailers: string;
  text: string;
}

export class HistoryStore implements PostingLog {
  private runId = 0;
  private readonly statements: Record<string, BetterSqlite3.Statement>;

  private constructor(
    private readonly db: BetterSqlite3.Database,
    readonly path: string,
  ) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    const prepare = (sql: string) => db.prepare(sql);
    this.statements = {
      previous: prepare(
        `SELECT id, version, subject, date, author, title FROM series
         WHERE author = ? AND title = ? AND id <> ? AND version <= ? AND (? IS NULL OR date IS NULL OR date < ?)
         ORDER BY date DESC, version DESC LIMIT 1`,
      ),
      messageIdsOf: prepare('SELECT message_id FROM messages WHERE series_id = ? ORDER BY cover DESC, counter'),
      messagesOf: prepare('SELECT message_id, counter, cover, subject FROM messages WHERE series_id = ? ORDER BY cover DESC, counter'),
      upsertPosting: prepare(
        `INSERT INTO series (id, version, total, subject, title, author, date, first_run, last_run)
         VALUES (@id, @version, 0, @subject, @title, @author, @date, @run, @run)
         ON CONFLICT (id) DO UPDATE SET last_run = @run`,
      ),
      upsertSeries: prepare(
        `INSERT INTO series (id, version, total, subject, title, author, author_name, tree, date, previous_id, findings, llm, archive, draft, first_run, last_run)
         VALUES (@id, @version, @total, @subject, @title, @author, @authorName, @tree, @date, @previousId, @findings, @llm, @archive, @draft, @run, @run)
         ON CONFLICT (id) DO UPDATE SET version = @version, total = @total, subject = @subject, title = @title, author = @author,
           author_name = @authorName, tree = @tree, date = @date, previous_id = @previousId, findings = @findings, llm = @llm,
           archive = @archive, draft = @draft, last_run = @run`,
      ),
      upsertMessage: prepare(
        `INSERT INTO messages (message_id, series_id, counter, cover, subject) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET series_id = excluded.series_id, counter = excluded.counter, cover = excluded.cover, subject = excluded.subject`,
      ),
      seriesOfMessage: prepare('SELECT series_id FROM messages WHERE message_id = ?'),
      upsertReply: prepare(
        `INSERT INTO replies (message_id, parent_id, refs, answers, sender, date, trailers, text, last_run)
         VALUES (@messageId, @parentId, @refs, @answers, @sender, @date, @trailers, @text, @run)
         ON CONFLICT (message_id) DO UPDATE SET answers = COALESCE(excluded.answers, replies.answers), last_run = @run`,
      ),
      touchSeries: prepare('UPDATE series SET last_run = ? WHERE id = ?'),
      unresolvedReplies: prepare('SELECT message_id, parent_id, refs FROM replies WHERE answers IS NULL'),
      resolveReply: prepare('UPDATE replies SET answers = ?, last_run = ? WHERE message_id = ?'),
      seriesOfRun: prepare('SELECT * FROM series WHERE last_run = ? ORDER BY date, id'),
      seriesById: prepare('SELECT * FROM series WHERE id = ?'),
      later: prepare('SELECT id, version, subject FROM series WHERE previous_id = ? ORDER BY version DESC, date DESC LIMIT 1'),
      repliesOf: prepare(
        `SELECT r.* FROM replies r JOIN messages m ON r.answers = m.message_id WHERE m.series_id = ? ORDER BY r.date, r.message_id`,
      ),
      draftOf: prepare('SELECT draft FROM series WHERE id = ?'),
      countSeries: prepare('SELECT COUNT(*) AS n FROM series'),
      countMessages: prepare('SELECT COUNT(*) AS n FROM messages'),
      countReplies: prepare('SELECT COUNT(*) AS n FROM replies'),
      startRun: prepare('INSERT INTO runs (started, archive) VALUES (?, ?)'),
      endRun: prepare('UPDATE runs SET messages = ? WHERE id = ?'),
    };
  }

  /**
   * Opens (creating the file and its folder) the history at `path`, `:memory:` for none. A path
   * that cannot be written or is not a SQLite database is a UsageError naming it.
   */
  static async open(path: string): Promise<HistoryStore> {
    const { default: Database } = await import('better-sqlite3');
    const full = path === ':memory:' ? path : resolve(path);
    try {
      if (full !== ':memory:') mkdirSync(dirname(full), { recursive: true });
      const db = new Database(full);
      return new HistoryStore(db, full);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new UsageError(`cannot use as the triage history: ${message.split('\n')[0]}`, path);
    }
  }

  close(): void {
    if (!this.db.open) return;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }

  beginRun(archive: string): number {
    this.runId = Number(this.statements.startRun!.run(new Date().toISOString(), archive).lastInsertRowid);
    return this.runId;
  }

  endRun(messages: number): void {
    this.statements.endRun!.run(messages, this.runId);
  }

  get run(): number {
    return this.runId;
  }

  // PostingLog: versions are linked against everything the history holds.
  previous(posting: Posting): Posting | undefined {
    const date = posting.date ?? null;
    const row = this.statements.previous!.get(posting.author, posting.title, posting.id, posting.version, date, date) as
      | { id: string; version: number; subject: string; date: string | null; author: string; title: string }
      | undefined;
    if (!row) return undefined;
    const messageIds = (this.statements.messageIdsOf!.all(row.id) as { message_id: string }[]).map((r) => r.message_id);
    return { id: row.id, version: row.version, subject: row.subject, ...(row.date ? { date: row.date } : {}), messageIds, author: row.author, title: row.title };
  }

  record(posting: Posting): void {
    this.statements.upsertPosting!.run({ id: posting.id, version: posting.version, subject: posting.subject, title: posting.title, author: posting.author, date: posting.date ?? null, run: this.runId });
    this.recordMessages(posting.id, posting.messageIds.map((messageId) => ({ messageId, cover: false, subject: '' })), false);
  }

  /** Runs `work` in one transaction (a unit's series and replies are written together). */
  transaction<T>(work: () => T): T {
    return this.inTransaction(work) as T;
  }

  /** One transaction function for every use (better-sqlite3 builds one per call otherwise). */
  private readonly inTransaction = (() => {
    let wrapped: ((work: () => unknown) => unknown) | undefined;
    return (work: () => unknown): unknown => {
      wrapped ??= this.db.transaction((inner: () => unknown) => inner());
      return wrapped(work);
    };
  })();

  /**
   * Groups the writes of many units into one transaction, committed every `every` calls of
   * `tick` and by `commit`: a commit per unit was a third of a triage's time. Inner transactions
   * become savepoints. A run that is killed loses only the writes since the last commit; the
   * next run writes them again (everything is an upsert).
   */
  private batched = 0;
  beginBatch(): void {
    if (!this.db.inTransaction) this.db.exec('BEGIN');
  }

  tick(every = 200): void {
    if (++this.batched < every) return;
    this.commit();
    this.beginBatch();
  }

  commit(): void {
    this.batched = 0;
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  /** A reviewed series and its messages. */
  recordSeries(record: SeriesRecord): void {
    this.transaction(() => {
      this.statements.upsertSeries!.run({
        id: record.id,
        version: record.version,
        total: record.total,
        subject: record.subject,
        title: record.title,
        author: record.author,
        authorName: record.authorName,
        tree: record.tree ?? null,
        date: record.date ?? null,
        previousId: record.previousId ?? null,
        findings: record.findings,
        llm: record.llm ? 1 : 0,
        archive: record.archive,
        draft: record.draft ?? null,
        run: this.runId,
      });
      this.recordMessages(record.id, record.messages, true);
      // A new version changes what its previous one is waiting for.
      if (record.previousId) this.statements.touchSeries!.run(this.runId, record.previousId);
    });
  }

  private recordMessages(seriesId: string, messages: SeriesRecord['messages'], full: boolean): void {
    for (const m of messages) {
      if (!full && this.statements.seriesOfMessage!.get(m.messageId)) continue;
      this.statements.upsertMessage!.run(m.messageId, seriesId, m.counter ?? null, m.cover ? 1 : 0, m.subject);
    }
  }

  /**
   * Review replies, attached to the series message they answer (directly or up their thread)
   * when the history knows it; the others wait for their patch to arrive (resolveReplies).
   */
  recordReplies(replies: readonly Reply[]): void {
    this.transaction(() => {
      for (const reply of replies) {
        if (!reply.messageId) continue;
        const answers = this.answeredMessage(reply.inReplyTo, reply.references);
        this.statements.upsertReply!.run({
          messageId: reply.messageId,
          parentId: reply.inReplyTo ?? null,
          refs: JSON.stringify(reply.references),
          answers: answers ?? null,
          sender: reply.from ? (reply.from.name ? `${reply.from.name} <${reply.from.email}>` : reply.from.email) : '',
          date: reply.date ?? null,
          trailers: JSON.stringify(reply.trailers.map((t) => ({ key: t.key, value: t.value, ...(t.person ? { name: t.person.name, email: t.person.email } : {}) }))),
          text: reply.text,
          run: this.runId,
        });
        if (answers) this.touchSeriesOf(answers);
      }
    });
  }

  /** Replies recorded before the message they answer arrived, attached now that it may have. */
  resolveReplies(): void {
    const rows = this.statements.unresolvedReplies!.all() as { message_id: string; parent_id: string | null; refs: string }[];
    if (rows.length === 0) return;
    this.transaction(() => {
      for (const row of rows) {
        const answers = this.answeredMessage(row.parent_id ?? undefined, JSON.parse(row.refs) as string[]);
        if (!answers) continue;
        this.statements.resolveReply!.run(answers, this.runId, row.message_id);
        this.touchSeriesOf(answers);
      }
    });
  }

  private answeredMessage(inReplyTo: string | undefined, references: readonly string[]): string | undefined {
    for (const id of [...(inReplyTo ? [inReplyTo] : []), ...[...references].reverse()]) {
      if (this.statements.seriesOfMessage!.get(id)) return id;
    }
    return undefined;
  }

  private touchSeriesOf(messageId: string): void {
    const row = this.statements.seriesOfMessage!.get(messageId) as { series_id: string } | undefined;
    if (row) this.statements.touchSeries!.run(this.runId, row.series_id);
  }

  /** Every series this run reviewed or gave a new reply, oldest first. */
  *touchedSeries(): Generator<StoredSeries> {
    for (const row of this.statements.seriesOfRun!.iterate(this.runId) as Iterable<SeriesRow>) {
      // A posting recorded for version linking but never reviewed (outside --since) is left out.
      if (row.total === 0 && row.findings === '[]' && row.archive === '') continue;
      yield this.stored(row);
    }
  }

  series(id: string): StoredSeries | undefined {
    const row = this.statements.seriesById!.get(id) as SeriesRow | undefined;
    return row ? this.stored(row) : undefined;
  }

  private stored(row: SeriesRow): StoredSeries {
    const messages = (this.statements.messagesOf!.all(row.id) as {
      message_id: string;
      counter: number | null;
      cover: number;
      subject: string;
    }[]).map((m) => ({ messageId: m.message_id, ...(m.counter !== null ? { counter: m.counter } : {}), cover: m.cover === 1, subject: m.subject }));
    const later = this.statements.later!.get(row.id) as { id: string; version: number; subject: string } | undefined;
    const previous = row.previous_id ? (this.statements.seriesById!.get(row.previous_id) as SeriesRow | undefined) : undefined;
    const replies = (this.statements.repliesOf!.all(row.id) as ReplyRow[]).map((r) => ({
      messageId: r.message_id,
      ...(r.parent_id ? { parentId: r.parent_id } : {}),
      ...(r.answers ? { answers: r.answers } : {}),
      from: r.sender,
      ...(r.date ? { date: r.date } : {}),
      trailers: JSON.parse(r.trailers) as StoredReply['trailers'],
      text: r.text,
    }));
    return {
      id: row.id,
      version: row.version,
      total: row.total,
      subject: row.subject,
      title: row.title,
      author: row.author,
      authorName: row.author_name,
      ...(row.tree ? { tree: row.tree } : {}),
      ...(row.date ? { date: row.date } : {}),
      ...(row.previous_id ? { previousId: row.previous_id } : {}),
      ...(previous ? { previous: { id: previous.id, version: previous.version, subject: previous.subject, ...(previous.date ? { date: previous.date } : {}) } } : {}),
      ...(later ? { supersededBy: later } : {}),
      messages,
      findings: row.findings,
      llm: row.llm === 1,
      archive: row.archive,
      replies,
      firstRun: row.first_run,
      lastRun: row.last_run,
    };
  }

  /** The reply drafted for a series, if any. */
  draft(id: string): string | undefined {
    return (this.statements.draftOf!.get(id) as { draft: string | null } | undefined)?.draft ?? undefined;
  }

  /** Row counts, for tests and the summary. */
  counts(): { series: number; messages: number; replies: number } {
    const n = (name: string) => (this.statements[name]!.get() as { n: number }).n;
    return { series: n('countSeries'), messages: n('countMessages'), replies: n('countReplies') };
  }
}
