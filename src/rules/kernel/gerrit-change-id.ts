import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { isPosting, messageLines } from './util.js';

export const gerritChangeId: PatchRule = {
  id: 'kernel/gerrit-change-id',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'The commit message carries a Gerrit `Change-Id:` trailer.',
    why: 'Change-Id is an internal review-tool artefact; it means nothing upstream and is not accepted in the kernel history.',
    fix: 'Delete the `Change-Id:` line (and the commit-msg hook that adds it) before posting.',
  },
  check(patch): RuleFinding[] {
    if (!isPosting(patch)) return [];
    const out: RuleFinding[] = [];
    messageLines(patch).forEach((text, i) => {
      if (/^\s*Change-Id:/i.test(text)) {
        out.push({
          message: 'remove the Gerrit Change-Id',
          location: messageLocation(patch, i + 1),
          evidence: text,
          fix: {
            description: 'delete the Change-Id line',
            target: { kind: 'message', startLine: i + 1, endLine: i + 1, lines: [] },
          },
        });
      }
    });
    return out;
  },
};
