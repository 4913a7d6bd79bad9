import { genericRules } from './generic/index.js';
import { kernelRules } from './kernel/index.js';
import { netdevRules } from './netdev/index.js';
import { seriesRules } from './series/index.js';
import type { Pack, Rule } from './types.js';

/** Every pack, in the order the engine runs and `rubberduck rules` lists them. */
export const PACKS: readonly Pack[] = ['kernel', 'netdev', 'series', 'generic'];

/** The rules each pack implements. */
export const PACK_RULES: Readonly<Record<Pack, readonly Rule[]>> = {
  kernel: kernelRules,
  netdev: netdevRules,
  series: seriesRules,
  generic: genericRules,
};

/** Every implemented rule, pack by pack. */
export const allRules: readonly Rule[] = PACKS.flatMap((pack) => PACK_RULES[pack]);

/**
 * Every rule id of the catalogue (review-rules.md), implemented or not yet: configuration files
 * may name any of them, and suppressions must survive a rule being added later.
 */
export const CATALOGUE_RULE_IDS: readonly string[] = [
  'kernel/subject-patch-tag', 'kernel/subject-subsystem', 'kernel/subject-length', 'kernel/subject-names-tool',
  'kernel/imperative-mood', 'kernel/placeholder', 'kernel/missing-description', 'kernel/body-wrap',
  'kernel/commit-reference', 'kernel/diff-in-message', 'kernel/hash-line', 'kernel/gerrit-change-id',
  'kernel/changelog-placement', 'kernel/missing-signoff', 'kernel/author-signoff', 'kernel/sender-signoff-last',
  'kernel/co-developed-by', 'kernel/trailer-syntax', 'kernel/reported-by-closes', 'kernel/stable-address',
  'kernel/fixes-format', 'kernel/fixes-placement', 'kernel/fixes-target', 'kernel/line-length',
  'kernel/trailing-whitespace', 'kernel/indent-with-spaces', 'kernel/dos-line-endings', 'kernel/spdx-license',
  'kernel/executable-source', 'kernel/corrupted-patch', 'kernel/mime-attachment', 'kernel/new-file-maintainers',
  'netdev/tree-missing', 'netdev/tree-case', 'netdev/fixes-missing', 'netdev/fixes-on-next',
  'netdev/reverse-xmas-tree', 'netdev/block-comment', 'netdev/inline-in-source', 'netdev/header-static-not-inline',
  'netdev/deprecated-api', 'netdev/enotsupp', 'netdev/net-next-closed', 'netdev/cleanup-only',
  'netdev/fix-explains-why',
  'series/too-many-patches', 'series/missing-cover-letter', 'series/numbering', 'series/version-mismatch',
  'series/new-version-threaded', 'series/repost-within-24h', 'series/partial-resend', 'series/changelog-missing',
  'generic/conflict-marker', 'generic/trailing-whitespace', 'generic/missing-final-newline', 'generic/secret',
  'generic/debug-leftover', 'generic/large-file',
];

let byId: Map<string, Rule> | undefined;

/** The implemented rule with this id, if any. */
export function findRule(id: string): Rule | undefined {
  byId ??= new Map(allRules.map((rule) => [rule.id, rule]));
  return byId.get(id);
}

/** Ids a configuration may name: the catalogue plus anything implemented beyond it. */
export function knownRuleIds(): Set<string> {
  return new Set([...CATALOGUE_RULE_IDS, ...allRules.map((rule) => rule.id)]);
}

/** Parse a `--rules kernel,netdev` list; returns the unknown names separately. */
export function parsePackList(text: string): { packs: Pack[]; unknown: string[] } {
  const packs: Pack[] = [];
  const unknown: string[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (!name) continue;
    if ((PACKS as readonly string[]).includes(name)) {
      if (!packs.includes(name as Pack)) packs.push(name as Pack);
    } else unknown.push(name);
  }
  return { packs, unknown };
}
