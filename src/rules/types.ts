import type { ChangeSet, Patch, Series } from '../model/changeset.js';
import type { Config } from '../config/schema.js';
import type { Finding, Severity } from '../model/finding.js';

export type Pack = 'kernel' | 'netdev' | 'series' | 'generic';

/** What a rule returns: the engine fills in rule id, severity (after config), patch, subject. */
export type RuleFinding = Omit<Finding, 'rule' | 'severity' | 'source' | 'patch' | 'subject' | 'messageId'> & {
  /** Overrides the rule's default severity for this finding (e.g. line-length I vs W). */
  severity?: Severity;
  /** For series rules: the patch the finding belongs to, when there is one. */
  patch?: number;
};

export interface RuleContext {
  config: Config;
  changeset: ChangeSet;
}

export interface RuleDoc {
  /** What it flags, one sentence. */
  what: string;
  /** Why maintainers care. */
  why: string;
  /** How to fix it. */
  fix: string;
}

interface RuleBase {
  /** Exactly as in review-rules.md, e.g. `kernel/fixes-format`. */
  id: string;
  pack: Pack;
  severity: Severity;
  doc: RuleDoc;
}

export interface PatchRule extends RuleBase {
  scope: 'patch';
  check(patch: Patch, ctx: RuleContext): RuleFinding[];
}

export interface SeriesRule extends RuleBase {
  scope: 'series';
  check(series: Series, ctx: RuleContext): RuleFinding[];
}

export type Rule = PatchRule | SeriesRule;
