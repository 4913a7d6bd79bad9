import type { SeriesRule } from '../types.js';
import { allMessages, cover, holdsWholePosting, isPosting, members } from './util.js';

/** `v2:`, `v1 -> v2`, `Changes in v3`, `Changes since v1`, `Changelog`, b4's `- Link to v1:`. */
const CHANGELOG =
  /^\s*(?:[-*]\s*)?(?:v\d+\s*(?::|->|-->|→|\.\.)|changes\s+(?:(?:in|since|from|for|to)\s+)?v?\d+|v\d+\s+changes\b|change\s*log\b|changes\s*:|link to v\d+\s*:|since\s+v\d+\s*:)/im;

export function hasChangelog(text: string): boolean {
  return CHANGELOG.test(text);
}

export const changelogMissing: SeriesRule = {
  id: 'series/changelog-missing',
  pack: 'series',
  severity: 'info',
  scope: 'series',
  doc: {
    what: 'A v2 or later posting with no version changelog in the cover letter or below the `---` of any patch.',
    why: 'Reviewers need to know what changed since the last version they read.',
    fix: 'Add `v2: - <what changed> (<link to v1>)` to the cover letter, or below `---` in each patch.',
  },
  check(series, ctx) {
    if (!isPosting(series) || series.version < 2 || !holdsWholePosting(series, ctx.changeset)) return [];
    const texts = allMessages(series, ctx.changeset).flatMap(({ patch }) => [patch.notes, ...(patch.isCover ? [patch.message] : [])]);
    if (texts.some(hasChangelog)) return [];
    const c = cover(series, ctx.changeset) ?? members(series, ctx.changeset)[0];
    return [
      {
        message: `v${series.version} carries no changelog: say what changed since v${series.version - 1}`,
        location: { kind: 'series' },
        ...(c ? { patch: c.index, evidence: c.patch.subject.raw } : {}),
      },
    ];
  },
};
