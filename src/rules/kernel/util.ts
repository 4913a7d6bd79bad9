import type { Patch, Person, Trailer } from '../../model/changeset.js';
import { personOf, trailerPerson } from '../lib/person.js';

/** Shared helpers for the kernel pack. Pure functions only. */

/** The commit message split into lines (index 0 is message line 1). */
export function messageLines(patch: Patch): string[] {
  const lines = patch.message.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Patches that are a plain diff (no commit message) are skipped by the message rules. */
export function hasMessage(patch: Patch): boolean {
  return patch.source.kind !== 'diff';
}

/** A `[GIT PULL]` / `[GIT] Networking` pull request rather than a patch. */
export function isPullRequest(patch: Patch): boolean {
  return patch.subject.prefixes.some((t) => /^(?:git|pull)$/i.test(t)) || /\bGIT\s+PULL\b|^\s*\[GIT\b/i.test(patch.subject.raw);
}

/** A posting with a message of its own: not a plain diff, a review reply or a pull request. */
export function isPosting(patch: Patch): boolean {
  return hasMessage(patch) && !patch.subject.isReply && !isPullRequest(patch);
}

/** A kernel patch whose message/sign-offs checkpatch would check: a posting that is not a cover. */
export function isCommitPatch(patch: Patch): boolean {
  return !patch.isCover && isPosting(patch);
}

const TRAILER_LINE = /^([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)\s*:\s*\S/;

export const PERSON_TRAILERS = [
  'Signed-off-by',
  'Co-developed-by',
  'Reviewed-by',
  'Acked-by',
  'Tested-by',
  'Reported-by',
  'Suggested-by',
  'Requested-by',
  'Reported-and-tested-by',
  'Debugged-by',
  'Bisected-by',
  'Analyzed-by',
  'Originally-by',
  'Helped-by',
  'Nacked-by',
];

/** Trailer keys with their canonical spelling. */
export const KNOWN_TRAILERS = [...PERSON_TRAILERS, 'Fixes', 'Link', 'Closes', 'Cc', 'Change-Id', 'Message-ID'];

export function canonicalKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  return KNOWN_TRAILERS.find((k) => k.toLowerCase() === lower);
}

/** Does this line look like a `Key: value` trailer (known key or any `*-by`)? */
export function looksLikeTrailer(text: string): boolean {
  const m = TRAILER_LINE.exec(text);
  if (!m || !m[1]) return false;
  const key = m[1];
  return canonicalKey(key) !== undefined || /-by$/i.test(key) || /^(cc|to|link|closes|fixes)$/i.test(key);
}

/** Does this line look like a trailer with its colon missing (`Reviewed-by Jane <j@x>`)? */
export function looksLikeColonlessTrailer(text: string): RegExpExecArray | null {
  return /^([A-Za-z]+(?:-[A-Za-z]+)*-by)\s+([^:<>]*<[^<>@\s]+@[^<>\s]+>.*)$/i.exec(text);
}

/** Message lines (1-based) that belong to a trailer, wrapped continuations included. */
export function trailerLineSet(patch: Patch, lines = messageLines(patch)): Set<number> {
  const set = new Set<number>();
  for (const t of patch.trailers) {
    const span = trailerSpan(lines, t);
    for (let l = t.line; l < t.line + span; l++) set.add(l);
  }
  // The last paragraph, when it is made of trailer-like lines, is the trailer block.
  const start = trailerBlockStart(lines);
  if (start !== undefined) for (let l = start; l <= lines.length; l++) set.add(l);
  return set;
}

/** 1-based line where the trailing trailer block starts, if the last paragraph is one. */
export function trailerBlockStart(lines: string[]): number | undefined {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end--;
  if (end === 0) return undefined;
  let start = end;
  while (start > 1 && (lines[start - 2] ?? '').trim() !== '') start--;
  let trailerish = 0;
  let total = 0;
  for (let l = start; l <= end; l++) {
    const text = lines[l - 1] ?? '';
    if (/^\s/.test(text)) continue; // continuation
    total++;
    if (looksLikeTrailer(text) || looksLikeColonlessTrailer(text) || /^\[.*\]$/.test(text.trim())) trailerish++;
  }
  return total > 0 && trailerish === total ? start : undefined;
}

/** How many message lines a trailer occupies (more than one when it was wrapped). */
export function trailerSpan(lines: string[], t: Trailer): number {
  if (!t.wrapped) return 1;
  let n = 1;
  while (t.line + n <= lines.length) {
    const next = lines[t.line + n - 1] ?? '';
    if (next.trim() === '' || looksLikeTrailer(next)) break;
    n++;
  }
  return n;
}

export function keyIs(t: Trailer, key: string): boolean {
  return t.key.toLowerCase() === key.toLowerCase();
}

/** Lines of quoted output: indented, `>`-quoted, timestamps, stack-dump markers. */
export function isLogLine(text: string): boolean {
  return (
    /^\s/.test(text) ||
    /^>/.test(text) ||
    /^\[\s*\d+\.\d+\]/.test(text) ||
    /^(?:WARNING|BUG|RIP|Call Trace|Oops|Kernel panic|Hardware name|Modules linked in|CPU: \d|Workqueue|Code):?/.test(text) ||
    /^\s*(?:[\w.\-+]*\/)+[\w.\-+]+:/.test(text) ||
    /\S+\.(?:c|h|o|S|rs|ko):(?:\d+|\()/.test(text) ||
    /: in function [`'"]/.test(text)
  );
}

/**
 * Message lines (1-based) that are quoted output: log-like lines, and paragraphs introduced by a
 * prose line ending in a colon (`there is a link failure:` followed by the tool's output).
 */
export function quotedLineSet(lines: string[]): Set<number> {
  const set = new Set<number>();
  let introduced = false;
  let prevNonBlank = '';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (text.trim() === '') {
      introduced = /:\s*$/.test(prevNonBlank);
      continue;
    }
    if (introduced || isLogLine(text)) set.add(i + 1);
    prevNonBlank = text;
  }
  return set;
}

/** Description lines: message lines that are neither trailers nor in-body headers. */
export function descriptionLines(patch: Patch): { line: number; text: string }[] {
  const lines = messageLines(patch);
  const trailers = trailerLineSet(patch, lines);
  const out: { line: number; text: string }[] = [];
  let headerZone = true;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (headerZone) {
      if (/^(From|Date|Subject): /.test(text)) continue;
      if (text.trim() === '') continue;
      headerZone = false;
    }
    if (trailers.has(i + 1)) continue;
    out.push({ line: i + 1, text });
  }
  return out;
}

export const SOURCE_EXT = /\.(?:c|h)$/;

export interface SignOff {
  line: number;
  value: string;
  person: Person | undefined;
  text: string;
}

/** The Signed-off-by lines: from the parsed trailers, else found in the message text. */
export function signOffs(patch: Patch): SignOff[] {
  const lines = messageLines(patch);
  const fromTrailers = patch.trailers
    .filter((t) => keyIs(t, 'signed-off-by'))
    .map((t) => ({ line: t.line, value: t.value, person: trailerPerson(t), text: lines[t.line - 1] ?? t.raw }));
  if (fromTrailers.length > 0) return fromTrailers;
  const out: SignOff[] = [];
  lines.forEach((text, i) => {
    const m = /^\s*Signed-off-by:\s*(.*)$/i.exec(text);
    if (m) out.push({ line: i + 1, value: (m[1] ?? '').trim(), person: personOf(m[1] ?? ''), text });
  });
  return out;
}
