import type { PatchRule } from '../types.js';
import { isNetdevPath } from './applies.js';
import { netdevTree, seriesOf, touchedPaths } from './util.js';

export const treeMissing: PatchRule = {
  id: 'netdev/tree-missing',
  pack: 'netdev',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: 'A networking patch whose subject names no target tree (`net`, `net-next`, `iwl-net`, …).',
    why: 'Maintainers and the CI apply a patch to the tree its subject names; without one they have to guess whether it is a fix or new work.',
    fix: 'Add the tree after PATCH, e.g. `[PATCH net-next v2 1/3]` (git format-patch --subject-prefix="PATCH net-next").',
  },
  check(patch, ctx) {
    if (patch.source.kind !== 'email' || patch.subject.isReply) return [];
    if (netdevTree(patch.subject, ctx.config) !== undefined) return [];
    let paths = touchedPaths(patch);
    if (patch.isCover) {
      const series = seriesOf(patch, ctx.changeset);
      paths = (series?.patches ?? []).flatMap((i) => {
        const p = ctx.changeset.patches[i];
        return p ? touchedPaths(p) : [];
      });
    }
    if (!paths.some((p) => isNetdevPath(p, ctx.config))) return [];
    return [
      {
        message: 'subject names no networking tree; add `net` for fixes or `net-next` for new work (or the sub-tree, e.g. `iwl-net`)',
        location: { kind: 'subject' },
        evidence: patch.subject.raw,
      },
    ];
  },
};
