import type { RuleFinding, SeriesRule } from '../types.js';
import { cover, isPosting, members, mostFrequent } from './util.js';

export const versionMismatch: SeriesRule = {
  id: 'series/version-mismatch',
  pack: 'series',
  severity: 'warning',
  scope: 'series',
  doc: {
    what: 'The revision (`vN`) differs between the cover letter and the patches, or among the patches.',
    why: 'Patchwork and b4 group messages by revision; a mismatch splits the series or mixes two versions.',
    fix: 'Regenerate every message with the same `-v N` (git format-patch -vN, or b4).',
  },
  check(series, ctx) {
    if (!isPosting(series)) return [];
    const patches = members(series, ctx.changeset);
    const c = cover(series, ctx.changeset);
    const out: RuleFinding[] = [];
    const reference = c ? c.patch.subject.version : mostFrequent(patches.map((p) => p.patch.subject.version)) ?? series.version;
    const against = c ? 'the cover letter' : 'the rest of the series';
    const flag = (index: number, version: number, evidence: string) =>
      out.push({ message: `patch is v${version} but ${against} is v${reference}`, location: { kind: 'subject' }, patch: index, evidence });
    for (const { index, patch } of patches) {
      if (patch.subject.version !== reference) flag(index, patch.subject.version, patch.subject.raw);
    }
    // Patches answering the cover directly but left out of the series for their other revision.
    const coverId = c?.patch.messageId;
    if (c && coverId) {
      const inSeries = new Set(series.patches);
      ctx.changeset.patches.forEach((patch, index) => {
        if (inSeries.has(index) || index === c.index || patch.isCover || patch.subject.isReply) return;
        if (patch.inReplyTo !== coverId || patch.files.length === 0) return;
        if (patch.subject.version !== reference) flag(index, patch.subject.version, patch.subject.raw);
      });
    }
    return out;
  },
};
