import { addedLines, filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { diffLocation } from './util.js';

export const trailingWhitespace: PatchRule = {
  id: 'kernel/trailing-whitespace',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'An added line ends in spaces or tabs.',
    why: 'Trailing whitespace is invisible noise that `git am --whitespace=error` rejects and later cleanups churn over.',
    fix: 'Strip it (`git rebase --whitespace=fix`, or your editor\'s trim-on-save) and resend.',
  },
  check(patch): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const { file, hunk, line } of addedLines(patch)) {
      if (file.binary) continue;
      const text = line.text.replace(/\r$/, '');
      if (!/[ \t]+$/.test(text)) continue;
      const location = diffLocation(file, hunk, line);
      const fixed = text.replace(/[ \t]+$/, '');
      out.push({
        message: text.trim() === '' ? 'whitespace-only line' : 'trailing whitespace',
        location,
        evidence: line.text,
        ...(line.newLine !== undefined
          ? {
              fix: {
                description: 'strip the trailing whitespace',
                target: { kind: 'diff' as const, file: filePath(file), startLine: line.newLine, endLine: line.newLine, lines: [fixed] },
              },
            }
          : {}),
      });
    }
    return out;
  },
};
