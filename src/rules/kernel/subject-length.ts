import type { PatchRule, RuleFinding } from '../types.js';
import { isPosting } from './util.js';

const WARN = 75;
const INFO = 70;

export const subjectLength: PatchRule = {
  id: 'kernel/subject-length',
  pack: 'kernel',
  scope: 'patch',
  appliesToCover: true,
  severity: 'warning',
  doc: {
    what: 'The summary (after the bracketed prefixes) is longer than 75 characters; from 70 it is noted as info.',
    why: 'Summaries appear in shortlogs, `git log --oneline` and mail subjects, where long ones get truncated or wrapped.',
    fix: 'Shorten the summary to the essential change and move detail into the body.',
  },
  check(patch): RuleFinding[] {
    if (!isPosting(patch)) return [];
    const len = [...patch.subject.summary].length;
    if (len <= INFO) return [];
    return [
      {
        message: `summary is ${len} characters long (keep it within ${len > WARN ? WARN : INFO})`,
        severity: len > WARN ? 'warning' : 'info',
        location: { kind: 'subject' },
        evidence: patch.subject.raw,
      },
    ];
  },
};
