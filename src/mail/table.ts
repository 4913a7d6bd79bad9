import type { TriageReport, TriageSeries } from './schema.js';

/**
 * The terminal table: one row per series (verdict — or `superseded` once a later version came —,
 * tree, version, received/expected, subject, top finding), fitted to the terminal's width, then
 * the totals. Pure.
 */

const VERDICT = { ready: 'ready', 'needs-human': 'needs-human', 'changes-requested': 'changes-req' } as const;

function fit(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text.padEnd(width) : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

export function renderTable(report: TriageReport, columns = 120): string {
  const fixed = [11, 9, 4, 7];
  const rest = Math.max(40, columns - fixed.reduce((a, b) => a + b + 2, 0));
  const subjectWidth = Math.ceil(rest * 0.55);
  const findingWidth = rest - subjectWidth - 2;
  const line = (cells: string[]) =>
    [fit(cells[0]!, fixed[0]!), fit(cells[1]!, fixed[1]!), fit(cells[2]!, fixed[2]!), fit(cells[3]!, fixed[3]!), fit(cells[4]!, subjectWidth), fit(cells[5]!, findingWidth)].join('  ').trimEnd();
  const row = (s: TriageSeries) => line([s.supersededBy ? `superseded` : VERDICT[s.verdict], s.tree ?? '-', `v${s.version}`, `${s.received}/${s.expected}`, s.subject.replace(/^(?:\s*\[[^\]]*\])+\s*/, ''), s.topFinding ?? '']);
  const out = [line(['VERDICT', 'TREE', 'VER', 'RECV', 'SERIES', 'TOP FINDING']), ...report.series.map(row)];
  const t = report.totals;
  out.push('', `${t.series} series from ${report.run.messages} messages: ${t.ready} ready, ${t.needsHuman} needs-human, ${t.changesRequested} changes-requested${report.run.skipped.length ? `; ${report.run.skipped.length} messages skipped` : ''}`);
  for (const note of report.notes) out.push(`NOTE: ${note}`);
  return `${out.join('\n')}\n`;
}

/**
 * The report as JSON, piece by piece (the envelope, then one series at a time), so that a large
 * archive's report is never one string in memory. The same JSON as JSON.stringify(report, null, 2),
 * with `series` last.
 */
export function* jsonChunks(report: TriageReport): Generator<string> {
  const { series, ...envelope } = report;
  const head = JSON.stringify({ ...envelope, series: [] }, null, 2);
  const open = head.lastIndexOf('"series": []');
  yield `${head.slice(0, open)}"series": [`;
  for (let i = 0; i < series.length; i++) {
    const item = JSON.stringify(series[i], null, 2).replace(/\n/g, '\n    ');
    yield `${i === 0 ? '' : ','}\n    ${item}`;
  }
  yield `${series.length > 0 ? '\n  ' : ''}]${head.slice(open + '"series": []'.length)}\n`;
}
