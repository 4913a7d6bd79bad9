import type { SeriesRule } from '../types.js';
import { cover, holdsWholePosting, isPosting, members } from './util.js';

export const partialResend: SeriesRule = {
  id: 'series/partial-resend',
  pack: 'series',
  severity: 'warning',
  scope: 'series',
  doc: {
    what: 'A v2 or later posting that carries only some of its patches 1..N.',
    why: 'Netdev applies whole series; a new version must repost every patch, changed or not.',
    fix: 'Resend the complete series with all N patches.',
  },
  check(series, ctx) {
    if (!isPosting(series) || series.version < 2 || !holdsWholePosting(series, ctx.changeset)) return [];
    const patches = members(series, ctx.changeset);
    const total = series.total || Math.max(0, ...patches.map((p) => p.patch.subject.total ?? 0));
    if (total < 2) return [];
    const present = new Set(patches.flatMap((p) => (p.patch.subject.counter !== undefined ? [p.patch.subject.counter] : [])));
    if (present.size === 0) return [];
    const missing: number[] = [];
    for (let k = 1; k <= total; k++) if (!present.has(k)) missing.push(k);
    if (missing.length === 0) return [];
    const c = cover(series, ctx.changeset);
    return [
      {
        message: `v${series.version} posts ${present.size} of ${total} patches (missing ${missing.map((k) => `${k}/${total}`).join(', ')}); resend the whole series`,
        location: { kind: 'series' },
        ...(c ? { patch: c.index, evidence: c.patch.subject.raw } : {}),
      },
    ];
  },
};
