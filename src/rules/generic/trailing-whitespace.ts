import { trailingWhitespaceFindings } from '../lib/whitespace.js';
import type { PatchRule } from '../types.js';

export const trailingWhitespace: PatchRule = {
  id: 'generic/trailing-whitespace',
  pack: 'generic',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: 'An added line ending in spaces or tabs.',
    why: 'Trailing whitespace is invisible noise that shows up in later diffs and blame.',
    fix: 'Strip it (most editors can do it on save; `git diff --check` lists the lines).',
  },
  check: trailingWhitespaceFindings,
};
