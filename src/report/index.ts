import type { ChangeSet } from '../model/changeset.js';
import { ReviewReportSchema, SEVERITY_RANK, type Finding, type ReviewReport, type Severity } from '../model/finding.js';
import { formatEmailReplies } from './email.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import type { ReportContext, ReportFormat } from './types.js';

export { REPORT_FORMATS, type ReportContext, type ReportFormat, type RuleMeta } from './types.js';

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

/** Render a report in one format. Reporters are pure: no I/O here; the rules' metadata comes from the caller. */
export function renderReport(format: ReportFormat, report: ReviewReport, context: ReportContext = {}): string {
  const ctx = context;
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
