import { addedLines } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';

export const missingFinalNewline: PatchRule = {
  id: 'generic/missing-final-newline',
  pack: 'generic',
  severity: 'info',
  scope: 'patch',
  doc: {
    what: 'The file ends without a newline after the patch (`\\ No newline at end of file` on an added line).',
    why: 'Tools that read line by line lose or merge the last line, and the next change to it shows a spurious diff.',
    fix: 'End the file with a newline.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    for (const { file, line } of addedLines(patch)) {
      // A symlink's target never ends in a newline.
      if (file.newMode === '120000') continue;
      if (line.noNewlineAtEnd && !file.binary) out.push(lineFinding(file, line, 'no newline at end of file'));
    }
    return out;
  },
};
