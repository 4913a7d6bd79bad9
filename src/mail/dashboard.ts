import { createHash } from 'node:crypto';
import type { TriageReport, TriageSeries, Verdict } from './schema.js';

/**
 * The static triage dashboard: an index with the verdicts over time (an inline SVG chart) and the
 * series table, and one page per series with its checks, findings, replies and versions. Plain
 * HTML and CSS, readable without JavaScript. Pure: file names and contents; the caller writes.
 */

const VERDICT_COLOUR: Record<Verdict, string> = { ready: '#2e7d32', 'needs-human': '#b26a00', 'changes-requested': '#c62828' };
const VERDICT_LABEL: Record<Verdict, string> = { ready: 'ready', 'needs-human': 'needs human', 'changes-requested': 'changes requested' };
const STATE_COLOUR = { success: '#2e7d32', warning: '#b26a00', fail: '#c62828' } as const;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A series page's file name: stable, and safe whatever the Message-ID holds. */
export function seriesPageName(id: string): string {
  return `series/${createHash('sha256').update(id).digest('hex').slice(0, 16)}.html`;
}

const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 78rem; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.verdict { font-weight: 600; white-space: nowrap; }
.num { text-align: right; white-space: nowrap; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; }
.muted { color: #666; }
.totals span { margin-right: 1.5rem; }
`;

function page(title: string, body: string, root = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<p class="muted"><a href="${root}index.html">rubberduck triage</a></p>
${body}
</body>
</html>
`;
}

function verdictCell(verdict: Verdict): string {
  return `<span class="verdict" style="color:${VERDICT_COLOUR[verdict]}">${VERDICT_LABEL[verdict]}</span>`;
}

