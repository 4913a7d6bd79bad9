import type { PatchRule, RuleFinding } from '../types.js';
import { isCommitPatch } from './util.js';

/** `subsys: summary`, nested prefixes (`net: dsa: mv88e6xxx:`), lists (`bpf, sockmap:`, `PM / OPP:`), reverts. */
const SUBSYSTEM = /^(?:(?:Revert|Reapply|Partially revert) ")?[\w.+*{}\-/[\]]+(?:(?:,\s?| \/ )[\w.+*{}\-/[\]]+)*: \S/;

export const subjectSubsystem: PatchRule = {
  id: 'kernel/subject-subsystem',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'The summary line does not start with a `subsystem: ` prefix (nested prefixes like `net: dsa: foo:` are fine).',
    why: 'The prefix tells maintainers and readers of the shortlog which part of the tree a change touches.',
    fix: 'Start the summary with the prefix the file\'s history uses (see `git log --oneline -- <file>`), e.g. `ice: fix …`.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const summary = patch.subject.summary.trim();
    if (summary === '' || SUBSYSTEM.test(summary)) return [];
    return [
      {
        message: 'summary has no "subsystem: " prefix',
        location: { kind: 'subject' },
        evidence: patch.subject.raw,
      },
    ];
  },
};
