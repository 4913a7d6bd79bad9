/**
 * Spectrum-based fault localization over a per-test coverage matrix (Ochiai).
 */
import type { CoverageMatrix, FunctionSpan, RankedLine } from './types.js';
import { enclosingFunction } from './ast.js';

export interface SbflOptions {
  /** Keep only the best N lines. */
  top?: number;
  /** Function spans per file, to fill `functionName`. */
  functions?: FunctionSpan[];
}

/** Split a matrix key `path/to/file.py:12` (paths may contain ':' on odd systems, so split at the last). */
export function splitLineKey(key: string): { file: string; line: number } {
  const i = key.lastIndexOf(':');
  return { file: key.slice(0, i), line: Number(key.slice(i + 1)) };
}

/** Ochiai: ef / sqrt(totalFailed * (ef + ep)). */
export function ochiai(ef: number, ep: number, totalFailed: number): number {
  const d = Math.sqrt(totalFailed * (ef + ep));
  return d === 0 ? 0 : ef / d;
}

/**
 * Rank the lines executed by at least one failing test by Ochiai suspiciousness. Ties: fewer
 * passing tests covering the line first, then file, then line number.
 */
export function rankBySbfl(matrix: CoverageMatrix, opts: SbflOptions = {}): RankedLine[] {
  const totalFailed = matrix.tests.filter((t) => t.failed).length;
  if (totalFailed === 0) return [];
  const ranked: RankedLine[] = [];
  for (const [key, idxs] of matrix.lines) {
    let ef = 0;
    let ep = 0;
    for (const i of new Set(idxs)) {
      const t = matrix.tests[i];
      if (!t) continue;
      if (t.failed) ef++;
      else ep++;
    }
    if (ef === 0) continue;
    const { file, line } = splitLineKey(key);
    const r: RankedLine = { file, line, score: ochiai(ef, ep, totalFailed), failedCover: ef, passedCover: ep };
    if (opts.functions) {
      const fn = enclosingFunction(opts.functions, line, file);
      if (fn) r.functionName = fn.name;
    }
    ranked.push(r);
  }
  ranked.sort(
    (a, b) =>
      b.score - a.score ||
      a.passedCover - b.passedCover ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line,
  );
  return opts.top !== undefined ? ranked.slice(0, Math.max(0, opts.top)) : ranked;
}
