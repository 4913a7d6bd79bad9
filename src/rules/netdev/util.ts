import type { DiffLine, Hunk, Patch, Subject } from '../../model/changeset.js';
import type { Config } from '../../config/schema.js';

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
