import type { PatchRule, RuleFinding } from '../types.js';
import { isCommitPatch } from './util.js';

/** Tools named as the point of the change; `sparse` only when it is clearly the checker. */
const TOOL = /\b(?:checkpatch(?:\.pl)?|smatch|coccinelle|coccicheck)\b|\bsparse (?:warnings?|errors?|complaints?|issues?)\b|\b(?:fix|silence|address|quiet)(?:es)? (?:a |the )?sparse\b/i;

export const subjectNamesTool: PatchRule = {
  id: 'kernel/subject-names-tool',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'The summary names the tool that found the problem (checkpatch, sparse, smatch, coccinelle) instead of the change.',
    why: 'The shortlog should say what changes in the code; "fix checkpatch warnings" tells a reader nothing.',
    fix: 'Describe the change itself ("use tabs for indentation", "annotate the __be16 field") and credit the tool in the body.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    // `mm/sparse: …` is a subsystem, not the tool: look past the prefixes.
    const rest = patch.subject.summary.replace(/^(?:[^\s:]+(?:(?:,\s?| \/ )[^\s:]+)*: )+/, '');
    const m = TOOL.exec(rest);
    if (!m) return [];
    return [{ message: `summary names the tool ("${m[0]}") rather than the change`, location: { kind: 'subject' }, evidence: patch.subject.raw }];
  },
};
