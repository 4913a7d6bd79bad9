import type { DiffLine, FilePatch, Hunk, Patch, Subject } from '../../model/changeset.js';
import { filePath } from '../../model/changeset.js';
import type { Config } from '../../config/schema.js';
import type { Location } from '../../model/finding.js';
import type { RuleFinding } from '../types.js';

/** Width of a line on screen, tabs expanding to the next multiple of 8. */
export function visualWidth(text: string): number {
  let width = 0;
  for (const ch of text) width = ch === '\t' ? width + 8 - (width % 8) : width + 1;
  return width;
}

/** Tokens of a subject's bracketed prefix; `[net,v2,1/2]` (patchwork style) splits on commas too. */
export function prefixTokens(subject: Subject): string[] {
  return subject.prefixes.flatMap((p) => p.split(/[\s,]+/)).filter((t) => t.length > 0);
}

/**
 * The networking tree token of a subject, as written (`net`, `Net-Next`, `iwl-net`), when it is
 * one of the configured trees (compared case-insensitively).
 */
export function netdevTree(subject: Subject, config: Config): string | undefined {
  const trees = new Set(config.netdev.trees.map((t) => t.toLowerCase()));
  if (subject.tree && trees.has(subject.tree.toLowerCase())) return subject.tree;
  return prefixTokens(subject).find((t) => trees.has(t.toLowerCase()));
}

/** A fixes tree is one whose name does not contain `next`. */
export function isFixesTree(tree: string): boolean {
  return !tree.toLowerCase().includes('next');
}

export function hasFixesTrailer(patch: Patch): boolean {
  return patch.trailers.some((t) => t.key.trim().toLowerCase() === 'fixes') || /^fixes:/im.test(patch.message);
}

export function isCSource(path: string): boolean {
  return path.endsWith('.c');
}

export function isCHeader(path: string): boolean {
  return path.endsWith('.h');
}

export function isCFile(path: string): boolean {
  return isCSource(path) || isCHeader(path);
}

/** Every path a patch touches (both sides of a rename). */
export function touchedPaths(patch: Patch): string[] {
  const out = new Set<string>();
  for (const f of patch.files) {
    if (f.oldPath) out.add(f.oldPath);
    if (f.newPath) out.add(f.newPath);
  }
  return [...out];
}

/** Location of a diff line: the new side for added/context lines, the old side for deletions. */
export function diffLocation(file: FilePatch, line: DiffLine): Location {
  if (line.kind === 'del' && line.oldLine !== undefined) {
    return { kind: 'diff', file: filePath(file), line: line.oldLine, side: 'old', patchLine: line.patchLine };
  }
  return { kind: 'diff', file: filePath(file), line: line.newLine ?? 1, side: 'new', patchLine: line.patchLine };
}

/** A finding anchored on one added (or context) line, with the line as evidence. */
export function lineFinding(file: FilePatch, line: DiffLine, message: string, extra: Partial<RuleFinding> = {}): RuleFinding {
  return { message, location: diffLocation(file, line), evidence: line.text, ...extra };
}

/** Lines of a hunk in new-side order (context and added lines only). */
export function newSideLines(hunk: Hunk): DiffLine[] {
  return hunk.lines.filter((l) => l.kind !== 'del');
}

/** Remove string/char literals and comments from a C line (rough, single line). */
export function stripCCommentsAndStrings(text: string): string {
  return text
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/\/\*.*?\*\//g, ' ')
    .replace(/\/\*.*$/, ' ')
    .replace(/\/\/.*$/, ' ')
    .replace(/^\s*\*.*$/, ' ');
}

/** The series (of the change set) holding this patch, as a patch or as its cover letter. */
export function seriesOf(patch: Patch, changeset: { patches: Patch[]; series: import('../../model/changeset.js').Series[] }) {
  let index = changeset.patches.indexOf(patch);
  if (index < 0) index = changeset.patches.findIndex((p) => p.id === patch.id);
  if (index < 0) return undefined;
  return changeset.series.find((s) => s.cover === index || s.patches.includes(index));
}
