import { SEVERITY_RANK, type Finding, type Severity } from '../model/finding.js';
import { failsAt } from '../report/index.js';
import { fingerprintMarker, numberFingerprints, SUMMARY_MARKER } from './markers.js';
import type { Anchor, DiffLines } from './pr-diff.js';

/**
 * What a review run will publish, worked out before any call to GitHub: which findings become
 * inline comments (anchored inside the diff, with a fingerprint), which go to the summary, and
 * the check run's annotations. Pure: no I/O here.
 */

export interface InlineComment {
  anchor: Anchor;
  fingerprint: string;
  body: string;
  finding: Finding;
}

export interface ReviewPlan {
  inline: InlineComment[];
  /** Findings that cannot be placed on a diff line (outside the hunks, or about the PR as a whole). */
  elsewhere: Finding[];
  findings: Finding[];
  failOn: Severity;
  conclusion: 'success' | 'failure';
}

const LEVEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };

/** A code fence longer than any run of backticks inside the text. */
function fence(lines: readonly string[]): string {
  let longest = 2;
  for (const line of lines) for (const run of line.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(longest + 1);
}

function suggestionBlock(lines: readonly string[]): string {
  const f = fence(lines);
  return `${f}suggestion\n${lines.map((l) => `${l}\n`).join('')}${f}`;
}

function sideOf(finding: Finding): 'RIGHT' | 'LEFT' {
  return finding.location.kind === 'diff' && finding.location.side === 'old' ? 'LEFT' : 'RIGHT';
}

export function inlineBody(finding: Finding, fingerprint: string, suggestion?: readonly string[]): string {
  const parts = [`**${LEVEL[finding.severity]}** \`${finding.rule}\`: ${finding.message}`];
  if (suggestion) parts.push(`${finding.fix?.description ?? 'Suggested fix'}:\n\n${suggestionBlock(suggestion)}`);
  else if (finding.fix?.target.kind === 'diff') parts.push(`${finding.fix.description}:\n\n${fence(finding.fix.target.lines)}\n${finding.fix.target.lines.join('\n')}\n${fence(finding.fix.target.lines)}`);
  parts.push(fingerprintMarker(fingerprint));
  return parts.join('\n\n');
}

/**
 * Inline comments one review carries at most by default: a PR that trips a rule on every line
 * gets the most severe ones on the diff and the rest listed in the summary, not hundreds of
 * comments (what users of other review bots complain about most after duplicates).
 */
export const DEFAULT_MAX_INLINE = 25;

/** Place each finding: inline inside the diff (with a suggestion block when it carries a fix), else the summary. */
export function planReview(findings: readonly Finding[], lines: DiffLines, failOn: Severity, maxInline: number = DEFAULT_MAX_INLINE): ReviewPlan {
  const inlineCandidates: { finding: Finding; anchor: Anchor; suggestion?: string[]; text: string }[] = [];
  const elsewhere: Finding[] = [];
  for (const finding of findings) {
    const loc = finding.location;
    if (loc.kind !== 'diff') {
      elsewhere.push(finding);
      continue;
    }
    const side = sideOf(finding);
    const text = lines.text(loc.file, loc.line, side);
    if (text === undefined) {
      elsewhere.push(finding);
      continue;
    }
    const fix = finding.fix?.target;
    if (fix?.kind === 'diff' && fix.file === loc.file && side === 'RIGHT') {
      const anchor = lines.anchor(loc.file, fix.endLine, 'RIGHT', fix.startLine < fix.endLine ? fix.startLine : undefined);
      if (anchor) {
        inlineCandidates.push({ finding, anchor, suggestion: fix.lines, text });
        continue;
      }
    }
    inlineCandidates.push({ finding, anchor: { path: loc.file, line: loc.line, side }, text });
  }
  const fingerprints = numberFingerprints(inlineCandidates.map((c) => ({ rule: c.finding.rule, path: c.anchor.path, text: c.text })));
  // Fingerprints come from every candidate, so a comment keeps its fingerprint whatever the cap leaves out.
  const ranked = inlineCandidates
    .map((c, i) => ({ c, i }))
    .sort((a, b) => SEVERITY_RANK[b.c.finding.severity] - SEVERITY_RANK[a.c.finding.severity] || a.i - b.i);
  const kept = new Set(ranked.slice(0, Math.max(0, maxInline)).map((r) => r.i));
  const inline: InlineComment[] = [];
  for (const [i, c] of inlineCandidates.entries()) {
    if (!kept.has(i)) {
      elsewhere.push(c.finding);
      continue;
    }
    inline.push({ anchor: c.anchor, fingerprint: fingerprints[i]!, body: inlineBody(c.finding, fingerprints[i]!, c.suggestion), finding: c.finding });
  }
  return { inline, elsewhere, findings: [...findings], failOn, conclusion: failsAt(findings, failOn) ? 'failure' : 'success' };
}

/** GitHub's limits (checks API, issue comments). */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;
export const MAX_CHECK_TEXT = 65_535;
export const MAX_COMMENT_BODY = 65_536;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
  title: string;
}

const ANNOTATION_LEVEL: Record<Severity, Annotation['annotation_level']> = { error: 'failure', warning: 'warning', info: 'notice' };

