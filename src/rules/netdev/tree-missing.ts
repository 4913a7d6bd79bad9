import type { Patch } from '../../model/changeset.js';
import type { Fix } from '../../model/finding.js';
import { seriesMembers } from '../lib/series.js';
import type { PatchRule } from '../types.js';
import { isNetdevPath } from './applies.js';
import { hasFixesTrailer, netdevTree, touchedPaths } from './util.js';

/** `[PATCH v2 1/3] x` → `[PATCH net v2 1/3] x`; a subject with no patch prefix gets one. */
export function subjectWithTree(raw: string, tree: string): string {
  const prefix = /\[((?:RFC\s+)?PATCH(?:\s+RESEND)?|RFC)(?=[\s\]]|v\d)([^\]]*)\]/i;
  // `[PATCHv2 1/3]` (no space before the version) must not become `[PATCH netv2 1/3]`.
  if (prefix.test(raw)) return raw.replace(prefix, (_all, word: string, rest: string) => `[${word} ${tree}${rest && !/^\s/.test(rest) ? ` ${rest}` : rest}]`);
  return `[PATCH ${tree}] ${raw.replace(/^\s+/, '')}`;
}

/** `net` when the patch carries a Fixes tag, else `net-next`. */
function treeFix(patch: Patch): Fix {
  const tree = hasFixesTrailer(patch) ? 'net' : 'net-next';
  return {
    description: `name the ${tree} tree in the subject (${tree === 'net' ? 'the patch carries a Fixes tag' : 'new work goes to net-next'})`,
    target: { kind: 'subject', subject: subjectWithTree(patch.subject.raw, tree) },
  };
}

export const treeMissing: PatchRule = {
  id: 'netdev/tree-missing',
  pack: 'netdev',
  severity: 'warning',
  scope: 'patch',
  appliesToCover: true,
  doc: {
    what: 'A networking patch whose subject names no target tree (`net`, `net-next`, `iwl-net`, …).',
    why: 'Maintainers and the CI apply a patch to the tree its subject names; without one they have to guess whether it is a fix or new work.',
    fix: 'Add the tree after PATCH, e.g. `[PATCH net-next v2 3/5]` (git format-patch --subject-prefix="PATCH net-next").',
  },
  check(patch, ctx) {
    if (patch.source.kind !== 'email' || patch.subject.isReply) return [];
    if (netdevTree(patch.subject, ctx.config) !== undefined) return [];
    const paths = patch.isCover ? seriesMembers(ctx.changeset, patch).flatMap(touchedPaths) : touchedPaths(patch);
    if (!paths.some((p) => isNetdevPath(p, ctx.config))) return [];
    return [
      {
        message: 'subject names no networking tree; add `net` for fixes or `net-next` for new work (or the sub-tree, e.g. `iwl-net`)',
        location: { kind: 'subject' },
        evidence: patch.subject.raw,
      },
    ];
  },
  // A fix the rule made itself (or a caller gave) is kept.
  suggestFix: (finding, patch) => (finding.fix ? undefined : treeFix(patch)),
};
