import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { descriptionLines, isCommitPatch, messageLines, quotedLineSet } from './util.js';

const COMMIT_WORD = /\bcommit\s+([0-9a-fA-F]{5,})\b/gi;
/** A bare hash: 12+ hex with at least one digit and one letter, standing alone. */
const BARE_HASH = /(?:^|[\s(])([0-9a-fA-F]{12,40})(?=$|[\s"'(),.;:[\]])/g;
const GOOD_TITLE = /^\s+\("(?:.+?)"\)/;

function looksLikeHash(h: string): boolean {
  return /[0-9]/.test(h) && /[a-fA-F]/.test(h);
}

export const commitReference: PatchRule = {
  id: 'kernel/commit-reference',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'A commit is mentioned in the message other than as `commit <12+ hex> ("subject")`.',
    why: 'Abbreviated hashes become ambiguous and bare hashes say nothing; the canonical form is unique and readable even without the repository.',
    fix: 'Write it as `git log -1 --format=\'commit %h ("%s")\' --abbrev=12 <sha>` prints it.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const all = messageLines(patch);
    const quoted = quotedLineSet(all);
    const out: RuleFinding[] = [];
    for (const { line, text } of descriptionLines(patch)) {
      if (quoted.has(line) && /^\s/.test(text)) continue;
      if (/^\s*Fixes:/i.test(text) || /\b(?:https?|ftp):\/\//.test(text)) continue;
      // git's own revert message names the full hash without a title.
      if (/^This reverts commit [0-9a-f]{40}\.?\s*$/.test(text)) continue;
      const problems: string[] = [];
      const covered = new Set<string>();
      // Join with the next lines: the title of a reference is often wrapped.
      const joined = [text, all[line] ?? '', all[line + 1] ?? ''].join(' ');
      for (const m of text.matchAll(COMMIT_WORD)) {
        const hash = m[1] ?? '';
        if (!/[0-9]/.test(hash)) continue; // "commit added", "commit faded": words, not hashes
        covered.add(hash);
        const after = joined.slice((m.index ?? 0) + m[0].length);
        if (hash.length < 12) problems.push(`hash ${hash} is shorter than 12 characters`);
        else if (hash.length > 40) problems.push(`hash ${hash} is too long`);
        else if (hash !== hash.toLowerCase()) problems.push(`hash ${hash} is not lower case`);
        if (!GOOD_TITLE.test(after)) problems.push(`commit ${hash} is not followed by ("subject")`);
      }
      for (const m of text.matchAll(BARE_HASH)) {
        const hash = m[1] ?? '';
        if (covered.has(hash) || !looksLikeHash(hash)) continue;
        if (quoted.has(line)) continue;
        problems.push(`bare hash ${hash}`);
      }
      if (problems.length > 0) {
        out.push({
          message: `commit reference not in the form commit <12+ hex> ("subject"): ${problems.join('; ')}`,
          location: messageLocation(patch, line),
          evidence: text,
        });
      }
    }
    return out;
  },
};
