import { SEVERITY_RANK, type Severity } from '../model/finding.js';
import type { StoredReply, StoredSeries } from './history.js';
import type { Check, CheckState, TriageFinding, TriageSeries, Verdict } from './schema.js';

/**
 * One verdict per series, from NIPA-style checks (success / warning / fail):
 * - `ready`: no check fails or warns (no error or warning finding, every member present, trailers
 *   in order, no reviewer asking for changes);
 * - `changes-requested`: a check fails (an error finding, a NAK, or a reviewer asking for changes
 *   with no later version posted since);
 * - `needs-human`: only warnings (judgement calls, a missing member, the LLM reviewer's findings).
 * Pure: everything comes from the history row.
 */

const TRAILER_RULES = new Set([
  'kernel/missing-signoff',
  'kernel/author-signoff',
  'kernel/co-developed-by',
  'kernel/trailer-syntax',
  'kernel/fixes-format',
  'kernel/sender-signoff-last',
  'kernel/reported-by-closes',
  'kernel/stable-address',
  'kernel/gerrit-change-id',
]);
const PACKS = ['kernel', 'netdev', 'series', 'generic'] as const;
const APPROVALS = new Set(['reviewed-by', 'acked-by', 'tested-by']);

/** A NAK, as reviewers write it. */
const NAK = /^\s*(?:nak|nack)\b|^\s*nacked-by:/im;
/**
 * A request for changes, in a reply's own words. A heuristic, tuned on how netdev reviewers
 * write: "please fix/split/drop …", "this needs …", "should be …", "nit:", "v2 please",
 * "changes requested". A reply that gives a Reviewed-by/Acked-by/Tested-by is an approval even
 * with a nit in it.
 */
const CHANGE_REQUEST = [
  /\b(?:please|pls|could you|can you|would you)\b[^.?!\n]{0,80}\b(?:fix|change|split|drop|rework|resend|respin|repost|update|use|add|remove|keep|move|address|rebase|reorder|document|explain|send|squash|rename|check|free)\b/i,
  /\b(?:this|it|that) (?:needs|should|must)\b/i,
  /\bneeds? (?:a|an|to be|fixing|to)\b/i,
  /\bshould (?:be|not|use|go|have)\b/i,
  /^\s*nit:/im,
  /\bchanges? requested\b/i,
  /\bv\d+ please\b|\bplease (?:send|post) (?:a )?v\d+\b/i,
];

export interface ReplySignals {
  /** `Reviewed-by: Name <addr>` lines given. */
  approvals: string[];
  nak: boolean;
  changes: boolean;
}

export function classifyReply(reply: Pick<StoredReply, 'trailers' | 'text'>): ReplySignals {
  const approvals = reply.trailers.filter((t) => APPROVALS.has(t.key.toLowerCase())).map((t) => `${canonicalKey(t.key)}: ${t.value}`);
  const nak = NAK.test(reply.text) || reply.trailers.some((t) => /^n(?:a|ac)ked-by$/i.test(t.key));
  const changes = !nak && approvals.length === 0 && CHANGE_REQUEST.some((re) => re.test(reply.text));
  return { approvals, nak, changes };
}

function canonicalKey(key: string): string {
  return key
    .toLowerCase()
    .split('-')
    .map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join('-');
}

function worst(findings: readonly TriageFinding[]): Severity | undefined {
  let top: Severity | undefined;
  for (const f of findings) if (!top || SEVERITY_RANK[f.severity] > SEVERITY_RANK[top]) top = f.severity;
  return top;
}

function stateOf(findings: readonly TriageFinding[]): CheckState {
  const top = worst(findings);
  return top === 'error' ? 'fail' : top === 'warning' ? 'warning' : 'success';
}

function summary(findings: readonly TriageFinding[]): string {
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const [e, w, i] = [count('error'), count('warning'), count('info')];
  if (findings.length === 0) return 'no findings';
  const rules = [...new Set(findings.filter((f) => f.severity !== 'info').map((f) => f.rule))];
  const parts = [e && `${e} error${e === 1 ? '' : 's'}`, w && `${w} warning${w === 1 ? '' : 's'}`, i && `${i} info`].filter(Boolean).join(', ');
  return rules.length > 0 ? `${parts}: ${rules.slice(0, 4).join(', ')}${rules.length > 4 ? ', …' : ''}` : parts;
}

