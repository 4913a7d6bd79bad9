import type { Finding, ReviewReport } from '../model/finding.js';
import type { ReportContext } from './types.js';

/** A Markdown summary for a pull-request comment: a table per patch, then the findings. */
const LABEL = { error: '**error**', warning: '**warning**', info: 'info' } as const;

/** A code span that survives backticks inside the text. */
export function codeSpan(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const runs = clean.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') || clean === '' ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function where(finding: Finding): string {
  const l = finding.location;
  switch (l.kind) {
    case 'diff':
      return codeSpan(`${l.file}:${l.line}`);
    case 'message':
      return l.part === 'notes' ? `notes line ${l.line}` : `commit message line ${l.line}`;
    default:
      return l.kind;
  }
}

function counts(findings: readonly Finding[]): [number, number, number] {
  return [
    findings.filter((f) => f.severity === 'error').length,
    findings.filter((f) => f.severity === 'warning').length,
    findings.filter((f) => f.severity === 'info').length,
  ];
}

function item(finding: Finding): string {
  const llm = finding.source === 'llm' ? ' _(LLM reviewer)_' : '';
  let line = `- ${LABEL[finding.severity]} ${codeSpan(finding.rule)} at ${where(finding)}: ${finding.message.replace(/\r?\n/g, ' ')}${llm}`;
  if (finding.evidence !== undefined && finding.evidence.trim() !== '') line += `\n  ${codeSpan(finding.evidence)}`;
  return line;
}

export function renderMarkdown(report: ReviewReport, _context: ReportContext = {}): string {
  const out: string[] = ['## Rubberduck review', ''];
  const { errors, warnings, infos, lines } = report.totals;
  out.push(
    `**${errors} errors, ${warnings} warnings, ${infos} infos** in ${report.patches.length} patch${report.patches.length === 1 ? '' : 'es'} (${lines} lines checked)`,
    '',
  );
  out.push('| # | Patch | Errors | Warnings | Infos |', '|---:|---|---:|---:|---:|');
  for (const patch of report.patches) {
    const [e, w, i] = counts(report.findings.filter((f) => f.patch === patch.index));
    out.push(`| ${patch.index + 1} | ${cell(patch.subject)} | ${e} | ${w} | ${i} |`);
  }
  const seriesWide = report.findings.filter((f) => f.patch === undefined);
  if (seriesWide.length > 0) {
    const [e, w, i] = counts(seriesWide);
    out.push(`| | _series_ | ${e} | ${w} | ${i} |`);
  }
  out.push('');
  for (const patch of report.patches) {
    const findings = report.findings.filter((f) => f.patch === patch.index);
    if (findings.length === 0) continue;
    out.push(`### ${patch.index + 1}. ${codeSpan(patch.subject)}`, '', ...findings.map(item), '');
  }
  if (seriesWide.length > 0) out.push('### Series', '', ...seriesWide.map(item), '');
  if (report.findings.length === 0) out.push('No findings: no obvious style problems.', '');
  if (report.notes.length > 0) out.push('<details><summary>Notes</summary>', '', ...report.notes.map((n) => `- ${n}`), '', '</details>', '');
  out.push(`<sub>rubberduck ${report.version}</sub>`);
  return `${out.join('\n')}\n`;
}
