/**
 * Where to start when coverage says nothing: no coverage at all, or flat coverage (every executed
 * line scored alike — one failing test and no passing one, or a runner whose coverage is per run
 * rather than per test). Then the failure itself is the evidence: the frames of its stack trace
 * in the project's sources, and the functions the failing test mentions (the names on and above
 * the failing line of the test file, and in the assertion message).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { enclosingFunction, functionsIn, languageOf } from '../../src/debug/ast.js';
import { isTestFile } from '../../src/debug/project-files.js';
import type { FunctionSpan, RankedLine } from '../../src/debug/types.js';

export interface Frame {
  file: string;
  line: number;
}

/** True when the ranking cannot tell lines apart: at least two lines, all with the same score. */
export function isFlat(ranked: readonly RankedLine[]): boolean {
  if (ranked.length < 2) return false;
  const first = ranked[0]!.score;
  return ranked.every((r) => Math.abs(r.score - first) < 1e-9);
}

/**
 * `file:line` frames of stack traces in a failure's output, relative to dir, in order of
 * appearance: Python tracebacks, pytest's short form, Node/V8 frames. Files outside dir and in
 * node_modules are dropped; `tests` chooses the test files' frames (true) or the sources' (false).
 */
export function framesIn(text: string, dir: string, tests: boolean): Frame[] {
  const frames: Frame[] = [];
  const push = (file: string, line: number) => {
    let f = file.replace(/^file:\/\//, '');
    if (isAbsolute(f)) f = relative(dir, f);
    f = f.replace(/\\/g, '/').replace(/^\.\//, '');
    if (f.startsWith('..') || isTestFile(f) !== tests || f.includes('node_modules/') || !languageOf(f)) return;
    if (!existsSync(join(dir, f))) return;
    if (!frames.some((x) => x.file === f && x.line === line)) frames.push({ file: f, line });
  };
  const found: { at: number; file: string; line: number }[] = [];
  for (const m of text.matchAll(/File "([^"]+)", line (\d+)/g)) found.push({ at: m.index, file: m[1]!, line: Number(m[2]) });
  // pytest's short form: "src/calc.py:12: in add"
  for (const m of text.matchAll(/^([\w./-]+\.py):(\d+):/gm)) found.push({ at: m.index, file: m[1]!, line: Number(m[2]) });
  for (const m of text.matchAll(/\(?((?:file:\/\/)?[\w./@-]+\.[cm]?[jt]sx?):(\d+):\d+\)?/g)) found.push({ at: m.index, file: m[1]!, line: Number(m[2]) });
  for (const f of found.sort((a, b) => a.at - b.at)) push(f.file, f.line);
  return frames;
}

/** Words that are never the name of the function under test. */
const COMMON = new Set(
  (
    'and are assert async await break case catch class const continue def default delete describe does done else equal equals ' +
    'error except expect false finally for from function global import in instanceof is it lambda let new none not null ' +
    'object pass raise return self should static str super test than that the this throw throws true try typeof undefined ' +
    'var void while with yield deepEqual strictEqual deepStrictEqual toBe toEqual notEqual ok len list dict int float print ' +
    'AssertionError Error TypeError ValueError expected actual received Context anonymous Object Array String Number Promise ' +
    'require module exports console log JSON parse stringify length push map filter then beforeEach afterEach before after'
  ).split(/\s+/),
);

/**
 * Identifiers the failing test mentions, most relevant first: those on the failing line of each
 * test frame, then the lines above it up to the start of the test, then the failure messages.
 */
export async function namesMentioned(
  dir: string,
  testFrames: readonly Frame[],
  messages: readonly string[],
  testSpans: (file: string, text: string) => Promise<FunctionSpan[]>,
): Promise<string[]> {
  const names: string[] = [];
  const add = (text: string) => {
    for (const m of text.matchAll(/[A-Za-z_$][\w$]*/g)) {
      const w = m[0];
      if (w.length < 3 || COMMON.has(w) || /^test_?/i.test(w) || names.includes(w)) continue;
      names.push(w);
    }
  };
  for (const frame of testFrames.slice(0, 3)) {
    let text: string;
    try {
      text = readFileSync(join(dir, frame.file), 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    const fn = enclosingFunction(await testSpans(frame.file, text), frame.line, frame.file);
    const top = fn && frame.line - fn.startLine <= 40 ? fn.startLine : Math.max(1, frame.line - 8);
    // String literals are the test's data, not names.
    for (let l = frame.line; l >= top; l--) add((lines[l - 1] ?? '').replace(/(['"`])(?:\\.|(?!\1).)*\1/g, ' '));
  }
  for (const message of messages) add(message.slice(0, 2000));
  return names;
}

/** The project's functions with one of these names (the last part of `Class.method` / `app.handle`), in the names' order. */
export async function functionsNamed(dir: string, files: readonly string[], names: readonly string[], limit = 5): Promise<FunctionSpan[]> {
  if (!names.length) return [];
  const wanted = new Set(names);
  const found: FunctionSpan[] = [];
  for (const file of files) {
    const lang = languageOf(file);
    if (!lang) continue;
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch {
      continue;
    }
    if (!names.some((n) => text.includes(n))) continue;
    let spans: FunctionSpan[];
    try {
      spans = await functionsIn(file, lang, text);
    } catch {
      continue;
    }
    for (const s of spans) if (wanted.has(s.name.slice(s.name.lastIndexOf('.') + 1))) found.push(s);
  }
  const rank = (s: FunctionSpan) => names.indexOf(s.name.slice(s.name.lastIndexOf('.') + 1));
  return found.sort((a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.startLine - b.startLine).slice(0, limit);
}

export interface StartingPoints {
  /** Ranked lines, most suspicious first: stack frames, then the named functions' lines. */
  ranked: RankedLine[];
  /** Why each line is there (`file:line` → a sentence), for the suspects and the model. */
  reasons: Map<string, string>;
  /** One line per starting point, for the model's prompt. */
  summary: string[];
}

/**
 * Lines to start from, from the failure alone. Stack frames in the sources score 1.0 down to 0.7;
 * the lines of the functions the test names score 0.6 down to 0.35 (coverage-backed lines, when
 * there is coverage, before the others): all above a flat ranking, which the caller scales down.
 */
export async function startingPoints(
  dir: string,
  failureText: string,
  messages: readonly string[],
  sources: readonly string[],
  spansOf: (file: string) => Promise<FunctionSpan[]>,
  covered?: (file: string, line: number) => boolean,
): Promise<StartingPoints> {
  const ranked: RankedLine[] = [];
  const reasons = new Map<string, string>();
  const summary: string[] = [];
  const seen = new Set<string>();
  const add = (file: string, line: number, score: number, why: string) => {
    const key = `${file}:${line}`;
    if (seen.has(key)) return;
    seen.add(key);
    ranked.push({ file, line, score, failedCover: 0, passedCover: 0 });
    reasons.set(key, why);
  };
  framesIn(failureText, dir, false).forEach((f, i) => {
    add(f.file, f.line, Math.max(0.7, 1 - i * 0.05), 'a frame of the failure’s stack trace');
    summary.push(`- stack frame ${f.file}:${f.line}`);
  });
  const testFrames = framesIn(failureText, dir, true);
  const names = await namesMentioned(dir, testFrames, messages, async (file, text) => {
    const lang = languageOf(file);
    return lang ? functionsIn(file, lang, text).catch(() => []) : [];
  });
  const named = await functionsNamed(dir, sources, names);
  named.forEach((fn, i) => {
    const score = Math.max(0.35, 0.6 - i * 0.05);
    const why = `in ${fn.name}, which the failing test${testFrames[0] ? ` (${testFrames[0].file}:${testFrames[0].line})` : ''} names`;
    summary.push(`- ${fn.name} (${fn.file}:${fn.startLine}-${fn.endLine}), named by the failing test`);
    const body: number[] = [];
    for (let line = fn.startLine; line <= fn.endLine; line++) body.push(line);
    const withCoverage = covered ? body.filter((l) => covered(fn.file, l)) : [];
    for (const line of withCoverage.length ? withCoverage : body) add(fn.file, line, score, why);
  });
  // Every frame's enclosing function, for the grouping that follows (spans are cached by the caller).
  for (const file of new Set(ranked.map((r) => r.file))) await spansOf(file);
  if (testFrames.length && !summary.length) summary.push(`- the failing test at ${testFrames[0]!.file}:${testFrames[0]!.line} names no project function`);
  return { ranked, reasons, summary };
}
