import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { formatPerson, patchAuthor, samePerson } from '../lib/person.js';
import { isCommitPatch, signOffs } from './util.js';

export const authorSignoff: PatchRule = {
  id: 'kernel/author-signoff',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'None of the sign-offs is the author\'s (the in-body `From:`, else B4 Relay\'s `X-Original-From`, else the sender); matched by address, else by name.',
    why: 'The author must certify the origin of their own work; a mismatch usually means a wrong `user.email` or a lost `From:` line.',
    fix: 'Make the author and the first sign-off agree: fix `git config user.email`, or add the in-body `From:` of the real author.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch) || patch.subject.isReply) return [];
    const author = patchAuthor(patch);
    const sobs = signOffs(patch);
    // No sign-off at all is kernel/missing-signoff's finding.
    if (!author || sobs.length === 0) return [];
    if (sobs.some((s) => s.person && samePerson(s.person, author))) return [];
    const first = sobs[0];
    return [
      {
        message: `no Signed-off-by from the author ${formatPerson(author)}`,
        location: first ? messageLocation(patch, first.line) : { kind: 'headers' },
        ...(first ? { evidence: first.text } : {}),
      },
    ];
  },
};