/** One annotation per finding on a line of the head's files. */
export function annotationsOf(findings: readonly Finding[]): Annotation[] {
  const out: Annotation[] = [];
  for (const f of findings) {
    if (f.location.kind !== 'diff' || f.location.side === 'old') continue;
    out.push({ path: f.location.file, start_line: f.location.line, end_line: f.location.line, annotation_level: ANNOTATION_LEVEL[f.severity], message: f.message.slice(0, 64_000), title: f.rule });
  }
  return out;
}

/** Split into requests of at most `size` (the checks API takes 50 annotations per request). */
export function batches<T>(items: readonly T[], size: number = MAX_ANNOTATIONS_PER_REQUEST): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function where(f: Finding): string {
  const loc = f.location;
  if (loc.kind === 'diff') return `\`${loc.file}:${loc.line}\``;
  if (loc.kind === 'message') return `commit message line ${loc.line}`;
  return loc.kind;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export function countBySeverity(findings: readonly Finding[]): string {
  const n = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  return `${plural(n('error'), 'error')}, ${plural(n('warning'), 'warning')}, ${plural(n('info'), 'info')}`;
}

/** Rows of a findings table, cut to stay under `budget` characters. */
function table(findings: readonly Finding[], budget: number): string {
  const header = '| severity | rule | where | message |\n|---|---|---|---|\n';
  let out = header;
  let shown = 0;
  for (const f of findings) {
    const row = `| ${f.severity} | \`${f.rule}\` | ${where(f)} | ${cell(f.message)} |\n`;
    if (out.length + row.length > budget) break;
    out += row;
    shown++;
  }
  if (shown < findings.length) out += `\n… and ${findings.length - shown} more (see the check run).\n`;
  return out;
}

export interface SummaryInput {
  plan: ReviewPlan;
  headSha: string;
  /** Inline comments GitHub refused (422): they are listed here instead. */
  refused: readonly InlineComment[];
  unreviewed: readonly string[];
  fromCheckout?: readonly string[];
  notes?: readonly string[];
  /** Why nothing could be written to the PR (a fork's read-only token), if that happened. */
  readOnly?: string;
  version: string;
  /** Link to the check run, when there is one. */
  checkUrl?: string;
}

/** The one summary comment (found again by its marker and edited in place on every run). */
export function summaryBody(input: SummaryInput, limit: number = MAX_COMMENT_BODY): string {
  const { plan } = input;
  const lines: string[] = [SUMMARY_MARKER, '## 🦆 Rubberduck review', ''];
  const verdict = plan.conclusion === 'failure' ? `❌ findings at or above \`${plan.failOn}\`` : '✅ nothing at or above `' + plan.failOn + '`';
  lines.push(`Head \`${input.headSha.slice(0, 12)}\`: **${countBySeverity(plan.findings)}** — ${verdict}.`);
  lines.push(`${plan.inline.length - input.refused.length} inline comment(s) on the diff${input.checkUrl ? `; all findings in the [check run](${input.checkUrl})` : ''}.`);
  if (input.readOnly) lines.push('', `> **Could not write to this pull request:** ${input.readOnly}. The findings are below.`);
  const rest = [...plan.elsewhere, ...input.refused.map((c) => c.finding)];
  const tail: string[] = [];
  if (input.unreviewed.length > 0) {
    tail.push('', `### Not reviewed (${input.unreviewed.length})`, '', 'GitHub sent no diff for these files (too large) and no checkout was available:', '');
    for (const path of input.unreviewed.slice(0, 200)) tail.push(`- \`${path}\``);
    if (input.unreviewed.length > 200) tail.push(`- … and ${input.unreviewed.length - 200} more`);
  }
  if (input.fromCheckout && input.fromCheckout.length > 0) tail.push('', `${input.fromCheckout.length} file(s) too large for the API were reviewed from the local checkout.`);
  for (const note of input.notes ?? []) tail.push('', `> ${cell(note)}`);
  tail.push('', `<sub>rubberduck ${input.version} · updated for ${input.headSha.slice(0, 12)}</sub>`);
  const head = lines.join('\n');
  const tailText = tail.join('\n');
  const all = input.readOnly ? plan.findings : rest;
  let middle = '';
  if (all.length > 0) {
    const title = input.readOnly ? '### Findings' : '### Not on a diff line';
    const intro = input.readOnly ? '' : 'Outside the diff\'s hunks, about the pull request as a whole, or refused by GitHub:\n\n';
    const budget = limit - head.length - tailText.length - title.length - intro.length - 200;
    middle = `\n\n${title}\n\n${intro}${table(all, Math.max(budget, 500))}`;
  }
  return `${head}${middle}${tailText}\n`.slice(0, limit);
}

export interface CheckOutput {
  title: string;
  summary: string;
  text: string;
}

/** The check run's output: every finding in the text, kept under 65,535 characters. */
export function checkOutput(plan: ReviewPlan, headSha: string, extra: readonly string[] = []): CheckOutput {
  const title = plan.findings.length === 0 ? 'No findings' : countBySeverity(plan.findings);
  const summary = [`Rubberduck reviewed ${headSha.slice(0, 12)}: ${countBySeverity(plan.findings)}; fails on \`${plan.failOn}\`.`, ...extra].join('\n\n');
  const text = plan.findings.length === 0 ? 'Nothing to report.' : table(plan.findings, MAX_CHECK_TEXT - 1000);
  return { title, summary: summary.slice(0, MAX_CHECK_TEXT - 1), text: text.slice(0, MAX_CHECK_TEXT - 1) };
}
