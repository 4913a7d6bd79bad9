import { addedLines, filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { diffLocation } from '../lib/location.js';

export const dosLineEndings: PatchRule = {
  id: 'kernel/dos-line-endings',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'An added line ends in CRLF (DOS line ending).',
    why: 'Kernel sources use LF only; CRs show up as `^M` in diffs and break scripts and string comparisons.',
    fix: 'Convert the file to LF (`dos2unix`, or `git config core.autocrlf input`) and regenerate the patch.',
  },
  check(patch): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const { file, hunk, line } of addedLines(patch)) {
      if (file.binary) continue;
      if (!line.crlf && !line.text.endsWith('\r')) continue;
      const fixed = line.text.replace(/\r$/, '');
      out.push({
        message: 'DOS line ending (CRLF)',
        location: diffLocation(file, line, hunk),
        evidence: line.text,
        ...(line.newLine !== undefined
          ? {
              fix: {
                description: 'use an LF line ending',
                target: { kind: 'diff' as const, file: filePath(file), startLine: line.newLine, endLine: line.newLine, lines: [fixed] },
              },
            }
          : {}),
      });
    }
    return out;
  },
};
