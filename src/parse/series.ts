import type { Patch, Series } from '../model/changeset.js';
import { hasExplicitVersion } from './subject.js';

interface Group {
  cover?: number;
  patches: number[];
  version: number;
  total: number;
  counters: Set<number>;
  first: number;
}

function threadIds(patch: Patch): string[] {
  // Nearest ancestor first: In-Reply-To, then References from the end.
  const ids: string[] = [];
  if (patch.inReplyTo) ids.push(patch.inReplyTo);
  for (let i = patch.references.length - 1; i >= 0; i--) ids.push(patch.references[i]!);
  return ids;
}

/**
 * Groups patches into postings: a cover letter and the patches threaded under it (a patch whose
 * version differs from the cover's, other than an unversioned one, is a reroll and stays out);
 * uncovered numbered patches by thread to their 1/N, else by version + total + author, starting a
 * new series when a counter repeats; an unnumbered patch is a series of its own.
 */
export function groupSeries(patches: Patch[], origin: Series['origin']): Series[] {
  const groups: Group[] = [];
  const coverByMessageId = new Map<string, Group>();
  const groupByMessageId = new Map<string, Group>();

  patches.forEach((patch, index) => {
    if (!patch.isCover) return;
    const group: Group = { cover: index, patches: [], version: patch.subject.version, total: patch.subject.total ?? 0, counters: new Set(), first: index };
    groups.push(group);
    if (patch.messageId) {
      coverByMessageId.set(patch.messageId, group);
      groupByMessageId.set(patch.messageId, group);
    }
  });

  const open = new Map<string, Group>();
  patches.forEach((patch, index) => {
    if (patch.isCover) return;
    const { subject } = patch;
    if (subject.counter === undefined) {
      groups.push({ patches: [index], version: subject.version, total: 1, counters: new Set(), first: index });
      return;
    }
    let group: Group | undefined;
    for (const id of threadIds(patch)) {
      const candidate = groupByMessageId.get(id);
      if (!candidate) continue;
      const sameVersion = candidate.version === subject.version || !hasExplicitVersion(subject);
      if (sameVersion && !candidate.counters.has(subject.counter)) group = candidate;
      break;
    }
    const key = `${subject.version}/${subject.total ?? 0}/${(patch.author?.email ?? patch.from?.email ?? '').toLowerCase()}`;
    if (!group) {
      // Only the latest posting with this key is open: a repeated counter starts the next one.
      const latest = open.get(key);
      if (latest && !latest.counters.has(subject.counter)) group = latest;
    }
    if (!group) {
      group = { patches: [], version: subject.version, total: subject.total ?? 1, counters: new Set(), first: index };
      groups.push(group);
      open.set(key, group);
    }
    group.patches.push(index);
    group.counters.add(subject.counter);
    if (patch.messageId && !coverByMessageId.has(patch.messageId)) groupByMessageId.set(patch.messageId, group);
  });

  groups.sort((a, b) => a.first - b.first);
  return groups.map((group) => {
    const sorted = [...group.patches].sort((a, b) => (patches[a]!.subject.counter ?? 0) - (patches[b]!.subject.counter ?? 0) || a - b);
    const lead = group.cover ?? sorted[0]!;
    const leadPatch = patches[lead]!;
    const series: Series = {
      id: leadPatch.messageId ?? leadPatch.id,
      version: group.version,
      total: group.total,
      patches: sorted,
      origin,
    };
    if (group.cover !== undefined) series.cover = group.cover;
    return series;
  });
}

// ---------------------------------------------------------------------------------------------
// Streaming: messages in, series out, without holding the whole mailbox.

/** A group of messages that belong together (one or more series of one thread), ready to review. */
export interface AssembledUnit {
  /** Patches and cover letters, in arrival order. */
  patches: Patch[];
  /** Review replies (`Re:` without a diff) that arrived while the unit was open, in arrival order. */
  replies: Patch[];
}

export interface SeriesAssemblerOptions {
  /**
   * How many messages a group stays open after its last member arrived while it is not complete
   * (a missing 3/5, a cover that the patches point at but that never came). Bounds memory.
   */
  window?: number;
  /** How many released Message-IDs are remembered, so a late message does not wait for them. */
  remember?: number;
}

interface Entry {
  seq: number;
  message: Patch;
}

interface Cluster {
  /** Arrival number of its first message: units come out in this order. */
  order: number;
  /** Arrival number of its last message. */
  last: number;
  patches: Entry[];
  replies: Entry[];
  ids: Set<string>;
  /** Referenced Message-IDs not seen yet. */
  waits: Set<string>;
  /** Counters seen per unthreaded-grouping key (version/total/author), keyed as groupSeries does. */
  keyCounters: Map<string, Set<number>>;
  /** Absorbed into another cluster. */
  merged?: Cluster;
}

/** The key groupSeries joins unthreaded numbered patches by. */
function seriesKey(patch: Patch): string | undefined {
  const { subject } = patch;
  if (subject.counter === undefined || patch.isCover) return undefined;
  return `${subject.version}/${subject.total ?? 0}/${(patch.author?.email ?? patch.from?.email ?? '').toLowerCase()}`;
}

