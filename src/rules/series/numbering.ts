import type { RuleFinding, SeriesRule } from '../types.js';
import { allMessages, cover, holdsWholePosting, isPosting, members } from './util.js';

export const numbering: SeriesRule = {
  id: 'series/numbering',
  pack: 'series',
  severity: 'warning',
  scope: 'series',
  doc: {
    what: 'Patch counters missing, duplicated, out of range, or an `N` that differs between messages.',
    why: 'Tools (b4, patchwork) and reviewers rebuild the series from the `k/N` counters; wrong ones lose or misorder patches.',
    fix: 'Regenerate the series with `git format-patch -n` (or b4) so every message carries a consistent `k/N`.',
  },
  check(series, ctx) {
    if (!isPosting(series)) return [];
    const patches = members(series, ctx.changeset);
    const all = allMessages(series, ctx.changeset);
    const out: RuleFinding[] = [];
    if (all.length <= 1) return out;

    const totals = new Map<number, number>();
    for (const { patch } of all) if (patch.subject.total !== undefined) totals.set(patch.subject.total, (totals.get(patch.subject.total) ?? 0) + 1);
    const expected = [...totals.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? series.total;

    for (const { index, patch } of all) {
      const s = patch.subject;
      if (s.counter === undefined || s.total === undefined) {
        out.push({ message: 'message has no `k/N` counter although the series has several patches', location: { kind: 'subject' }, patch: index, evidence: s.raw });
        continue;
      }
      if (s.total !== expected) {
        out.push({ message: `counter says ${s.counter}/${s.total} but the rest of the series says /${expected}`, location: { kind: 'subject' }, patch: index, evidence: s.raw });
      } else if (!patch.isCover && (s.counter < 1 || s.counter > s.total)) {
        out.push({ message: `counter ${s.counter}/${s.total} is out of range`, location: { kind: 'subject' }, patch: index, evidence: s.raw });
      }
    }

    const seen = new Map<number, number>();
    for (const { index, patch } of patches) {
      const k = patch.subject.counter;
      if (k === undefined) continue;
      if (seen.has(k)) {
        out.push({ message: `counter ${k}/${patch.subject.total ?? '?'} used by more than one patch`, location: { kind: 'subject' }, patch: index, evidence: patch.subject.raw });
      } else seen.set(k, index);
    }

    // A gap in a first posting means a patch went missing (v2+ partial resends are series/partial-resend).
    if (series.version === 1 && expected > 0 && seen.size > 0 && holdsWholePosting(series, ctx.changeset)) {
      const missing: number[] = [];
      for (let k = 1; k <= expected; k++) if (!seen.has(k)) missing.push(k);
      if (missing.length > 0 && missing.length < expected) {
        const c = cover(series, ctx.changeset);
        out.push({
          message: `patch${missing.length > 1 ? 'es' : ''} ${missing.map((k) => `${k}/${expected}`).join(', ')} missing from the series`,
          location: { kind: 'series' },
          ...(c ? { patch: c.index } : {}),
        });
      }
    }
    return out;
  },
};
