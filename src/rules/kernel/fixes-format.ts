import type { Patch } from '../../model/changeset.js';
import type { Finding, Fix } from '../../model/finding.js';
import { messageLocation } from '../lib/location.js';
import type { FixContext, PatchRule, RuleFinding } from '../types.js';
import { isPosting, keyIs, looksLikeTrailer, messageLines, trailerSpan } from './util.js';

const CANONICAL = /^Fixes: [0-9a-f]{12,40} \("[^\n]+"\)$/;

export interface FixesTag {
  line: number;
  span: number;
}

/** Every Fixes tag: the parsed trailers, plus `Fixes:`-looking lines the parser did not take. */
export function fixesTags(patch: Patch, lines: string[]): FixesTag[] {
  const tags: FixesTag[] = [];
  const covered = new Set<number>();
  for (const t of patch.trailers) {
    if (!keyIs(t, 'fixes')) continue;
    const span = trailerSpan(lines, t);
    tags.push({ line: t.line, span });
    for (let l = t.line; l < t.line + span; l++) covered.add(l);
  }
  lines.forEach((text, i) => {
    if (covered.has(i + 1)) return;
    if (/^\s*Fixes\s*:/i.test(text) || /^\s*Fixes\s+(?:commit\s+)?[0-9a-fA-F]{7,}/i.test(text)) {
      // Take following lines that continue an unterminated tag (no closing `")`).
      let span = 1;
      let joined = text;
      while (!/\)\s*$/.test(joined) && i + span < lines.length) {
        const next = lines[i + span] ?? '';
        if (next.trim() === '' || looksLikeTrailer(next)) break;
        joined += ` ${next.trim()}`;
        span++;
      }
      tags.push({ line: i + 1, span });
    }
  });
  return tags.sort((a, b) => a.line - b.line);
}

/** Problems with one (unwrapped) tag, and the canonical form when it can be derived. */
export function analyseFixes(text: string, wrapped: boolean): { problems: string[]; canonical?: string } {
  const problems: string[] = [];
  const m = /^\s*(fixes)(\s*:)?([ \t]*)(.*)$/i.exec(text);
  if (!m) return { problems: ['not a Fixes tag'] };
  const key = m[1] ?? '';
  const colon = m[2];
  const sep = m[3] ?? '';
  let body = (m[4] ?? '').trim();
  if (/^\s/.test(text)) problems.push('indented');
  if (key !== 'Fixes') problems.push(`key written "${key}"`);
  if (!colon) problems.push('no colon after Fixes');
  else if (colon !== ':') problems.push('space before the colon');
  if (colon && sep !== ' ') problems.push(sep === '' ? 'no space after the colon' : 'more than one space after the colon');
  if (/^commit\b/i.test(body)) {
    problems.push('extra word "commit"');
    body = body.replace(/^commit\s*/i, '');
  }
  const h = /^([0-9a-fA-F]+)\b/.exec(body);
  const hash = h?.[1] ?? '';
  if (!h) problems.push('no commit hash');
  else {
    if (hash.length < 12) problems.push(`hash ${hash} is shorter than 12 characters`);
    if (hash.length > 40) problems.push(`hash is longer than 40 characters`);
    if (hash !== hash.toLowerCase()) problems.push('hash is not lower case');
  }
  const rest = body.slice(hash.length);
  let subject: string | undefined;
  const exact = /^ \("(.+)"\)$/.exec(rest);
  if (exact) subject = exact[1];
  else {
    const loose = /^\s*\(?\s*["“]?(.*?)["”]?\s*\)?\s*$/.exec(rest);
    subject = loose?.[1]?.trim() || undefined;
    if (!subject) problems.push('no ("subject") after the hash');
    else {
      if (!/^\s*\(/.test(rest) || !/\)\s*$/.test(rest)) problems.push('subject not in parentheses');
      if (!/["“]/.test(rest)) problems.push('subject not in double quotes');
      if (problems.length === 0) problems.push('not in the form Fixes: <hash> ("subject")');
    }
  }
  if (wrapped) problems.push('tag wrapped over more than one line');
  if (problems.length === 0 && !CANONICAL.test(text.trimEnd())) problems.push('not in the form Fixes: <hash> ("subject")');
  const canonical =
    hash.length >= 12 && hash.length <= 40 && subject ? `Fixes: ${hash.toLowerCase()} ("${subject}")` : undefined;
  return canonical ? { problems, canonical } : { problems };
}

export const fixesFormat: PatchRule = {
  id: 'kernel/fixes-format',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'A `Fixes:` tag is not exactly `Fixes: <12–40 lower-case hex> ("<subject>")` on one line.',
    why: 'Stable maintainers, NIPA and backport scripts parse Fixes tags mechanically; a malformed one is missed or rejected.',
    fix: 'Generate it with `git log -1 --abbrev=12 --format=\'Fixes: %h ("%s")\' <sha>` and keep it on one line, however long.',
  },
  check(patch): RuleFinding[] {
    if (!isPosting(patch)) return [];
    const lines = messageLines(patch);
    const out: RuleFinding[] = [];
    for (const tag of fixesTags(patch, lines)) {
      const span = lines.slice(tag.line - 1, tag.line - 1 + tag.span);
      const joined = span.map((l, i) => (i === 0 ? l.trimEnd() : l.trim())).join(' ');
      const { problems, canonical } = analyseFixes(joined, tag.span > 1);
      if (problems.length === 0) continue;
      const evidence = lines[tag.line - 1] ?? '';
      out.push({
        message: `malformed Fixes tag: ${problems.join('; ')}`,
        location: messageLocation(patch, tag.line),
        evidence,
        ...(canonical
          ? {
              fix: {
                description: 'rewrite the tag in the canonical form',
                target: { kind: 'message' as const, startLine: tag.line, endLine: tag.line + tag.span - 1, lines: [canonical] },
              },
            }
          : {}),
      });
    }
    return out;
  },
  suggestFix: fixesFromRepository,
};

/**
 * With `--repo`, the tag rewritten with the 12-character hash and the subject the commit really
 * has (replacing the rule's own guess); without one, or when the repository does not have the
 * commit, the finding keeps the fix the check made.
 */
async function fixesFromRepository(finding: Finding, _patch: Patch, ctx: FixContext): Promise<Fix | undefined> {
  if (!ctx.repository || finding.location.kind !== 'message') return undefined;
  const hash = /\b([0-9a-f]{7,40})\b/i.exec(finding.evidence ?? '')?.[1];
  if (!hash) return undefined;
  const commit = await ctx.repository.commit(hash);
  if (!commit) return undefined;
  const existing = finding.fix?.target.kind === 'message' ? finding.fix.target : undefined;
  const startLine = existing?.startLine ?? finding.location.line;
  return {
    description: 'Fixes tag with the hash and subject from the repository',
    target: { kind: 'message', startLine, endLine: existing?.endLine ?? startLine, lines: [`Fixes: ${commit.hash.slice(0, 12)} ("${commit.subject}")`] },
  };
}
