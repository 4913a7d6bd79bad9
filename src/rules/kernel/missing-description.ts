import { messageLocation } from '../lib/location.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { descriptionLines, isCommitPatch, messageLines } from './util.js';

export const missingDescription: PatchRule = {
  id: 'kernel/missing-description',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'The commit message has no description at all besides its trailers (a warning, as checkpatch gives); a single line of description is noted as info.',
    why: 'Reviewers and later readers of `git log` need to know what problem the change solves and why this way; a short description is accepted when the change is obvious.',
    fix: 'Describe the problem, its user-visible effect and why the change is right, in a few wrapped lines.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const described = descriptionLines(patch).filter((l) => l.text.trim() !== '');
    if (described.length >= 2) return [];
    const first = described[0];
    if (first) {
      return [{ message: 'commit message has only one line of description', severity: 'info', location: messageLocation(patch, first.line), evidence: first.text }];
    }
    const lines = messageLines(patch);
    return [{ message: 'commit message has no description', location: lines.length > 0 ? messageLocation(patch, 1) : { kind: 'subject' } }];
  },
};