/** Counters 1..N that no patch of the series carries. */
function missingCounters(series: StoredSeries): number[] {
  const present = new Set(series.messages.filter((m) => !m.cover).map((m) => m.counter ?? 1));
  const missing: number[] = [];
  for (let k = 1; k <= series.total; k++) if (!present.has(k)) missing.push(k);
  return missing;
}

/** The series, judged: its checks, its verdict, and everything the outputs show. */
export function judgeSeries(series: StoredSeries): TriageSeries {
  const findings = JSON.parse(series.findings) as TriageFinding[];
  const rules = findings.filter((f) => f.source !== 'llm');
  const checks: Check[] = [];
  const received = series.messages.filter((m) => !m.cover).length;
  const missing = missingCounters(series);
  checks.push({
    name: 'members',
    state: missing.length === 0 ? 'success' : 'warning',
    description: missing.length === 0 ? `${received} of ${series.total} received` : `${received} of ${series.total} received (missing ${missing.map((k) => `${k}/${series.total}`).join(', ')})`,
  });
  for (const pack of PACKS) {
    const own = rules.filter((f) => f.rule.startsWith(`${pack}/`));
    checks.push({ name: `rules/${pack}`, state: stateOf(own), description: summary(own) });
  }
  const trailers = rules.filter((f) => TRAILER_RULES.has(f.rule));
  checks.push({ name: 'trailers', state: stateOf(trailers), description: trailers.length === 0 ? 'trailers in order' : summary(trailers) });

  const approvals: string[] = [];
  const naks: string[] = [];
  const changeRequests: string[] = [];
  for (const reply of series.replies) {
    const signals = classifyReply(reply);
    approvals.push(...signals.approvals);
    if (signals.nak) naks.push(reply.from);
    if (signals.changes) changeRequests.push(reply.from);
  }
  const uniqueApprovals = [...new Set(approvals)];
  // A request for changes is answered by a later version; a NAK stands.
  const openRequests = series.supersededBy ? [] : [...new Set(changeRequests)];
  const reviewState: CheckState = naks.length > 0 || openRequests.length > 0 ? 'fail' : 'success';
  const reviewText =
    naks.length > 0
      ? `NAKed by ${[...new Set(naks)].join(', ')}`
      : openRequests.length > 0
        ? `changes requested by ${openRequests.join(', ')}`
        : changeRequests.length > 0 && series.supersededBy
          ? `changes requested by ${[...new Set(changeRequests)].join(', ')}; v${series.supersededBy.version} posted since`
          : uniqueApprovals.length > 0
          ? uniqueApprovals.join('; ')
          : series.replies.length > 0
            ? `${series.replies.length} repl${series.replies.length === 1 ? 'y' : 'ies'}, no trailers`
            : 'no replies yet';
  checks.push({ name: 'review', state: reviewState, description: reviewText });
  const llm = findings.filter((f) => f.source === 'llm');
  if (series.llm) checks.push({ name: 'llm', state: llm.length > 0 ? 'warning' : 'success', description: llm.length > 0 ? summary(llm) : 'the LLM reviewer found nothing to add' });

  const verdict: Verdict = checks.some((c) => c.state === 'fail') ? 'changes-requested' : checks.some((c) => c.state === 'warning') ? 'needs-human' : 'ready';
  const top = [...findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity])[0];
  return {
    id: series.id,
    subject: series.subject,
    ...(series.tree ? { tree: series.tree } : {}),
    version: series.version,
    author: series.authorName ? `${series.authorName} <${series.author}>` : series.author,
    ...(series.date ? { date: series.date } : {}),
    received,
    expected: series.total,
    missing,
    verdict,
    checks,
    findings,
    ...(top ? { topFinding: `${top.rule}: ${top.message}` } : {}),
    ...(series.previous ? { previousVersion: series.previous } : {}),
    ...(series.supersededBy ? { supersededBy: series.supersededBy } : {}),
    messages: series.messages,
    replies: { count: series.replies.length, trailers: uniqueApprovals, naks: [...new Set(naks)], changeRequests: [...new Set(changeRequests)] },
  };
}
