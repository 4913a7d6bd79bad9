import type { SeriesRule } from '../types.js';
import { cover, isPosting, members } from './util.js';

const DAY_MS = 24 * 60 * 60 * 1000;

function hoursText(ms: number): string {
  const hours = ms / 3_600_000;
  return hours < 1 ? `${Math.max(1, Math.round(ms / 60_000))} minutes` : `${hours.toFixed(hours < 10 ? 1 : 0)} hours`;
}

export const repostWithin24h: SeriesRule = {
  id: 'series/repost-within-24h',
  pack: 'series',
  severity: 'warning',
  scope: 'series',
  doc: {
    what: 'A posting whose author sent the same series (same normalised title) less than 24 hours earlier; the earlier posting comes from the same input or, in triage, from the history (Series.previous).',
    why: 'Netdev asks for at least 24 hours between versions so that reviewers in every time zone can comment on one version before the next arrives.',
    fix: 'Wait 24 hours after a posting before sending the next version, unless a maintainer asked for it.',
  },
  check(series, ctx) {
    const previous = series.previous;
    if (!isPosting(series) || !previous?.date) return [];
    const lead = cover(series, ctx.changeset) ?? members(series, ctx.changeset)[0];
    if (!lead?.patch.date) return [];
    const gap = Date.parse(lead.patch.date) - Date.parse(previous.date);
    if (!(gap >= 0 && gap < DAY_MS)) return [];
    return [
      {
        message: `posted ${hoursText(gap)} after v${previous.version} ("${previous.subject}"); wait 24 hours between postings`,
        location: { kind: 'series' },
        patch: lead.index,
        evidence: lead.patch.subject.raw,
      },
    ];
  },
};
