import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SEVERITY_RANK } from '../model/finding.js';
import { UsageError } from '../model/errors.js';
import { renderDashboard, seriesPageName } from './dashboard.js';
import type { PatchCheck } from './patchwork.js';
import type { TriageReport, TriageSeries } from './schema.js';

/** Where the triage's files go: the reply drafts and the dashboard. A write error names the folder. */

function write(path: string, text: string, dir: string, what: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    throw new UsageError(`cannot write the ${what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, dir);
  }
}

function slug(subject: string): string {
  return (
    subject
      .replace(/^\s*\[[^\]]*\]\s*/, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'series'
  );
}

/** One `.eml` per draft, numbered in the report's order: `0001-net-foo-fix-a-leak.eml`. */
export function writeDrafts(dir: string, report: TriageReport, drafts: ReadonlyMap<string, string>): string[] {
  const written: string[] = [];
  let n = 0;
  for (const series of report.series) {
    const draft = drafts.get(series.id);
    if (!draft) continue;
    const path = join(dir, `${String(++n).padStart(4, '0')}-${slug(series.subject)}.eml`);
    write(path, draft.replace(/\n/g, '\r\n'), dir, 'reply drafts');
    written.push(path);
  }
  if (n === 0) write(join(dir, '.keep'), '', dir, 'reply drafts');
  return written;
}

/** The dashboard's files under `dir`; returns the index page's path. */
export function writeDashboard(dir: string, report: TriageReport): string {
  for (const [name, html] of renderDashboard(report)) write(join(dir, name), html, dir, 'dashboard');
  return join(dir, 'index.html');
}

/**
 * One patchwork check per patch (cover letters have none in patchwork): the worst of the patch's
 * own findings and the series-wide ones, with the series' verdict; `htmlUrl` is where the
 * dashboard is published, for the checks' links.
 */
export function patchChecks(report: TriageReport, htmlUrl?: string): PatchCheck[] {
  const checks: PatchCheck[] = [];
  for (const series of report.series) {
    const cover = series.messages.find((m) => m.cover)?.messageId;
    for (const message of series.messages) {
      if (message.cover) continue;
      const own = series.findings.filter((f) => f.messageId === message.messageId || f.messageId === undefined || f.messageId === cover);
      const top = own.reduce<number>((worst, f) => Math.max(worst, SEVERITY_RANK[f.severity]), -1);
      const state = top >= SEVERITY_RANK.error ? 'fail' : top >= SEVERITY_RANK.warning ? 'warning' : 'success';
      checks.push({
        messageId: message.messageId,
        state,
        description: describe(series, own.filter((f) => f.severity !== 'info').map((f) => f.rule)),
        ...(htmlUrl ? { targetUrl: `${htmlUrl.replace(/\/+$/, '')}/${seriesPageName(series.id)}` } : {}),
      });
    }
  }
  return checks;
}

function describe(series: TriageSeries, rules: string[]): string {
  const unique = [...new Set(rules)];
  return `${series.verdict}${unique.length ? `: ${unique.slice(0, 5).join(', ')}${unique.length > 5 ? ', …' : ''}` : ''}`;
}