/** A review reply: `Re:` and no diff. */
export function isReplyMessage(patch: Patch): boolean {
  return patch.subject.isReply && patch.files.length === 0;
}

const bySeq = (a: Entry, b: Entry) => a.seq - b.seq;

/**
 * Groups a stream of parsed messages into units the way groupSeries groups a whole mailbox, one
 * unit at a time. Messages that share a thread (Message-ID, In-Reply-To, References, in either
 * direction), or numbered patches without threading headers that share version, total and
 * author, form one unit; groupSeries then splits the unit into its series. A unit comes out when
 * every series in it has all of 1..N and nothing its patches thread under is missing, or `window`
 * messages after its last member arrived, or at the end. Units with patches come out in the order
 * of their first message (a mailbox of whole series reads in order); a unit of replies alone
 * never holds them up. Memory holds only the open units.
 */
export class SeriesAssembler {
  private readonly window: number;
  private readonly remember: number;
  private seq = 0;
  private queue: Cluster[] = [];
  private byId = new Map<string, Cluster>();
  /** Message-IDs referenced by open clusters but not seen yet → those clusters. */
  private waiting = new Map<string, Set<Cluster>>();
  private openByKey = new Map<string, Cluster>();
  private released = new Set<string>();

  constructor(options: SeriesAssemblerOptions = {}) {
    this.window = options.window ?? 500;
    this.remember = options.remember ?? 100_000;
  }

  /** One message in; the units that became ready, in order. */
  add(message: Patch): AssembledUnit[] {
    const seq = this.seq++;
    const reply = isReplyMessage(message);
    const refs = threadIds(message);
    const joined = new Set<Cluster>();
    for (const id of refs) {
      const cluster = this.byId.get(id);
      if (cluster) joined.add(this.root(cluster));
    }
    if (message.messageId) for (const cluster of this.waiting.get(message.messageId) ?? []) joined.add(this.root(cluster));
    const key = reply ? undefined : seriesKey(message);
    if (joined.size === 0 && key !== undefined && !refs.some((id) => this.released.has(id))) {
      const open = this.openByKey.get(key);
      if (open && !open.merged && !open.keyCounters.get(key)?.has(message.subject.counter!)) joined.add(open);
    }

    let cluster: Cluster;
    if (joined.size === 0) {
      cluster = { order: seq, last: seq, patches: [], replies: [], ids: new Set(), waits: new Set(), keyCounters: new Map() };
      this.queue.push(cluster);
    } else {
      const [first, ...rest] = [...joined].sort((a, b) => a.order - b.order);
      cluster = first!;
      for (const other of rest) this.absorb(cluster, other);
    }
    cluster.last = seq;
    (reply ? cluster.replies : cluster.patches).push({ seq, message });
    if (message.messageId) {
      const id = message.messageId;
      cluster.ids.add(id);
      this.byId.set(id, cluster);
      for (const waiter of this.waiting.get(id) ?? []) waiter.waits.delete(id);
      this.waiting.delete(id);
    }
    for (const id of refs) {
      if (this.byId.has(id) || this.released.has(id)) continue;
      cluster.waits.add(id);
      let set = this.waiting.get(id);
      if (!set) this.waiting.set(id, (set = new Set()));
      set.add(cluster);
    }
    if (key !== undefined) {
      let counters = cluster.keyCounters.get(key);
      if (!counters) cluster.keyCounters.set(key, (counters = new Set()));
      counters.add(message.subject.counter!);
      this.openByKey.set(key, cluster);
    }
    return this.drain(false);
  }

  /** End of input: every open unit, in order. */
  end(): AssembledUnit[] {
    return this.drain(true);
  }

  /** Units still open. */
  get open(): number {
    return this.queue.length;
  }

  private root(cluster: Cluster): Cluster {
    let c = cluster;
    while (c.merged) c = c.merged;
    return c;
  }

  private absorb(into: Cluster, other: Cluster): void {
    other.merged = into;
    this.queue.splice(this.queue.indexOf(other), 1);
    into.last = Math.max(into.last, other.last);
    into.patches = [...into.patches, ...other.patches].sort(bySeq);
    into.replies = [...into.replies, ...other.replies].sort(bySeq);
    for (const id of other.ids) {
      into.ids.add(id);
      this.byId.set(id, into);
    }
    for (const id of other.waits) {
      into.waits.add(id);
      const set = this.waiting.get(id)!;
      set.delete(other);
      set.add(into);
    }
    for (const [key, counters] of other.keyCounters) {
      const mine = into.keyCounters.get(key);
      if (mine) for (const c of counters) mine.add(c);
      else into.keyCounters.set(key, counters);
      if (this.openByKey.get(key) === other) this.openByKey.set(key, into);
    }
  }

