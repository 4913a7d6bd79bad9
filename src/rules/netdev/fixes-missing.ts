import type { PatchRule } from '../types.js';
import { hasFixesTrailer, isFixesTree, netdevTree, seriesOf, touchedPaths } from './util.js';

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
    what: 'A patch for a fixes tree (`net`, `iwl-net`, `bpf`, …) without a `Fixes:` tag.',
    why: 'Fixes trees only take bug fixes, and the Fixes tag is how the fix is matched to the commit it repairs and backported to stable.',
    fix: 'Add `Fixes: <12+ hex> ("subject")` naming the commit that introduced the bug, or target a -next tree if this is not a fix.',
  },
  check(patch, ctx) {
    if (patch.isCover || patch.subject.isReply) return [];
    const tree = netdevTree(patch.subject, ctx.config);
    if (tree === undefined || !isFixesTree(tree)) return [];
    const paths = touchedPaths(patch);
    if (paths.length > 0 && paths.every(isDocOnly)) return [];
    if (hasFixesTrailer(patch)) return [];
    // One Fixes tag anywhere in the series is enough (NIPA grades the series).
    const series = seriesOf(patch, ctx.changeset);
    if (series) {
      const members = [...series.patches, ...(series.cover !== undefined ? [series.cover] : [])];
      if (members.some((i) => {
        const p = ctx.changeset.patches[i];
        return p !== undefined && hasFixesTrailer(p);
      })) return [];
    }
    return [
      {
        message: `patch for the fixes tree \`${tree}\` has no \`Fixes:\` tag`,
        location: { kind: 'subject' },
        evidence: patch.subject.raw,
      },
    ];
  },
};
