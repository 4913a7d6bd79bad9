import type { PatchRule } from '../types.js';
import { netdevTree } from './util.js';

/** The subject with the tree token (inside a bracketed prefix) lower-cased. */
function lowerTree(raw: string, tree: string): string {
  const escaped = tree.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const token = new RegExp(`(\\[[^\\]]*?)(?<![\\w-])${escaped}(?![\\w-])`);
  return raw.replace(token, (_m, before: string) => `${before}${tree.toLowerCase()}`);
}

export const treeCase: PatchRule = {
  id: 'netdev/tree-case',
  pack: 'netdev',
  severity: 'info',
  scope: 'patch',
  appliesToCover: true,
  doc: {
    what: 'The tree token in the subject is not in lower case (`Net-Next`).',
    why: 'Tree names are lower case; scripts and filters match them literally.',
    fix: 'Write the tree in lower case: `[PATCH net-next]`.',
  },
  check(patch, ctx) {
    const tree = netdevTree(patch.subject, ctx.config);
    if (tree === undefined || tree === tree.toLowerCase()) return [];
    return [
      {
        message: `tree \`${tree}\` should be written in lower case: \`${tree.toLowerCase()}\``,
        location: { kind: 'subject' },
        evidence: patch.subject.raw,
        fix: {
          description: `write the tree as ${tree.toLowerCase()}`,
          target: { kind: 'subject', subject: lowerTree(patch.subject.raw, tree) },
        },
      },
    ];
  },
};