/** Stacked bars, one per day, of the series posted that day by verdict. */
export function verdictChart(series: readonly TriageSeries[]): string {
  const days = new Map<string, Record<Verdict, number>>();
  for (const s of series) {
    const day = s.date ? s.date.slice(0, 10) : 'undated';
    const counts = days.get(day) ?? { ready: 0, 'needs-human': 0, 'changes-requested': 0 };
    counts[s.verdict]++;
    days.set(day, counts);
  }
  const keys = [...days.keys()].sort();
  if (keys.length === 0) return '<p class="muted">No series.</p>';
  const max = Math.max(...keys.map((k) => Object.values(days.get(k)!).reduce((a, b) => a + b, 0)));
  const barWidth = Math.max(6, Math.min(40, Math.floor(900 / keys.length) - 4));
  const height = 180;
  const width = keys.length * (barWidth + 4) + 60;
  const order: Verdict[] = ['ready', 'needs-human', 'changes-requested'];
  const bars: string[] = [];
  keys.forEach((key, i) => {
    const counts = days.get(key)!;
    let y = height;
    const x = 40 + i * (barWidth + 4);
    for (const verdict of order) {
      const h = max === 0 ? 0 : Math.round((counts[verdict] / max) * (height - 10));
      if (h === 0) continue;
      y -= h;
      bars.push(`<rect x="${x}" y="${y}" width="${barWidth}" height="${h}" fill="${VERDICT_COLOUR[verdict]}"><title>${escapeHtml(key)}: ${counts[verdict]} ${VERDICT_LABEL[verdict]}</title></rect>`);
    }
  });
  const first = escapeHtml(keys[0]!);
  const last = escapeHtml(keys[keys.length - 1]!);
  const legend = order.map((v, i) => `<rect x="${40 + i * 170}" y="${height + 28}" width="12" height="12" fill="${VERDICT_COLOUR[v]}"/><text x="${58 + i * 170}" y="${height + 39}" font-size="12">${VERDICT_LABEL[v]}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Series per day by verdict" width="${width}" height="${height + 48}" viewBox="0 0 ${width} ${height + 48}">
<title>Series per day by verdict, ${first} to ${last}</title>
<line x1="36" y1="${height}" x2="${width}" y2="${height}" stroke="#999"/>
<text x="0" y="14" font-size="12">${max}</text><text x="0" y="${height}" font-size="12">0</text>
${bars.join('\n')}
<text x="40" y="${height + 18}" font-size="12">${first}</text><text x="${Math.max(40, width - 90)}" y="${height + 18}" font-size="12">${last}</text>
${legend}
</svg>`;
}

function indexPage(report: TriageReport): string {
  const t = report.totals;
  const rows = report.series
    .map(
      (s) => `<tr><td>${verdictCell(s.verdict)}</td><td>${escapeHtml(s.tree ?? '')}</td><td class="num">v${s.version}</td><td class="num">${s.received}/${s.expected}</td><td><a href="${seriesPageName(s.id)}">${escapeHtml(s.subject)}</a><br><span class="muted">${escapeHtml(s.author)}${s.date ? `, ${escapeHtml(s.date.slice(0, 16).replace('T', ' '))}` : ''}</span></td><td>${escapeHtml(s.topFinding ?? '')}</td></tr>`,
    )
    .join('\n');
  const body = `<h1>Triage of ${escapeHtml(report.archive)}</h1>
<p class="totals"><span>${t.series} series</span><span style="color:${VERDICT_COLOUR.ready}">${t.ready} ready</span><span style="color:${VERDICT_COLOUR['needs-human']}">${t.needsHuman} need a human</span><span style="color:${VERDICT_COLOUR['changes-requested']}">${t.changesRequested} changes requested</span><span class="muted">${report.run.messages} messages</span></p>
<h2>Verdicts over time</h2>
${verdictChart(report.series)}
<h2>Series</h2>
<table>
<thead><tr><th>verdict</th><th>tree</th><th>version</th><th>received</th><th>series</th><th>top finding</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="muted">rubberduck ${escapeHtml(report.version)}</p>`;
  return page(`Triage: ${report.archive}`, body);
}

function seriesPage(s: TriageSeries): string {
  const checks = s.checks.map((c) => `<tr><td>${escapeHtml(c.name)}</td><td style="color:${STATE_COLOUR[c.state]};font-weight:600">${c.state}</td><td>${escapeHtml(c.description)}</td></tr>`).join('\n');
  const findings =
    s.findings.length === 0
      ? '<p>No findings.</p>'
      : `<table><thead><tr><th>severity</th><th>rule</th><th>message</th><th>where</th></tr></thead><tbody>\n${s.findings
          .map((f) => {
            const where = f.location.kind === 'diff' ? `${f.location.file}:${f.location.line}` : f.location.kind === 'message' ? `message line ${f.location.line}` : f.location.kind;
            return `<tr><td>${f.severity}</td><td><code>${escapeHtml(f.rule)}</code></td><td>${escapeHtml(f.message)}${f.evidence ? `<pre>${escapeHtml(f.evidence)}</pre>` : ''}</td><td>${escapeHtml(f.subject ?? '')}<br><span class="muted">${escapeHtml(where)}</span></td></tr>`;
          })
          .join('\n')}</tbody></table>`;
  const messages = s.messages.map((m) => `<li>${escapeHtml(m.subject || m.messageId)} <span class="muted">&lt;${escapeHtml(m.messageId)}&gt;</span></li>`).join('\n');
  const versions = [
    s.previousVersion ? `<li>follows <a href="../${seriesPageName(s.previousVersion.id)}">v${s.previousVersion.version}: ${escapeHtml(s.previousVersion.subject)}</a></li>` : '',
    s.supersededBy ? `<li>superseded by <a href="../${seriesPageName(s.supersededBy.id)}">v${s.supersededBy.version}: ${escapeHtml(s.supersededBy.subject)}</a></li>` : '',
  ].join('');
  const replies = [
    `<li>${s.replies.count} repl${s.replies.count === 1 ? 'y' : 'ies'}</li>`,
    ...s.replies.trailers.map((t) => `<li>${escapeHtml(t)}</li>`),
    ...s.replies.naks.map((n) => `<li>NAK from ${escapeHtml(n)}</li>`),
    ...s.replies.changeRequests.map((n) => `<li>changes requested by ${escapeHtml(n)}</li>`),
  ].join('\n');
  const body = `<h1>${escapeHtml(s.subject)}</h1>
<p>${verdictCell(s.verdict)} · ${escapeHtml(s.tree ?? 'no tree')} · v${s.version} · ${s.received} of ${s.expected} received${s.missing.length ? ` (missing ${s.missing.join(', ')})` : ''} · ${escapeHtml(s.author)}${s.date ? ` · ${escapeHtml(s.date)}` : ''}</p>
<h2>Checks</h2>
<table><thead><tr><th>check</th><th>state</th><th>description</th></tr></thead><tbody>
${checks}
</tbody></table>
<h2>Findings</h2>
${findings}
<h2>Review</h2>
<ul>${replies}</ul>
${versions ? `<h2>Versions</h2><ul>${versions}</ul>` : ''}
<h2>Messages</h2>
<ul>${messages}</ul>`;
  return page(s.subject, body, '../');
}

/** Every file of the dashboard: path relative to its folder → HTML. */
export function renderDashboard(report: TriageReport): Map<string, string> {
  const files = new Map<string, string>();
  files.set('index.html', indexPage(report));
  for (const s of report.series) files.set(seriesPageName(s.id), seriesPage(s));
  return files;
}
