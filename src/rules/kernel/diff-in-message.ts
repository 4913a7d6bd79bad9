import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { isPosting, messageLines } from './util.js';

const DIFF_LINE = /^\s*(?:---\s+a\/|\+\+\+\s+b\/|@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@|diff --git a\/)/;

export const diffInMessage: PatchRule = {
  id: 'kernel/diff-in-message',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'The commit message contains diff lines (`--- a/`, `+++ b/`, `@@ … @@`).',
    why: '`git am` and `patch` take such lines for the start of the diff, so the message is cut or the patch fails to apply.',
    fix: 'Describe the change in prose, or quote the snippet without the diff headers (for instance indented, without `---`/`+++`/`@@`).',
  },
  check(patch): RuleFinding[] {
    if (!isPosting(patch)) return [];
    const out: RuleFinding[] = [];
    messageLines(patch).forEach((text, i) => {
      if (DIFF_LINE.test(text)) {
        out.push({ message: 'diff line inside the commit message', location: messageLocation(patch, i + 1), evidence: text });
      }
    });
    return out;
  },
};
