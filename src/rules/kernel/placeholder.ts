import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { hasMessage, messageLines } from './util.js';

const PLACEHOLDER = /\*\*\* (?:SUBJECT|BLURB) HERE \*\*\*/;

export const placeholder: PatchRule = {
  id: 'kernel/placeholder',
  pack: 'kernel',
  scope: 'patch',
  appliesToCover: true,
  severity: 'error',
  doc: {
    what: 'The `*** SUBJECT HERE ***` or `*** BLURB HERE ***` placeholder of `git format-patch --cover-letter` was left in.',
    why: 'A cover letter without its subject or description tells reviewers nothing about the series.',
    fix: 'Edit the cover letter: replace both placeholders with a title and a description of the series.',
  },
  check(patch): RuleFinding[] {
    if (!hasMessage(patch) || patch.subject.isReply) return [];
    const out: RuleFinding[] = [];
    if (PLACEHOLDER.test(patch.subject.raw)) {
      out.push({ message: 'subject placeholder left in', location: { kind: 'subject' }, evidence: patch.subject.raw });
    }
    messageLines(patch).forEach((text, i) => {
      if (PLACEHOLDER.test(text)) {
        out.push({ message: 'placeholder left in the message', location: messageLocation(patch, i + 1), evidence: text });
      }
    });
    return out;
  },
};
