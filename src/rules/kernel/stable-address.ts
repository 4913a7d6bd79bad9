import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { isCommitPatch, messageLines } from './util.js';

const MENTION = /stable@(?:vger\.)?kernel\.org/i;
const CANONICAL = /^Cc: stable@vger\.kernel\.org(?: # \S.*)?$/;

export const stableAddress: PatchRule = {
  id: 'kernel/stable-address',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'The stable Cc is written other than `Cc: stable@vger.kernel.org` (optionally followed by `# <version>`).',
    why: 'The stable team\'s scripts look for that exact line; `stable@kernel.org`, angle brackets or a name can be missed.',
    fix: 'Write `Cc: stable@vger.kernel.org` (with `# 6.1.x` if only some versions need it) in the trailer block.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const out: RuleFinding[] = [];
    messageLines(patch).forEach((text, i) => {
      // Only tag lines (`Cc:`, `CC:`, `To:`…), not prose mentioning the list.
      if (!MENTION.test(text) || !/^\s*[A-Za-z-]+\s*:/.test(text)) return;
      if (CANONICAL.test(text.trimEnd())) return;
      const comment = /#\s*(.*?)\s*$/.exec(text)?.[1] ?? /\[(.*?)\]\s*$/.exec(text)?.[1];
      const fixed = `Cc: stable@vger.kernel.org${comment ? ` # ${comment}` : ''}`;
      out.push({
        message: 'stable Cc should read "Cc: stable@vger.kernel.org"',
        location: messageLocation(patch, i + 1),
        evidence: text,
        fix: { description: 'use the canonical stable Cc', target: { kind: 'message', startLine: i + 1, endLine: i + 1, lines: [fixed] } },
      });
    });
    return out;
  },
};
