import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { formatPerson, patchAuthor, samePerson, trailerPerson } from '../lib/person.js';
import { isCommitPatch, keyIs, messageLines } from './util.js';

export const coDevelopedBy: PatchRule = {
  id: 'kernel/co-developed-by',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: '`Co-developed-by: X` is not immediately followed by `Signed-off-by: X`, or names the patch author.',
    why: 'Each co-author must certify the DCO right after being credited; the author is credited by the From: line already.',
    fix: 'Put `Signed-off-by: X` on the line right after `Co-developed-by: X`, and drop a Co-developed-by naming the author.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const out: RuleFinding[] = [];
    const lines = messageLines(patch);
    const author = patchAuthor(patch);
    patch.trailers.forEach((t, i) => {
      if (!keyIs(t, 'co-developed-by')) return;
      const evidence = lines[t.line - 1] ?? t.raw;
      const location = messageLocation(patch, t.line);
      const who = trailerPerson(t);
      if (who && author && samePerson(who, author)) {
        out.push({ message: `Co-developed-by names the author ${formatPerson(author)}`, location, evidence });
        return;
      }
      const next = patch.trailers[i + 1];
      const nextWho = next ? trailerPerson(next) : undefined;
      const ok = next !== undefined && keyIs(next, 'signed-off-by') && who !== undefined && nextWho !== undefined && samePerson(who, nextWho);
      if (!ok) {
        out.push({
          message: `Co-developed-by: ${who ? formatPerson(who) : t.value} must be immediately followed by their Signed-off-by`,
          location,
          evidence,
        });
      }
    });
    return out;
  },
};
