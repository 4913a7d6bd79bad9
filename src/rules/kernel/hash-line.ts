import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { isCommitPatch, messageLines } from './util.js';

export const hashLine: PatchRule = {
  id: 'kernel/hash-line',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'A line of the commit message starts with `#`.',
    why: 'git treats such lines as comments when the message is edited (commit --amend, rebase) and silently drops them.',
    fix: 'Indent the line (a quoted shell prompt or `#include`) or reword it so it does not start with `#`.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const out: RuleFinding[] = [];
    messageLines(patch).forEach((text, i) => {
      if (text.startsWith('#')) {
        out.push({ message: 'message line starts with "#" and would be dropped by git as a comment', location: messageLocation(patch, i + 1), evidence: text });
      }
    });
    return out;
  },
};
