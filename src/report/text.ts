import type { Finding, ReviewReport } from '../model/finding.js';
import type { ReportContext } from './types.js';

/**
 * checkpatch-like text:
 *
 *   WARNING:netdev/reverse-xmas-tree: declaration longer than the one above it
 *   #42: FILE: drivers/net/foo.c:120:
 *   +	int ret = foo(bar);
 *
 *   total: 1 errors, 1 warnings, 0 infos, 57 lines checked
 */
const LEVEL = { error: 'ERROR', warning: 'WARNING', info: 'INFO' } as const;

function findingBlock(finding: Finding): string {
  const lines = [`${LEVEL[finding.severity]}:${finding.rule}: ${finding.message}${finding.source === 'llm' ? ' (LLM reviewer)' : ''}`];
  const location = finding.location;
  const evidence = finding.evidence;
  switch (location.kind) {
    case 'diff': {
      const n = location.patchLine !== undefined ? `#${location.patchLine}: ` : '';
      lines.push(`${n}FILE: ${location.file}:${location.line}:`);
      if (evidence !== undefined) lines.push(`${location.side === 'old' ? '-' : '+'}${evidence}`);
      break;
    }
    case 'message':
      if (location.patchLine !== undefined) lines.push(`#${location.patchLine}: `);
      if (evidence !== undefined) lines.push(evidence);
      break;
    default:
      if (evidence !== undefined) lines.push(evidence);
  }
  return lines.join('\n');
}

function totalsLine(findings: readonly Finding[], lines: number | undefined): string {
  let e = 0;
  let w = 0;
  let i = 0;
  for (const f of findings) {
    if (f.severity === 'error') e++;
    else if (f.severity === 'warning') w++;
    else i++;
  }
  return `total: ${e} errors, ${w} warnings, ${i} infos${lines === undefined ? '' : `, ${lines} lines checked`}`;
}

function cleanLine(subject: string): string {
  return `${subject} has no obvious style problems and is ready for submission.`;
}

/**
 * The patch blocks of a report as they read when it holds several patches: a bar and the
 * subject, the findings, the patch's totals; then the series-wide findings. A review that streams
 * a mailbox prints this once per unit, then renderTextSummary once.
 */
export function renderTextPatches(report: ReviewReport, context: ReportContext = {}): string {
  return blocks(report, context, true).map((line) => `${line}\n`).join('');
}

/** The notes and the grand total that end the text report. */
export function renderTextSummary(report: ReviewReport): string {
  return `${summary(report, report.patches.length > 1).join('\n')}\n`;
}

function blocks(report: ReviewReport, context: ReportContext, several: boolean): string[] {
  const out: string[] = [];
  const bar = '-'.repeat(60);
  for (const patch of report.patches) {
    const findings = report.findings.filter((f) => f.patch === patch.index);
    if (several) out.push(bar, patch.subject || `patch ${patch.index + 1}`, bar, '');
    for (const finding of findings) out.push(findingBlock(finding), '');
    if (several) {
      const lines = context.changeset?.patches[patch.index]?.lineCount;
      out.push(totalsLine(findings, lines), '');
      if (findings.length === 0) out.push(cleanLine(patch.subject), '');
    }
  }
  const seriesWide = report.findings.filter((f) => f.patch === undefined || f.patch >= report.patches.length);
  if (seriesWide.length > 0) {
    if (several) out.push(bar, 'series', bar, '');
    for (const finding of seriesWide) out.push(findingBlock(finding), '');
  }
  return out;
}

function summary(report: ReviewReport, several: boolean): string[] {
  const out: string[] = [];
  for (const note of report.notes) out.push(`NOTE: ${note}`);
  if (report.notes.length > 0) out.push('');
  out.push(totalsLine(report.findings, report.totals.lines));
  if (report.findings.length === 0) {
    const only = !several && report.patches.length === 1 ? report.patches[0]?.subject || report.inputs[0] : undefined;
    out.push('', cleanLine(only ?? (report.patches.length === 0 ? 'The input' : 'The series')));
  }
  return out;
}

export function renderText(report: ReviewReport, context: ReportContext = {}): string {
  const several = report.patches.length > 1;
  return `${[...blocks(report, context, several), ...summary(report, several)].join('\n')}\n`;
}
