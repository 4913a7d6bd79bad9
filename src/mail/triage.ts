import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { runReview } from '../graphs/review/run.js';
import type { LlmClient } from '../llm/types.js';
import type { ChangeSet, Patch, Series } from '../model/changeset.js';
import type { Finding } from '../model/finding.js';
import { version as packageVersion } from '../model/version.js';
import { parsePatchEmail } from '../parse/email.js';
import { unitChangeSet } from '../parse/load.js';
import { isReplyMessage, leadOf, normalisedTitle, postingAuthor, SeriesAssembler } from '../parse/series.js';
import type { Pack } from '../rules/types.js';
import { openArchive, type MessageFilter } from './archive.js';
import { seriesReplyDraft } from './drafts.js';
import { HistoryStore } from './history.js';
import { TriageReportSchema, TriageSeriesSchema, type TriageFinding, type TriageReport, type TriageSeries } from './schema.js';
import { judgeSeries } from './verdict.js';

/**
 * `rubberduck triage`: a list archive in, one verdict per series out. Messages are read one at a
 * time (archive.ts), grouped into series as patchwork and b4 do (SeriesAssembler: thread, else
 * sender + version + count + time), and each unit (a thread's series) is reviewed by runReview with
 * only its own patches in memory; the results, the review replies and the links between versions
 * go to the SQLite history, from which the verdicts are made once the archive is read.
 */
export interface TriageOptions {
  /** An mbox, a Maildir, a public-inbox git archive, or `-`. */
  input: string;
  stdin?: NodeJS.ReadableStream;
  filter?: MessageFilter;
  /** The history database; `:memory:` for none kept. */
  db: string;
  config: Config;
  llm?: LlmClient | null;
  packs?: Pack[];
  signal?: AbortSignal;
  /** Messages an incomplete series waits for its missing members. */
  window?: number;
  /** Fixed clock for the reply drafts (tests). */
  now?: Date;
}

export type TriageEvent =
  | { type: 'progress'; messages: number; series: number; done: number; total?: number; unit: 'bytes' | 'messages' }
  | { type: 'skipped'; index: number; reason: string };

export interface TriageResult {
  report: TriageReport;
  /** Reply drafts of the series that need changes, by series id. */
  drafts: Map<string, string>;
}

/** Messages that open no series and answer none: announcements, discussions without `Re:`. */
function isPatchMessage(message: Patch): boolean {
  const pullRequest = message.subject.prefixes.some((t) => /^(git|pull)$/i.test(t));
  return message.files.length > 0 || message.isCover || pullRequest;
}

function seriesMembers(series: Series): number[] {
  return [...(series.cover !== undefined ? [series.cover] : []), ...series.patches];
}

/** The findings of one series of a unit: its messages' own, and the unit-wide ones on the first series. */
function findingsOf(series: Series, first: boolean, findings: readonly Finding[]): Finding[] {
  const members = new Set(seriesMembers(series));
  return findings.filter((f) => (f.patch === undefined ? first : members.has(f.patch)));
}

/** A message's Message-ID; one without gets a stable stand-in from what it says, so it is still counted once. */
function messageKey(patch: Patch): string {
  if (patch.messageId) return patch.messageId;
  const who = patch.from?.email ?? '';
  return `no-message-id.${createHash('sha256').update(`${patch.subject.raw}\0${patch.date ?? ''}\0${who}`).digest('hex').slice(0, 24)}`;
}

function lightFinding(finding: Finding): TriageFinding {
  const { patch: _patch, ...rest } = finding;
  return rest;
}

