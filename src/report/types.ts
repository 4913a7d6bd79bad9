/** What reporters share: the formats, and the context a caller may pass to them. */
import type { ChangeSet, Person } from '../model/changeset.js';
import type { Severity } from '../model/finding.js';
import type { RuleDoc } from '../rules/types.js';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'markdown', 'email'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What a reporter may know about a rule (SARIF lists them). */
export interface RuleMeta {
  id: string;
  pack?: string;
  severity: Severity;
  doc?: RuleDoc;
}

/** Optional context some reporters use: where each patch came from, the rules' docs. */
export interface ReportContext {
  changeset?: ChangeSet;
  rules?: readonly RuleMeta[];
  /** Who signs email replies (config.reviewer). */
  reviewer?: Person;
  /** Fixed clock for reproducible email replies. */
  now?: Date;
}

