import { addedLines, filePath, type Patch } from '../../model/changeset.js';
import type { RuleFinding } from '../types.js';
import { diffLocation } from './location.js';

/**
 * The one trailing-whitespace check, behind both catalogue ids (kernel/trailing-whitespace on
 * kernel patches, generic/trailing-whitespace elsewhere): every added line that ends in spaces
 * or tabs, with the stripped line as its fix. A CR before the newline is not whitespace here
 * (kernel/dos-line-endings reports it); binary files, diffs kept as data (`.patch`, `.diff`) and
 * Markdown's two-space hard line break are meant and left alone.
 */
export function trailingWhitespaceFindings(patch: Patch): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const { file, hunk, line } of addedLines(patch)) {
    if (file.binary) continue;
    const path = filePath(file);
    const text = line.text.endsWith('\r') ? line.text.slice(0, -1) : line.text;
    if (!/[ \t]$/.test(text)) continue;
    if (/\.(?:patch|diff)$/i.test(path)) continue;
    if (/\.(?:md|markdown)$/i.test(path) && /\S {2}$/.test(text)) continue;
    const fixed = text.replace(/[ \t]+$/, '');
    out.push({
      message: fixed === '' ? 'whitespace-only line' : 'trailing whitespace',
      location: diffLocation(file, line, hunk),
      evidence: line.text,
      ...(line.newLine !== undefined
        ? { fix: { description: 'strip the trailing whitespace', target: { kind: 'diff' as const, file: path, startLine: line.newLine, endLine: line.newLine, lines: [fixed] } } }
        : {}),
    });
  }
  return out;
}
