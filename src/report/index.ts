import type { ChangeSet, Person } from '../model/changeset.js';
import { ReviewReportSchema, SEVERITY_RANK, type Finding, type ReviewReport, type Severity } from '../model/finding.js';
import { allRules } from '../rules/registry.js';
import type { RuleDoc } from '../rules/types.js';
import { formatEmailReplies } from './email.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

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

export interface BuildReportInput {
  changeset: ChangeSet;
  findings: readonly Finding[];
  notes?: readonly string[];
  version: string;
}

/** Count findings by severity. */
export function countFindings(findings: readonly Finding[]): { errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}

/** The ReviewReport for a change set and its (merged, sorted) findings. */
export function buildReport(input: BuildReportInput): ReviewReport {
  const { changeset } = input;
  const lines = changeset.patches.reduce((sum, patch) => sum + patch.lineCount, 0);
  return ReviewReportSchema.parse({
    tool: 'rubberduck',
    version: input.version,
    inputs: changeset.inputs,
    patches: changeset.patches.map((patch, index) => ({
      index,
      subject: patch.subject.raw,
      ...(patch.messageId ? { messageId: patch.messageId } : {}),
      ...(patch.author ? { author: patch.author.email ? `${patch.author.name} <${patch.author.email}>` : patch.author.name } : {}),
    })),
    findings: input.findings,
    totals: { ...countFindings(input.findings), lines },
    notes: [...(input.notes ?? [])],
  });
}

/** True when some finding is at or above `failOn`. */
export function failsAt(findings: readonly Finding[], failOn: Severity): boolean {
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}

/** Render a report in one format. Reporters are pure: no I/O here. */
export function renderReport(format: ReportFormat, report: ReviewReport, context: ReportContext = {}): string {
  const ctx: ReportContext = { ...context, rules: context.rules ?? allRules };
  switch (format) {
    case 'text':
      return renderText(report, ctx);
    case 'json':
      return renderJson(report);
    case 'sarif':
      return renderSarif(report, ctx);
    case 'markdown':
      return renderMarkdown(report, ctx);
    case 'email':
      return formatEmailReplies(ctx.changeset ?? { inputs: report.inputs, patches: [], series: [] }, report.findings, {
        reviewer: ctx.reviewer ?? { name: 'Rubberduck', email: 'rubberduck@localhost' },
        version: report.version,
        ...(ctx.now ? { now: ctx.now } : {}),
      });
  }
}

export { renderJson, renderMarkdown, renderSarif, renderText };
