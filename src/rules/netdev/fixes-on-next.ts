import type { PatchRule } from '../types.js';
import { isFixesTree, netdevTree } from './util.js';

export const fixesOnNext: PatchRule = {
  id: 'netdev/fixes-on-next',
  pack: 'netdev',
  severity: 'info',
  scope: 'patch',
  doc: {
    what: 'A `Fixes:` tag on a patch aimed at a -next tree.',
    why: 'A real bug fix belongs in the fixes tree (`net`), where it reaches users and stable sooner; -next is for new work.',
    fix: 'Send it to the fixes tree, or drop the tag (mention the commit in the message instead) if it is not a user-visible bug.',
  },
  check(patch, ctx) {
    if (patch.isCover || patch.subject.isReply) return [];
    const tree = netdevTree(patch.subject, ctx.config);
    if (tree === undefined || isFixesTree(tree)) return [];
    const trailer = patch.trailers.find((t) => t.key.trim().toLowerCase() === 'fixes');
    if (!trailer) return [];
    return [
      {
        message: `\`Fixes:\` tag on a patch for \`${tree}\`: should this fix go to the fixes tree instead?`,
        location: {
          kind: 'message',
          line: trailer.line,
          part: 'message',
          patchLine: patch.messageStartLine + trailer.line - 1,
        },
        evidence: trailer.raw,
      },
    ];
  },
};
