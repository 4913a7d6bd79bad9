import type { DiffLine, FilePatch, Hunk, Patch } from '../../model/changeset.js';
import { filePath } from '../../model/changeset.js';
import type { Location } from '../../model/finding.js';
import type { RuleFinding } from '../types.js';

/** Where findings point: one place for every pack. */

/** A location on commit-message line `line` (1-based within patch.message). */
export function messageLocation(patch: Patch, line: number): Location {
  return { kind: 'message', line, part: 'message', patchLine: patch.messageStartLine + line - 1 };
}

/**
 * A location on a diff line: the new side for added and context lines, the old side for
 * deletions (and for a line a corrupt hunk header left without a new-side number).
 */
export function diffLocation(file: FilePatch, line: DiffLine, hunk?: Hunk): Location {
  const path = filePath(file);
  if (line.kind !== 'del' && line.newLine !== undefined) return { kind: 'diff', file: path, line: line.newLine, side: 'new', patchLine: line.patchLine };
  if (line.oldLine !== undefined) return { kind: 'diff', file: path, line: line.oldLine, side: 'old', patchLine: line.patchLine };
  return { kind: 'diff', file: path, line: Math.max(1, hunk?.newStart ?? 1), side: 'new', patchLine: line.patchLine };
}

/** A finding anchored on one diff line, with the line as evidence. */
export function lineFinding(file: FilePatch, line: DiffLine, message: string, extra: Partial<RuleFinding> = {}): RuleFinding {
  return { message, location: diffLocation(file, line), evidence: line.text, ...extra };
}

/** The diff line as written in the patch, with its `+`, `-` or ` ` prefix. */
export function diffLineAsWritten(line: DiffLine): string {
  const prefix = line.kind === 'add' ? '+' : line.kind === 'del' ? '-' : ' ';
  return prefix + line.text;
}
