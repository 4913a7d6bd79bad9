import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { isCommitPatch, messageLines } from './util.js';

/** First line (1-based) of the last paragraph of the message: where trailers belong. */
function lastParagraphStart(lines: string[]): number {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end--;
  let start = end;
  while (start > 1 && (lines[start - 2] ?? '').trim() !== '') start--;
  return Math.max(start, 1);
}

const FIXES_TAG = /^\s*Fixes\s*:?\s*(?:commit\s+)?[0-9a-fA-F]{7,}/i;

export const fixesPlacement: PatchRule = {
  id: 'kernel/fixes-placement',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'A `Fixes:` tag sits in the middle of the description or below the `---` line instead of in the trailer block.',
    why: 'Below `---` the tag never reaches git; in the prose, tools that read the trailer block miss it.',
    fix: 'Move the tag into the trailer block at the end of the message, before the sign-offs.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const out: RuleFinding[] = [];
    const lines = messageLines(patch);
    const block = lastParagraphStart(lines);
    lines.forEach((text, i) => {
      if (i + 1 < block && FIXES_TAG.test(text)) {
        out.push({ message: 'Fixes: tag outside the trailer block', location: messageLocation(patch, i + 1), evidence: text });
      }
    });
    patch.notes.split('\n').forEach((text, i) => {
      if (!FIXES_TAG.test(text)) return;
      out.push({
        message: 'Fixes: tag below the --- line is dropped by git am',
        location: {
          kind: 'message',
          part: 'notes',
          line: i + 1,
          ...(patch.notesStartLine !== undefined ? { patchLine: patch.notesStartLine + i } : {}),
        },
        evidence: text,
      });
    });
    return out;
  },
};
