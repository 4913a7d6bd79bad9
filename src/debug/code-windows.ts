/**
 * The exact code around suspect lines, as the agents show it to a model: the enclosing function
 * (up to 80 lines), else ±8 lines. Read from the isolated copy.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { enclosingFunction } from './ast.js';
import type { FunctionSpan } from './types.js';

/** Exact code around suspects: the enclosing function (up to 80 lines), else ±8 lines. */
export async function codeWindows(
  dir: string,
  places: { file: string; line: number }[],
  functions: FunctionSpan[],
  max = 5,
): Promise<{ file: string; startLine: number; code: string }[]> {
  const out: { file: string; startLine: number; code: string }[] = [];
  const texts = new Map<string, string[]>();
  for (const p of places) {
    if (out.length >= max) break;
    let lines = texts.get(p.file);
    if (!lines) {
      try {
        lines = (await readFile(join(dir, p.file), 'utf8')).split('\n');
      } catch {
        continue;
      }
      texts.set(p.file, lines);
    }
    const fn = enclosingFunction(functions, p.line, p.file);
    let start = fn ? fn.startLine : Math.max(1, p.line - 8);
    let end = fn ? Math.min(fn.endLine, fn.startLine + 79) : Math.min(lines.length, p.line + 8);
    if (p.line > end) {
      start = Math.max(1, p.line - 8);
      end = Math.min(lines.length, p.line + 8);
    }
    if (out.some((w) => w.file === p.file && w.startLine <= p.line && p.line < w.startLine + w.code.split('\n').length)) continue;
    out.push({ file: p.file, startLine: start, code: lines.slice(start - 1, end).join('\n') + '\n' });
  }
  return out;
}
