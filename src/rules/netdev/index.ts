import type { Rule } from '../types.js';
import { blockComment } from './block-comment.js';
import { deprecatedApi } from './deprecated-api.js';
import { enotsupp } from './enotsupp.js';
import { fixesMissing } from './fixes-missing.js';
import { fixesOnNext } from './fixes-on-next.js';
import { headerStaticNotInline } from './header-static-not-inline.js';
import { inlineInSource } from './inline-in-source.js';
import { netNextClosed } from './net-next-closed.js';
import { reverseXmasTree } from './reverse-xmas-tree.js';
import { treeCase } from './tree-case.js';
import { treeMissing } from './tree-missing.js';

export { isNetdevPatch, isNetdevPath } from './applies.js';

/** The netdev pack, in catalogue order. */
export const netdevRules: Rule[] = [
  treeMissing,
  treeCase,
  fixesMissing,
  fixesOnNext,
  reverseXmasTree,
  blockComment,
  inlineInSource,
  headerStaticNotInline,
  deprecatedApi,
  enotsupp,
  netNextClosed,
];
