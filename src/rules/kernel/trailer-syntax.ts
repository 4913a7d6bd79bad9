import type { PatchRule, RuleFinding } from '../types.js';
import type { Fix } from '../../model/finding.js';
import { messageLocation } from '../lib/location.js';
import { personOf } from '../lib/person.js';
import { KNOWN_TRAILERS, PERSON_TRAILERS, canonicalKey, isPosting, looksLikeColonlessTrailer, messageLines, trailerBlockStart } from './util.js';

function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]?.[b.length] ?? 0;
}

/** The known key a misspelt key was meant to be (`Signed-of-by`, `Reviewd-by`, `Signed-off-by-`). */
export function intendedKey(key: string): string | undefined {
  const exact = canonicalKey(key);
  if (exact) return exact;
  const lower = key.toLowerCase().replace(/[_ ]/g, '-');
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of KNOWN_TRAILERS) {
    if (k.length < 5) continue; // Cc, Link: too short to guess from
    const dist = distance(lower, k.toLowerCase());
    // `Tested-on:` is a custom key, not a misspelt `Tested-by:`: the `-by` ending must agree.
    if (lower.endsWith('-by') !== k.toLowerCase().endsWith('-by') && dist > 1) continue;
    if (dist < bestD) {
      bestD = dist;
      best = k;
    }
  }
  return best && bestD <= 2 ? best : undefined;
}

const KEY_LINE = /^([A-Za-z][A-Za-z0-9_]*(?:[- ][A-Za-z0-9_]+)*?)(\s*):([ \t]*)(.*)$/;

export const trailerSyntax: PatchRule = {
  id: 'kernel/trailer-syntax',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'A trailer key is misspelt or miscased, the colon is missing or not followed by exactly one space, its `Name <address>` cannot be read, or the same trailer appears twice.',
    why: 'Trailers are parsed by tools (b4, patchwork, the DCO checks, stats scripts); a malformed one is silently lost.',
    fix: 'Write `Key: Name <address>` with the standard spelling (`Signed-off-by`, `Reviewed-by`, …) and one space after the colon; drop duplicates.',
  },
  check(patch): RuleFinding[] {
    if (!isPosting(patch)) return [];
    const lines = messageLines(patch);
    const out: RuleFinding[] = [];
    const candidates = new Set<number>(patch.trailers.map((t) => t.line));
    const block = trailerBlockStart(lines);
    if (block !== undefined) for (let l = block; l <= lines.length; l++) candidates.add(l);
    const seen = new Map<string, number>();
    for (const line of [...candidates].sort((a, b) => a - b)) {
      const text = lines[line - 1] ?? '';
      if (text.trim() === '' || /^\s/.test(text)) continue;
      const location = messageLocation(patch, line);
      const colonless = looksLikeColonlessTrailer(text);
      if (colonless) {
        const key = intendedKey(colonless[1] ?? '');
        if (key) {
          const fixed = `${key}: ${(colonless[2] ?? '').trim()}`;
          out.push({ message: `trailer "${colonless[1]}" has no colon`, location, evidence: text, fix: lineFix(line, fixed) });
        }
        continue;
      }
      const m = KEY_LINE.exec(text);
      if (!m) continue;
      const written = m[1] ?? '';
      if (/^fixes$/i.test(written)) continue; // kernel/fixes-format owns Fixes tags
      const key = intendedKey(written);
      if (!key) continue; // an unknown key (`Link`-like custom trailers) is left alone
      const value = (m[4] ?? '').trimEnd();
      const problems: string[] = [];
      if (written !== key) problems.push(written.toLowerCase() === key.toLowerCase() ? `key "${written}" should be "${key}"` : `misspelt key "${written}" (${key})`);
      if ((m[2] ?? '') !== '') problems.push('space before the colon');
      if ((m[3] ?? '') !== ' ') problems.push((m[3] ?? '') === '' ? 'no space after the colon' : 'not exactly one space after the colon');
      if (PERSON_TRAILERS.includes(key) && value !== '' && !personOf(value)) problems.push(`cannot read "Name <address>" in "${value}"`);
      const dupKey = `${key.toLowerCase()}\u0000${value.replace(/\s+/g, ' ').toLowerCase()}`;
      const first = seen.get(dupKey);
      if (first !== undefined && value !== '') problems.push(`duplicate of line ${first}`);
      else seen.set(dupKey, line);
      if (problems.length === 0) continue;
      const canonicalLine = `${key}: ${value}`;
      const dup = first !== undefined && value !== '';
      out.push({
        message: `trailer: ${problems.join('; ')}`,
        location,
        evidence: text,
        ...(dup
          ? { fix: { description: 'remove the duplicate trailer', target: { kind: 'message' as const, startLine: line, endLine: line, lines: [] } } }
          : canonicalLine !== text && problems.every((p) => !p.startsWith('cannot read'))
            ? { fix: lineFix(line, canonicalLine) }
            : {}),
      });
    }
    return out;
  },
};

function lineFix(line: number, text: string): Fix {
  return { description: 'rewrite the trailer', target: { kind: 'message', startLine: line, endLine: line, lines: [text] } };
}
