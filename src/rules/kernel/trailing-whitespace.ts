import { trailingWhitespaceFindings } from '../lib/whitespace.js';
import type { PatchRule } from '../types.js';

export const trailingWhitespace: PatchRule = {
  id: 'kernel/trailing-whitespace',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  // Kernel patches get this rule's severity and advice instead of the generic rule's.
  supersedes: ['generic/trailing-whitespace'],
  doc: {
    what: 'An added line ends in spaces or tabs.',
    why: 'Trailing whitespace is invisible noise that `git am --whitespace=error` rejects and later cleanups churn over.',
    fix: 'Strip it (`git rebase --whitespace=fix`, or your editor\'s trim-on-save) and resend.',
  },
  check: trailingWhitespaceFindings,
};
