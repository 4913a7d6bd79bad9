import type { SeriesRule } from '../types.js';
import { cover, isPosting, members } from './util.js';

export const newVersionThreaded: SeriesRule = {
  id: 'series/new-version-threaded',
  pack: 'series',
  severity: 'warning',
  scope: 'series',
  doc: {
    what: "A v2 or later cover letter (or single patch) sent as a reply into the previous version's thread (In-Reply-To or References name one of its messages, Series.previous).",
    why: 'Netdev wants each version as a new thread: buried in the old one it is easy to miss, and patchwork and the CI may group it with the old version.',
    fix: 'Send the new version as a new thread (no --in-reply-to); link the previous version in the cover letter or below `---` instead.',
  },
  check(series, ctx) {
    const previous = series.previous;
    if (!isPosting(series) || series.version < 2 || !previous) return [];
    const list = members(series, ctx.changeset);
    const lead = cover(series, ctx.changeset) ?? (list.length === 1 ? list[0] : list.find((m) => m.patch.subject.counter === 1));
    if (!lead) return [];
    const old = new Set([previous.id, ...previous.messageIds]);
    const into = [lead.patch.inReplyTo, ...lead.patch.references].find((id): id is string => id !== undefined && old.has(id));
    if (!into) return [];
    return [
      {
        message: `v${series.version} is threaded under v${previous.version} (it replies into <${into}>); send each version as a new thread`,
        location: { kind: 'headers' },
        patch: lead.index,
        evidence: `In-Reply-To: <${lead.patch.inReplyTo ?? into}>`,
      },
    ];
  },
};
