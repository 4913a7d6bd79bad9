import { ReviewReportSchema, type ReviewReport } from '../model/finding.js';

/** The report as JSON, validated against ReviewReportSchema first (a bad report throws). */
export function renderJson(report: ReviewReport): string {
  const valid = ReviewReportSchema.parse(report);
  return `${JSON.stringify(valid, null, 2)}\n`;
}
