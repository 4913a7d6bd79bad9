import type { Patch } from '../../src/model/changeset.js';
import type { Finding, Location } from '../../src/model/finding.js';
import { renderPatchBody } from '../../src/model/render-patch.js';
import type { LlmClient } from '../../src/llm/types.js';
import { loadPrompt } from '../../src/llm/prompts.js';
import { JUDGEMENT_RULES, ReviewerOutputSchema, type ReviewerFinding } from './schema.js';

export interface ReviewInput {
  patch: Patch;
  patchIndex: number;
  /** The deterministic findings for this patch. */
  findings: Finding[];
}

export interface ReviewResult {
  findings: Finding[];
  notes: string[];
}

function describeRules(): string {
  return Object.entries(JUDGEMENT_RULES)
    .map(([id, rule]) => `- ${id} (${rule.severity}): ${rule.text}`)
    .join('\n');
}

function describeFindings(findings: Finding[]): string {
  if (findings.length === 0) return '(none)';
  return findings.map((f) => `- ${f.rule} [${f.severity}] ${f.message}${f.evidence ? ` — "${f.evidence}"` : ''}`).join('\n');
}

/** The patch as the reviewer sees it: subject line, then the body as format-patch writes it. */
export function patchText(patch: Patch): string {
  return [`Subject: ${patch.subject.raw}`, '', ...renderPatchBody(patch).lines].join('\n');
}

const stripDiffPrefix = (line: string) => (/^[+\- ]/.test(line) ? line.slice(1) : line);
const squash = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Finds where a quoted line stands in the patch: an added or context line of the diff, a line of
 * the message, or the subject. Whitespace runs are compared folded (models re-space tabs), the
 * characters otherwise exactly. Undefined when the quote is not in the patch: the finding is
 * dropped.
 */
export function locateEvidence(patch: Patch, evidence: string): Location | undefined {
  const quote = squash(stripDiffPrefix(evidence.replace(/^>\s?/, '')));
  if (!quote) return undefined;
  for (const file of patch.files) {
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        if (squash(line.text) === quote || (quote.length >= 12 && squash(line.text).includes(quote))) {
          const path = file.newPath ?? file.oldPath ?? '';
          if (line.kind !== 'del' && line.newLine !== undefined) {
            return { kind: 'diff', file: path, line: line.newLine, side: 'new', patchLine: line.patchLine };
          }
          if (line.oldLine !== undefined) return { kind: 'diff', file: path, line: line.oldLine, side: 'old', patchLine: line.patchLine };
        }
      }
    }
  }
  const messageLines = patch.message.split('\n');
  for (let i = 0; i < messageLines.length; i++) {
    const text = squash(messageLines[i]!);
    if (text && (text === quote || (quote.length >= 12 && text.includes(quote)))) {
      return { kind: 'message', line: i + 1, part: 'message', patchLine: patch.messageStartLine + i };
    }
  }
  // Like the lines above: the whole subject (or its summary), or a fragment long enough to mean something.
  const subject = squash(patch.subject.raw);
  if (subject === quote || squash(patch.subject.summary) === quote || (quote.length >= 12 && subject.includes(quote)) || squash(`Subject: ${patch.subject.raw}`) === quote) {
    return { kind: 'subject' };
  }
  return undefined;
}

function toFinding(input: ReviewInput, raw: ReviewerFinding, location: Location): Finding {
  return {
    rule: raw.rule,
    severity: raw.severity,
    message: raw.message,
    source: 'llm',
    patch: input.patchIndex,
    subject: input.patch.subject.raw,
    messageId: input.patch.messageId,
    location,
    evidence: raw.evidence,
  };
}

/**
 * One patch through the LLM reviewer. Findings without evidence that stands in the patch are
 * dropped (and counted in a note): the reviewer must not report what it cannot prove.
 */
export async function reviewWithModel(llm: LlmClient, input: ReviewInput): Promise<ReviewResult> {
  const system = loadPrompt('reviewer', { rules: describeRules(), findings: describeFindings(input.findings) });
  const answer = await llm.structured({
    agent: 'reviewer',
    system,
    user: patchText(input.patch),
    schema: ReviewerOutputSchema,
    schemaName: 'review',
  });
  if (!answer) return { findings: [], notes: [`LLM review of "${input.patch.subject.raw}" gave no usable answer; deterministic findings only`] };
  const findings: Finding[] = [];
  let dropped = 0;
  for (const raw of answer.findings) {
    const location = locateEvidence(input.patch, raw.evidence);
    if (!location) {
      dropped++;
      continue;
    }
    findings.push(toFinding(input, raw, location));
  }
  const notes = dropped ? [`dropped ${dropped} LLM finding(s) whose quoted evidence is not in "${input.patch.subject.raw}"`] : [];
  return { findings, notes };
}
