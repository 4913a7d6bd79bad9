import { addedLines, filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { diffLocation } from '../lib/location.js';
import { visualWidth } from '../lib/width.js';

const INFO = 80;
const WARN = 100;
/** The sources the 80-column rule is for (checkpatch's set: C, assembly, device tree, shell). */
const SOURCE = /\.(?:c|h|s|S|sh|dts|dtsi)$/;

/**
 * A line made long by a string literal is exempt when the literal starts within the limit and the
 * line would fit without it: user-visible messages must stay greppable, so they are not split.
 */
export function longStringExempt(text: string, limit = INFO): boolean {
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
    const start = visualWidth(text.slice(0, m.index ?? 0));
    if (start > limit) continue;
    if (visualWidth(text) - m[0].length <= limit) return true;
  }
  return false;
}

export const lineLength: PatchRule = {
  id: 'kernel/line-length',
  pack: 'kernel',
  scope: 'patch',
  severity: 'info',
  doc: {
    what: 'An added line of a C, assembly, device-tree or shell source is wider than 80 columns with tabs counted as 8 (info), or wider than 100 (warning); long user-visible strings, URLs and unbreakable tokens are exempt.',
    why: 'The coding style prefers 80 columns and checkpatch in netdev\'s CI checks that width; past 100 it hurts readability everywhere.',
    fix: 'Break the statement, shorten names, or pull the body into a helper; never split a user-visible string.',
  },
  check(patch): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const { file, hunk, line } of addedLines(patch)) {
      if (file.binary || !SOURCE.test(filePath(file))) continue;
      const text = line.text.replace(/\r$/, '');
      const width = visualWidth(text);
      if (width <= INFO) continue;
      if (longStringExempt(text)) continue;
      if (/\b(?:https?|ftp):\/\//.test(text)) continue;
      if (!/\S\s+\S/.test(text.trim())) continue;
      out.push({
        message: `line is ${width} columns (limit ${width > WARN ? WARN : INFO})`,
        severity: width > WARN ? 'warning' : 'info',
        location: diffLocation(file, line, hunk),
        evidence: line.text,
      });
    }
    return out;
  },
};