  /** Every series in the cluster whole, and nothing its patches thread under still missing. */
  private complete(cluster: Cluster): boolean {
    if (cluster.patches.length === 0) return cluster.waits.size === 0;
    for (const { message } of cluster.patches) {
      for (const id of threadIds(message)) if (cluster.waits.has(id)) return false;
    }
    const patches = cluster.patches.map((e) => e.message);
    for (const series of groupSeries(patches, 'mailing-list')) {
      const counters = new Set(series.patches.map((i) => patches[i]!.subject.counter ?? 1));
      for (let k = 1; k <= Math.max(1, series.total); k++) if (!counters.has(k)) return false;
    }
    return true;
  }

  private drain(all: boolean): AssembledUnit[] {
    const out: AssembledUnit[] = [];
    for (let i = 0; i < this.queue.length; ) {
      const cluster = this.queue[i]!;
      const ready = all || this.seq - 1 - cluster.last >= this.window || this.complete(cluster);
      if (ready) {
        this.queue.splice(i, 1);
        out.push(this.release(cluster));
      } else if (cluster.patches.length > 0) break;
      else i++;
    }
    return out;
  }

  private release(cluster: Cluster): AssembledUnit {
    for (const id of cluster.ids) {
      this.byId.delete(id);
      this.released.add(id);
    }
    if (this.released.size > this.remember) {
      // Forget the oldest half (a Set iterates in insertion order).
      let drop = this.released.size - Math.floor(this.remember / 2);
      for (const id of this.released) {
        if (drop-- <= 0) break;
        this.released.delete(id);
      }
    }
    for (const id of cluster.waits) {
      const set = this.waiting.get(id);
      set?.delete(cluster);
      if (set?.size === 0) this.waiting.delete(id);
    }
    for (const key of cluster.keyCounters.keys()) if (this.openByKey.get(key) === cluster) this.openByKey.delete(key);
    return { patches: cluster.patches.map((e) => e.message), replies: cluster.replies.map((e) => e.message) };
  }
}

/** A posting's title for matching versions: the summary, lower-cased, spaces squeezed. */
export function normalisedTitle(patch: Patch): string {
  return patch.subject.summary.toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The message that stands for a series: its cover letter, else its first patch. */
export function leadOf(series: Series, patches: readonly Patch[]): Patch | undefined {
  return patches[series.cover ?? series.patches[0] ?? -1];
}

/** The author of a posting, for matching versions: in-body From, else the sender. */
export function postingAuthor(patch: Patch): string {
  return (patch.author?.email ?? patch.from?.email ?? '').toLowerCase();
}

/** A posting as the version linking sees it. */
export interface Posting {
  /** Its series id (the lead message's Message-ID). */
  id: string;
  version: number;
  subject: string;
  date?: string;
  messageIds: string[];
  /** postingAuthor() of its lead message. */
  author: string;
  /** normalisedTitle() of its lead message. */
  title: string;
}

/**
 * Where earlier postings are looked up to link versions: in memory for one review, the SQLite
 * history for triage (src/mail). `previous` answers the latest earlier posting with the same
 * author and title (not the posting itself); `record` remembers one.
 */
export interface PostingLog {
  previous(posting: Posting): Posting | undefined;
  record(posting: Posting): void;
}

/** The postings of one run, the latest per author and title, at most `limit` of them. */
export class MemoryPostingLog implements PostingLog {
  private byKey = new Map<string, Posting>();
  constructor(private readonly limit = 50_000) {}

  previous(posting: Posting): Posting | undefined {
    const earlier = this.byKey.get(`${posting.author}\0${posting.title}`);
    return earlier && earlier.id !== posting.id && earlier.version <= posting.version ? earlier : undefined;
  }

  record(posting: Posting): void {
    const key = `${posting.author}\0${posting.title}`;
    this.byKey.delete(key);
    this.byKey.set(key, posting);
    if (this.byKey.size > this.limit) this.byKey.delete(this.byKey.keys().next().value!);
  }
}

/** A series as a Posting (undefined when it has no lead message). */
export function postingOf(series: Series, patches: readonly Patch[]): Posting | undefined {
  const lead = leadOf(series, patches);
  if (!lead) return undefined;
  const messageIds = [series.cover, ...series.patches].flatMap((i) => (i === undefined ? [] : patches[i]?.messageId ?? []));
  return {
    id: series.id,
    version: series.version,
    subject: lead.subject.raw,
    ...(lead.date ? { date: lead.date } : {}),
    messageIds,
    author: postingAuthor(lead),
    title: normalisedTitle(lead),
  };
}

/**
 * Links each series to the posting it follows (same author, same normalised title, as b4 and
 * patchwork match revisions) as `previous`, looking in `log`, then records it there. Series are
 * taken in order, so a v2 after its v1 in the same input finds it.
 */
export function linkVersions(patches: readonly Patch[], series: Series[], log: PostingLog = new MemoryPostingLog()): Series[] {
  for (const one of series) {
    const posting = postingOf(one, patches);
    if (!posting || !posting.title) continue;
    const previous = log.previous(posting);
    if (previous) {
      const { author: _author, title: _title, ...rest } = previous;
      one.previous = rest;
    }
    log.record(posting);
  }
  return series;
}
