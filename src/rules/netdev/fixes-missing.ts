import { seriesMessages } from '../lib/series.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { fixesTreeFor, fixSignal } from './fix-signals.js';
import { hasFixesTrailer, isFixesTree, netdevTree, touchedPaths } from './util.js';

/** Paths that never need a Fixes tag on their own. */
function isDocOnly(path: string): boolean {
  return path.startsWith('Documentation/') || path === 'MAINTAINERS';
}

export const fixesMissing: PatchRule = {
  id: 'netdev/fixes-missing',
  pack: 'netdev',
  severity: 'error',
  scope: 'patch',
  doc: {
    what: 'A patch without a `Fixes:` tag that is for a fixes tree (`net`, `iwl-net`, `bpf`, …) or reads as a bug fix (fix, revert, crash, NULL pointer dereference, use-after-free, leak, race, deadlock, overflow, out-of-bounds, error handling path, a Reported-by or Closes), whatever its tree tag says.',
    why: 'Fixes go to the fixes tree, and the Fixes tag is how the fix is matched to the commit it repairs and backported to stable; a fix posted as plain `[PATCH]` or to -next misses both.',
    fix: 'Add `Fixes: <12+ hex> ("subject")` naming the commit that introduced the bug and send it to the fixes tree the finding names; if it is not a fix, target a -next tree and reword it.',
  },
  check(patch, ctx): RuleFinding[] {
    if (patch.isCover || patch.subject.isReply || patch.source.kind === 'diff') return [];
    const paths = touchedPaths(patch);
    if (paths.length > 0 && paths.every(isDocOnly)) return [];
    if (hasFixesTrailer(patch)) return [];
    // One Fixes tag anywhere in the series is enough (NIPA grades the series).
    if (seriesMessages(ctx.changeset, patch).some(hasFixesTrailer)) return [];
    const tree = netdevTree(patch.subject, ctx.config);
    const evidence = patch.subject.raw;
    if (tree !== undefined && isFixesTree(tree)) {
      return [{ message: `patch for the fixes tree \`${tree}\` has no \`Fixes:\` tag`, location: { kind: 'subject' }, evidence }];
    }
    // On a -next tree only the subject or a report says "fix": a feature that mentions a past fix is not one.
    const signal = fixSignal(patch, { body: tree === undefined });
    if (!signal) return [];
    const target = fixesTreeFor(patch, tree, ctx.config);
    const why = signal.where === 'trailers' ? `it carries ${signal.words}` : `the ${signal.where} says "${signal.words}"`;
    return [
      {
        message: `reads as a fix (${why}) but has no \`Fixes:\` tag: add one and send it to \`${target}\`${tree !== undefined ? ` rather than \`${tree}\`` : ''}`,
        // A subject that says so is as sure as a fixes tree; the body or a trailer alone is a strong hint.
        severity: signal.where === 'subject' ? 'error' : 'warning',
        location: { kind: 'subject' },
        evidence,
      },
    ];
  },
};
