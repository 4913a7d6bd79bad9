import type { PatchRule, RuleFinding } from '../types.js';
import { isPosting } from './util.js';

/** Prefix tokens that identify a posting even without the PATCH word (`[iwl-next v1 1/1]`). */
const POSTING_TOKEN = /^(?:v\d+|\d+\/\d+)$/i;

export const subjectPatchTag: PatchRule = {
  id: 'kernel/subject-patch-tag',
  pack: 'kernel',
  scope: 'patch',
  appliesToCover: true,
  severity: 'warning',
  doc: {
    what: 'The subject has no bracketed `[PATCH …]` or `[RFC …]` prefix (list tags such as `[Intel-wired-lan]` do not count).',
    why: 'Maintainers, patchwork and b4 recognise postings by that prefix; without it the mail is easily taken for discussion and missed.',
    fix: 'Send with `git format-patch` / `git send-email`, which write `[PATCH]`, adding the tree and version: `[PATCH net-next v2 1/3]`.',
  },
  check(patch): RuleFinding[] {
    if (patch.source.kind !== 'email' || !isPosting(patch)) return [];
    const s = patch.subject;
    if (s.hasPatchTag) return [];
    if (s.hasPrefix && (s.tree !== undefined || s.prefixes.some((p) => POSTING_TOKEN.test(p)))) return [];
    const prefix = ['PATCH', ...s.prefixes].join(' ');
    return [
      {
        message: 'subject has no [PATCH] prefix',
        location: { kind: 'subject' },
        evidence: s.raw,
        fix: { description: 'add the [PATCH] prefix', target: { kind: 'subject', subject: `[${prefix}] ${s.summary}` } },
      },
    ];
  },
};
