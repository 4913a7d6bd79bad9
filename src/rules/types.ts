import type { ChangeSet, Patch, Series } from '../model/changeset.js';
import type { Config } from '../config/schema.js';
import type { Finding, Fix, Severity } from '../model/finding.js';

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

/** A commit as the repository knows it. */
export interface RepositoryCommit {
  /** Full hash. */
  hash: string;
  subject: string;
}

/**
 * Read-only questions about the repository given with `--repo`. The review graph provides it
 * (src/parse/commit-subject.ts runs git); a rule only asks, so it stays free of side effects and
 * tests can answer from a table.
 */
export interface RepositoryLookup {
  /** The commit a (possibly abbreviated) hash names, or undefined when the repository has none. */
  commit(hash: string): Promise<RepositoryCommit | undefined>;
  /** Whether the commit is an ancestor of the repository's HEAD (undefined: cannot tell). */
  isAncestorOfHead(hash: string): Promise<boolean | undefined>;
}

export interface RepositoryContext extends RuleContext {
  repository: RepositoryLookup;
}

export interface FixContext extends RuleContext {
  /** The repository of `--repo`, when one was given. */
  repository?: RepositoryLookup;
}

/**
 * The fix a rule can suggest for one of its findings when the check itself could not make it
 * (it needs the repository, or the whole change set). Returns the finding's fix, or undefined to
 * leave the finding as it is. Runs after merge, on deterministic findings only.
 */
export type FixSuggester = (finding: Finding, patch: Patch, ctx: FixContext) => Fix | undefined | Promise<Fix | undefined>;

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
  /**
   * Rules this one replaces on a patch where both would run: the kernel trailing-whitespace rule
   * replaces the generic one on kernel patches.
   */
  supersedes?: readonly string[];
  /** See FixSuggester. */
  suggestFix?: FixSuggester;
}

export interface PatchRule extends RuleBase {
  scope: 'patch';
  /** Runs on a `0/N` cover letter too (rules that read only the subject or the headers). */
  appliesToCover?: boolean;
  check(patch: Patch, ctx: RuleContext): RuleFinding[];
  /**
   * Checks that need the repository (`--repo`), after the offline checks: the review graph runs
   * them only when it has a repository.
   */
  checkRepository?(patch: Patch, ctx: RepositoryContext): Promise<RuleFinding[]>;
}

export interface SeriesRule extends RuleBase {
  scope: 'series';
  check(series: Series, ctx: RuleContext): RuleFinding[];
}

export type Rule = PatchRule | SeriesRule;
