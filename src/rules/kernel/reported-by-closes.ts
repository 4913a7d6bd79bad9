import type { PatchRule, RuleFinding } from '../types.js';
import { messageLocation } from '../lib/location.js';
import { isCommitPatch, keyIs, messageLines } from './util.js';

export const reportedByCloses: PatchRule = {
  id: 'kernel/reported-by-closes',
  pack: 'kernel',
  scope: 'patch',
  severity: 'info',
  doc: {
    what: '`Reported-by:` is not immediately followed by `Closes:` (or `Link:`) with the URL of the report.',
    why: 'The link lets readers and bots find the original report and lets trackers close it automatically.',
    fix: 'Add `Closes: https://lore.kernel.org/…` (the report) right after the Reported-by line.',
  },
  check(patch): RuleFinding[] {
    if (!isCommitPatch(patch)) return [];
    const lines = messageLines(patch);
    const out: RuleFinding[] = [];
    patch.trailers.forEach((t, i) => {
      if (!keyIs(t, 'reported-by')) return;
      const next = patch.trailers[i + 1];
      const ok = next !== undefined && (keyIs(next, 'closes') || keyIs(next, 'link')) && /\bhttps?:\/\//.test(next.value);
      if (!ok) {
        out.push({ message: 'Reported-by: should be followed by Closes: <URL of the report>', location: messageLocation(patch, t.line), evidence: lines[t.line - 1] ?? t.raw });
      }
    });
    return out;
  },
};
