import { addedLines, filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from './util.js';

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
  check(patch) {
    const out: RuleFinding[] = [];
    for (const { file, line } of addedLines(patch)) {
      const path = filePath(file);
      if (!/[ \t]$/.test(line.text)) continue;
      // Markdown's two-space hard line break, and diffs kept as data, are meant.
      if (/\.(?:md|markdown)$/i.test(path) && /\S {2}$/.test(line.text)) continue;
      if (/\.(?:patch|diff)$/i.test(path)) continue;
      out.push({
        ...lineFinding(file, line, 'trailing whitespace'),
        fix: {
          description: 'remove the trailing whitespace',
          target: { kind: 'diff', file: path, startLine: line.newLine ?? 1, endLine: line.newLine ?? 1, lines: [line.text.replace(/[ \t]+$/, '')] },
        },
      });
    }
    return out;
  },
};
