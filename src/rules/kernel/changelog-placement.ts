import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { isCommitPatch, messageLines } from './util.js';

/** Lines that open a version changelog: `v2:`, `v1 -> v2:`, `Changes since v1`, `Changes in v3:`. */
const CHANGELOG = [
  /^\s*[-*]?\s*v\d+\s*(?:->|→|-->|=>|to)\s*v\d+\s*:?/i,
  /^\s*[-*]?\s*\[?v\d+\]?\s*:(?:\s|$)/i,
  /^\s*changes\s+(?:since|from|in|for|compared to)\s+(?:v\d+|the previous|previous|last)/i,
  /^\s*changes\s+v\d+/i,
  /^\s*change\s*log\s*:/i,
  /^\s*---\s*v\d+/i,
];

export const changelogPlacement: PatchRule = {
  id: 'kernel/changelog-placement',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'A version changelog (`v2:`, `Changes since v1`) sits in the commit message above the `---` line.',
    why: 'Everything above `---` lands in the git history; the version history of a posting is only for reviewers.',
    fix: 'Move the changelog below the `---` line (git notes or editing the email) or into the cover letter.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const lines = messageLines(patch);
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] ?? '';
      if (CHANGELOG.some((re) => re.test(text))) {
        // One finding per message: the changelog block starts here.
        return [
          {
            message: 'version changelog above the --- line; move it below',
            location: messageLocation(patch, i + 1),
            evidence: text,
          },
        ];
      }
    }
    return [];
  },
};
