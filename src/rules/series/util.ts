import type { ChangeSet, Patch, Series } from '../../model/changeset.js';

export interface Member {
  index: number;
  patch: Patch;
}

/** The series' patches (cover and review replies excluded), with their indices into ChangeSet.patches. */
export function members(series: Series, changeset: ChangeSet): Member[] {
  return series.patches.flatMap((index) => {
    const patch = changeset.patches[index];
    return patch && !patch.subject.isReply && !patch.isCover ? [{ index, patch }] : [];
  });
}

export function cover(series: Series, changeset: ChangeSet): Member | undefined {
  if (series.cover === undefined) return undefined;
  const patch = changeset.patches[series.cover];
  return patch && !patch.subject.isReply ? { index: series.cover, patch } : undefined;
}

/** Every message of the series, cover first. */
export function allMessages(series: Series, changeset: ChangeSet): Member[] {
  const c = cover(series, changeset);
  return [...(c ? [c] : []), ...members(series, changeset)];
}

/** Series rules read postings from a list; pull requests and ranges have no k/N subjects. */
export function isPosting(series: Series): boolean {
  return series.origin === 'mailing-list';
}

/**
 * Whether the input holds the start of the posting: its cover letter, or (without one) its 1/N
 * as the root of the thread. A lone `[PATCH v4 3/3]` saved from a thread does not, and then
 * nothing can be said about what the posting lacks.
 */
export function holdsWholePosting(series: Series, changeset: ChangeSet): boolean {
  if (cover(series, changeset)) return true;
  const list = members(series, changeset);
  if (list.length === 0) return false;
  if (list.every((m) => m.patch.subject.counter === undefined)) return true;
  return list.some((m) => m.patch.subject.counter === 1 && m.patch.inReplyTo === undefined);
}

/** The most frequent value (ties: the larger), or undefined for an empty list. */
export function mostFrequent(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0];
}
