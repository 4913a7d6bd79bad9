import type { PatchRule, RuleFinding } from '../types.js';
import { descriptionLines, isCommitPatch, messageLines, messageLocation } from './util.js';

export const missingDescription: PatchRule = {
  id: 'kernel/missing-description',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'The commit message has fewer than two lines of description besides its trailers.',
    why: 'Reviewers and later readers of `git log` need to know what problem the change solves and why this way.',
    fix: 'Describe the problem, its user-visible effect and why the change is right, in a few wrapped lines.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const described = descriptionLines(patch).filter((l) => l.text.trim() !== '');
    if (described.length >= 2) return [];
    const first = described[0];
    const lines = messageLines(patch);
    return [
      {
        message:
          described.length === 0 ? 'commit message has no description' : 'commit message has only one line of description',
        location: first ? messageLocation(patch, first.line) : lines.length > 0 ? messageLocation(patch, 1) : { kind: 'subject' },
        ...(first ? { evidence: first.text } : {}),
      },
    ];
  },
};
