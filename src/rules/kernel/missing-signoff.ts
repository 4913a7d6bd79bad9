import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { isCommitPatch, messageLines, signOffs } from './util.js';

export const missingSignoff: PatchRule = {
  id: 'kernel/missing-signoff',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'The commit message has no `Signed-off-by:` line.',
    why: 'The sign-off certifies the Developer Certificate of Origin; patches without one cannot be merged.',
    fix: 'Commit with `git commit -s` (or `git commit --amend -s`) so your `Signed-off-by: Name <address>` is added.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch) || patch.subject.isReply) return [];
    if (signOffs(patch).length > 0) return [];
    const lines = messageLines(patch);
    return [
      {
        message: 'missing Signed-off-by: line',
        location: lines.length > 0 ? messageLocation(patch, lines.length) : { kind: 'patch' },
      },
    ];
  },
};
