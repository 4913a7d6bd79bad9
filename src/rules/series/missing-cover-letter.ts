import type { SeriesRule } from '../types.js';
import { holdsWholePosting, isPosting, members } from './util.js';

export const missingCoverLetter: SeriesRule = {
  id: 'series/missing-cover-letter',
  pack: 'series',
  severity: 'warning',
  scope: 'series',
  doc: {
    what: 'A posting of 3 or more patches without a `0/N` cover letter.',
    why: 'The cover letter explains the series as a whole and carries the merge commit text; netdev CI expects one.',
    fix: 'Resend with `git format-patch --cover-letter` (or b4) and describe the series in the 0/N message.',
  },
  check(series, ctx) {
    if (!isPosting(series) || series.cover !== undefined || !holdsWholePosting(series, ctx.changeset)) return [];
    const count = Math.max(series.total, members(series, ctx.changeset).length);
    if (count < 3) return [];
    const first = members(series, ctx.changeset)[0];
    return [
      {
        message: `series of ${count} patches has no 0/${count} cover letter`,
        location: { kind: 'series' },
        ...(first ? { patch: first.index, evidence: first.patch.subject.raw } : {}),
      },
    ];
  },
};
