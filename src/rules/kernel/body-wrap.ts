import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { visualWidth } from '../lib/width.js';
import { descriptionLines, isCommitPatch, messageLines, quotedLineSet } from './util.js';

const LIMIT = 75;

export const bodyWrap: PatchRule = {
  id: 'kernel/body-wrap',
  pack: 'kernel',
  scope: 'patch',
  severity: 'info',
  doc: {
    what: 'A line of the commit message prose is longer than 75 columns (trailers, URLs, indented or quoted logs and stack dumps are exempt).',
    why: 'git indents the message in `git log` and mail clients quote it; wrapped at 75 it stays readable in an 80-column terminal.',
    fix: 'Rewrap the paragraph at 72–75 columns; leave pasted logs as they are, preferably indented.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const quoted = quotedLineSet(messageLines(patch));
    const out: RuleFinding[] = [];
    for (const { line, text } of descriptionLines(patch)) {
      const width = visualWidth(text);
      if (width <= LIMIT || quoted.has(line)) continue;
      if (/\b(?:https?|ftp):\/\//.test(text)) continue;
      if (/^\s*Fixes:/i.test(text)) continue;
      // A single unbreakable token (a path, an identifier) cannot be wrapped.
      if (!/\S\s+\S/.test(text.trim())) continue;
      out.push({
        message: `commit message line is ${width} columns (wrap at ${LIMIT})`,
        location: messageLocation(patch, line),
        evidence: text,
      });
    }
    return out;
  },
};
