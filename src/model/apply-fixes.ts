import type { Patch } from './changeset.js';
import type { Finding, Fix } from './finding.js';

export interface AppliedFixes {
  patch: Patch;
  applied: Finding[];
  /** Fixes left out, with why (overlap with another fix, target not an added line…). */
  skipped: { finding: Finding; reason: string }[];
}

type DiffTarget = Extract<Fix['target'], { kind: 'diff' }>;
type MessageTarget = Extract<Fix['target'], { kind: 'message' }>;

function overlaps(a: { startLine: number; endLine: number }, b: { startLine: number; endLine: number }): boolean {
  return a.startLine <= b.endLine && b.startLine <= a.endLine;
}

/**
 * Applies the mechanical fixes carried by findings to a copy of the patch (the input is never
 * changed). Diff fixes only rewrite lines the patch adds, one for one, so hunk counts stay right;
 * message fixes may change the number of lines. Overlapping fixes: the first wins.
 */
export function applyFixes(patch: Patch, findings: Finding[]): AppliedFixes {
  const copy = structuredClone(patch);
  const applied: Finding[] = [];
  const skipped: AppliedFixes['skipped'] = [];
  const takenDiff: (DiffTarget & { file: string })[] = [];
  const messageFixes: { finding: Finding; target: MessageTarget }[] = [];
  let subjectFixed = false;

  for (const finding of findings) {
    const target = finding.fix?.target;
    if (!target) continue;
    if (target.kind === 'subject') {
      if (subjectFixed) {
        skipped.push({ finding, reason: 'another fix already rewrote the subject' });
        continue;
      }
      copy.subject = { ...copy.subject, raw: target.subject };
      subjectFixed = true;
      applied.push(finding);
    } else if (target.kind === 'message') {
      if (messageFixes.some((m) => overlaps(m.target, target))) {
        skipped.push({ finding, reason: 'overlaps another fix of the message' });
        continue;
      }
      messageFixes.push({ finding, target });
    } else {
      if (takenDiff.some((t) => t.file === target.file && overlaps(t, target))) {
        skipped.push({ finding, reason: 'overlaps another fix of the same lines' });
        continue;
      }
      const reason = rewriteAddedLines(copy, target);
      if (reason) {
        skipped.push({ finding, reason });
        continue;
      }
      takenDiff.push(target);
      applied.push(finding);
    }
  }

  // Bottom-up, so earlier line numbers stay valid while later ranges change length.
  const lines = copy.message.split('\n');
  for (const { finding, target } of messageFixes.sort((a, b) => b.target.startLine - a.target.startLine)) {
    if (target.endLine > lines.length || target.startLine > target.endLine) {
      skipped.push({ finding, reason: 'message lines out of range' });
      continue;
    }
    lines.splice(target.startLine - 1, target.endLine - target.startLine + 1, ...target.lines);
    applied.push(finding);
  }
  copy.message = lines.join('\n');
  return { patch: copy, applied, skipped };
}

/**
 * Rewrites new-side lines startLine..endLine. Lines the patch adds are replaced in place; context
 * lines in the range become a deletion plus an addition, so a fix may also reorder lines the
 * patch did not touch (reverse xmas tree over a whole declaration block). The number of lines
 * stays the same, so hunk headers and later line numbers stay right.
 */
function rewriteAddedLines(patch: Patch, target: DiffTarget): string | undefined {
  const wanted = target.endLine - target.startLine + 1;
  if (target.lines.length !== wanted) return 'the fix changes the number of lines';
  const file = patch.files.find((f) => (f.newPath ?? f.oldPath) === target.file);
  if (!file) return `no file ${target.file} in the patch`;
  const inRange = (n: number | undefined) => n !== undefined && n >= target.startLine && n <= target.endLine;
  const hunk = file.hunks.find((h) => h.lines.some((l) => l.kind !== 'del' && inRange(l.newLine)));
  if (!hunk) return 'the fix points outside the patch';
  const covered = hunk.lines.filter((l) => l.kind !== 'del' && inRange(l.newLine));
  if (covered.length !== wanted) return 'the fix spans more than one hunk';
  const first = hunk.lines.indexOf(covered[0]!);
  const last = hunk.lines.indexOf(covered[covered.length - 1]!);
  const slice = hunk.lines.slice(first, last + 1);
  const removed = slice.filter((l) => l.kind !== 'add').map((l) => ({ ...l, kind: 'del' as const, newLine: undefined }));
  const added = target.lines.map((text, i) => ({
    kind: 'add' as const,
    text,
    crlf: false,
    newLine: target.startLine + i,
    patchLine: covered[i]!.patchLine,
    noNewlineAtEnd: false,
  }));
  hunk.lines.splice(first, last - first + 1, ...removed, ...added);
  return undefined;
}
