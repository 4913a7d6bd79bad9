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