export async function runTriage(options: TriageOptions, onEvent: (event: TriageEvent) => void = () => {}): Promise<TriageResult> {
  const started = performance.now();
  const { config, signal } = options;
  const archive = await openArchive(options.input, { ...(options.stdin ? { stdin: options.stdin } : {}), maxBytes: config.limits.maxInputBytes });
  const store = await HistoryStore.open(options.db);
  try {
    store.beginRun(archive.name);
    store.beginBatch();
    const assembler = new SeriesAssembler({ ...(options.window !== undefined ? { window: options.window } : {}) });
    const skipped: { index: number; reason: string }[] = [];
    const notes = new Set<string>();
    let messages = 0;
    let seriesSeen = 0;
    const knownTrees = config.netdev.trees;
    const now = options.now ?? new Date();

    const reviewUnit = async (changeset: ChangeSet): Promise<void> => {
      if (changeset.patches.length === 0) {
        store.recordReplies(changeset.replies ?? []);
        return;
      }
      const report = await runReview({ kind: 'changeset', changeset }, { config, llm: options.llm ?? null, ...(options.packs ? { packs: options.packs } : {}), ...(signal ? { signal } : {}) });
      for (const note of report.notes) notes.add(note);
      store.transaction(() => record(changeset, report.findings));
    };
    const record = (changeset: ChangeSet, findings: readonly Finding[]): void => {
      changeset.series.forEach((series, i) => {
        const lead = leadOf(series, changeset.patches);
        if (!lead) return;
        const own = findingsOf(series, i === 0, findings);
        // A draft is composed now, while the patches are in memory, for the series whose errors
        // will make them need changes; rendering every series' quote cost a tenth of a triage.
        const draft = own.some((f) => f.severity === 'error') ? seriesReplyDraft(changeset, series, own, { reviewer: config.reviewer, version: packageVersion, now }) : undefined;
        store.recordSeries({
          id: series.id,
          version: series.version,
          total: series.total,
          subject: lead.subject.raw,
          title: normalisedTitle(lead),
          author: postingAuthor(lead),
          authorName: (lead.author ?? lead.from)?.name ?? '',
          ...(lead.subject.tree ? { tree: lead.subject.tree } : {}),
          ...(lead.date ? { date: lead.date } : {}),
          ...(series.previous ? { previousId: series.previous.id } : {}),
          messages: seriesMembers(series).map((index) => {
            const patch = changeset.patches[index]!;
            return { messageId: messageKey(patch), ...(patch.subject.counter !== undefined ? { counter: patch.subject.counter } : {}), cover: patch.isCover, subject: patch.subject.raw };
          }),
          findings: JSON.stringify(own.map(lightFinding)),
          llm: Boolean(options.llm),
          archive: archive.name,
          ...(draft ? { draft } : {}),
        });
        seriesSeen++;
      });
      store.recordReplies(changeset.replies ?? []);
    };

    for await (const raw of archive.messages(options.filter ?? {})) {
      signal?.throwIfAborted();
      messages++;
      let message: Patch;
      try {
        message = await parsePatchEmail(raw.bytes, { input: archive.name, index: raw.index, kind: 'email' }, { knownTrees });
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
        skipped.push({ index: raw.index, reason });
        onEvent({ type: 'skipped', index: raw.index, reason });
        continue;
      }
      if (!isPatchMessage(message) && !isReplyMessage(message)) continue;
      for (const unit of assembler.add(message)) {
        await reviewUnit(unitChangeSet(unit, store));
        store.tick();
      }
      if (messages % 50 === 0) onEvent({ type: 'progress', messages, series: seriesSeen, ...archive.progress() });
    }
    for (const unit of assembler.end()) await reviewUnit(unitChangeSet(unit, store));
    store.resolveReplies();
    store.endRun(messages);
    store.commit();
    onEvent({ type: 'progress', messages, series: seriesSeen, ...archive.progress() });

    const series: TriageSeries[] = [];
    const drafts = new Map<string, string>();
    for (const stored of store.touchedSeries()) {
      // Validated one by one (zod returns a copy: the whole report at once held it twice).
      const judged = TriageSeriesSchema.parse(judgeSeries(stored));
      series.push(judged);
      if (judged.verdict === 'changes-requested' && !judged.supersededBy) {
        const draft = store.draft(judged.id);
        if (draft) drafts.set(judged.id, draft);
      }
    }
    series.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.id.localeCompare(b.id));
    const count = (verdict: TriageSeries['verdict']) => series.filter((s) => s.verdict === verdict).length;
    const { filter = {} } = options;
    const envelope = TriageReportSchema.omit({ series: true }).parse({
      tool: 'rubberduck',
      version: packageVersion,
      archive: archive.name,
      window: {
        ...(filter.since ? { since: filter.since.toISOString() } : {}),
        ...(filter.until ? { until: filter.until.toISOString() } : {}),
        ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
      },
      run: { messages, skipped, seconds: Math.round((performance.now() - started) / 10) / 100 },
      totals: { series: series.length, ready: count('ready'), changesRequested: count('changes-requested'), needsHuman: count('needs-human') },
      notes: [...notes],
    });
    const report: TriageReport = { ...envelope, series };
    return { report, drafts };
  } finally {
    store.close();
  }
}
