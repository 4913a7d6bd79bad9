import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { formatPerson, isB4RelayAddress, patchAuthor, personOf, samePerson } from '../lib/person.js';
import { isCommitPatch, signOffs } from './util.js';

export const senderSignoffLast: PatchRule = {
  id: 'kernel/sender-signoff-last',
  pack: 'kernel',
  scope: 'patch',
  severity: 'info',
  doc: {
    what: 'The last Signed-off-by is not the sender\'s.',
    why: 'Sign-offs record the path of a patch; whoever sends it on adds theirs last, so a different last one suggests a missing sign-off.',
    fix: 'If you are passing the patch on, add your own `Signed-off-by:` after the existing ones.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch) || patch.source.kind !== 'email') return [];
    let sender = patch.from;
    if (sender && isB4RelayAddress(sender.email)) {
      const orig = patch.headers['x-original-from'];
      sender = (orig ? personOf(orig) : undefined) ?? sender;
    }
    const sobs = signOffs(patch);
    const last = sobs[sobs.length - 1];
    if (!sender || !last || !last.person) return [];
    if (samePerson(last.person, sender)) return [];
    // The sender is the author and never signed off: kernel/author-signoff already says so.
    const author = patchAuthor(patch);
    if (author && samePerson(author, sender) && !sobs.some((s) => s.person && samePerson(s.person, sender))) return [];
    return [
      {
        message: `last Signed-off-by is not the sender ${formatPerson(sender)}`,
        location: messageLocation(patch, last.line),
        evidence: last.text,
      },
    ];
  },
};
