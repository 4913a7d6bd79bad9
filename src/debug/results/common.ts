import type { TestCase } from '../types.js';
import { stripAnsi } from '../process.js';

/** Failure messages are trimmed to this many characters (head and tail kept). */
export const MESSAGE_LIMIT = 3000;

export function trimMessage(text: string | undefined, limit = MESSAGE_LIMIT): string | undefined {
  if (text === undefined) return undefined;
  const t = stripAnsi(text).replace(/\r\n/g, '\n').trim();
  if (!t) return undefined;
  if (t.length <= limit) return t;
  const half = Math.floor(limit / 2);
  return `${t.slice(0, half)}\n… [${t.length - limit} characters omitted] …\n${t.slice(-half)}`;
}

export function countStatuses(tests: TestCase[]): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const t of tests) {
    if (t.status === 'passed') passed++;
    else if (t.status === 'failed') failed++;
  }
  return { passed, failed };
}

/** Separator between the parts of a JavaScript test id: `file > suite > name`. */
export const ID_SEP = ' > ';

export function jsTestId(file: string | undefined, titles: string[]): string {
  return [...(file ? [file] : []), ...titles].join(ID_SEP);
}

/** Split a JS id back into file (when the first part looks like a path) and titles. */
export function splitJsTestId(id: string): { file?: string; titles: string[] } {
  const parts = id.split(ID_SEP);
  const first = parts[0] ?? '';
  if (parts.length > 1 && /\.[cm]?[jt]sx?$/.test(first)) return { file: first, titles: parts.slice(1) };
  return { titles: parts };
}

/** Deduplicate ids (parametrized tests reported twice, retries): the last result wins, order kept. */
export function dedupeTests(tests: TestCase[]): TestCase[] {
  const byId = new Map<string, TestCase>();
  for (const t of tests) {
    if (byId.has(t.id)) byId.delete(t.id);
    byId.set(t.id, t);
  }
  return [...byId.values()];
}

export function toPosix(p: string): string {
  return p.replace(/\\/g, '/');
}
