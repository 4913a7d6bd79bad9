import type { PatchRule } from '../types.js';
import { seriesOf } from '../lib/series.js';
import { netdevTree } from './util.js';

/** `2025-07-27` → the start of that day (UTC); `to` dates count through the end of their day. */
function dayStart(text: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
}

export const netNextClosed: PatchRule = {
  id: 'netdev/net-next-closed',
  pack: 'netdev',
  severity: 'warning',
  scope: 'patch',
  appliesToCover: true,
  doc: {
    what: 'A non-RFC posting for net-next dated inside one of the closed windows configured in `netdev.closedWindows` (the merge window).',
    why: 'While net-next is closed, new work is not applied; maintainers ask for it to be reposted once the tree reopens, or sent as RFC.',
    fix: 'Wait until net-next reopens (announced on the list), or mark the posting `[RFC net-next]`.',
  },
  check(patch, ctx) {
    const windows = ctx.config.netdev.closedWindows;
    if (windows.length === 0 || patch.subject.isReply || patch.subject.rfc || !patch.date) return [];
    if (netdevTree(patch.subject, ctx.config)?.toLowerCase() !== 'net-next') return [];
    // Once per posting: on the cover letter when there is one.
    const series = seriesOf(ctx.changeset, patch);
    if (series?.cover !== undefined && ctx.changeset.patches[series.cover] !== patch) return [];
    const at = Date.parse(patch.date);
    if (Number.isNaN(at)) return [];
    const window = windows.find((w) => at >= dayStart(w.from) && at < dayStart(w.to) + (/^\d{4}-\d{2}-\d{2}$/.test(w.to) ? 86_400_000 : 0));
    if (!window) return [];
    return [
      {
        message: `net-next is closed from ${window.from} to ${window.to}: post as RFC, or resend when it reopens`,
        location: { kind: 'subject' },
        evidence: patch.subject.raw,
      },
    ];
  },
};
