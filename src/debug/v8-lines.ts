/**
 * V8 block coverage → executed source lines, through a source map when the code that ran is not
 * the file on disk (TypeScript through tsx / ts-node, babel-jest, vitest's module runner).
 *
 * V8 reports UTF-16 offsets into the source it EXECUTED. Three cases:
 *  - plain JavaScript loaded by Node: the executed source is the file (offsets map to its lines);
 *  - a loader transformed it: the executed text carries an inline source map
 *    (`//# sourceMappingURL=data:application/json;base64,…`), or Node's own `source-map-cache`
 *    (written with NODE_V8_COVERAGE) holds the map and the executed line lengths;
 *  - a `.map` file next to a built file (`//# sourceMappingURL=x.js.map`).
 * A mapped script yields lines of its ORIGINAL sources (every source the map names, inside the
 * project), so a bug in `src/x.ts` is ranked in `src/x.ts`, not in the transpiled text.
 * Decoding uses @jridgewell/trace-mapping (the decoder vitest and v8-to-istanbul use).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { isTestFile } from './project-files.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { eachMapping, TraceMap, type SourceMapInput } from '@jridgewell/trace-mapping';

export interface V8Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
export interface V8Function {
  functionName?: string;
  ranges: V8Range[];
  isBlockCoverage?: boolean;
}

/**
 * Per-offset execution counts: ranges nest, and the innermost (latest, after sorting by start
 * then by decreasing length) wins. -1 = outside every range.
 */
export function offsetCounts(length: number, functions: readonly V8Function[]): Int32Array {
  const counts = new Int32Array(length).fill(-1);
  const ranges: V8Range[] = [];
  for (const f of functions) for (const r of f.ranges) ranges.push(r);
  ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  for (const r of ranges) counts.fill(r.count, Math.max(0, r.startOffset), Math.min(length, r.endOffset));
  return counts;
}

/**
 * Executed lines (1-based) of a script, from its V8 block ranges: a line counts as executed when
 * one of its non-blank characters has a count above 0.
 */
export function v8ToLines(source: string, functions: readonly V8Function[]): number[] {
  const len = source.length;
  const counts = offsetCounts(len, functions);
  const lines: number[] = [];
  let line = 1;
  let hit = false;
  for (let i = 0; i <= len; i++) {
    const ch = i < len ? source.charCodeAt(i) : 10;
    if (ch === 10) {
      if (hit) lines.push(line);
      line++;
      hit = false;
      continue;
    }
    if (!hit && ch !== 32 && ch !== 9 && ch !== 13 && counts[i]! > 0) hit = true;
  }
  return lines;
}

const INLINE_MAP = /\/[/*][#@]\s*sourceMappingURL=data:application\/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)\s*(?:\*\/)?\s*$/;
const MAP_URL = /\/[/*][#@]\s*sourceMappingURL=([^\s'"*]+)\s*(?:\*\/)?\s*$/;

/**
 * The source map of an executed text: the LAST sourceMappingURL comment (a loader appends its
 * own after the file's), inline or a file beside `scriptPath`. undefined when there is none or
 * it cannot be read.
 */
export function sourceMapOf(source: string, scriptPath?: string): SourceMapInput | undefined {
  // Only the last few lines can hold the comment; scanning the whole text would be slow.
  const tail = source.slice(Math.max(0, source.length - 200_000)).trimEnd();
  const lastLine = tail.slice(tail.lastIndexOf('\n') + 1);
  const candidates = [lastLine, ...tail.split('\n').slice(-4, -1).reverse()];
  for (const line of candidates) {
    const inline = INLINE_MAP.exec(line);
    if (inline) {
      try {
        return JSON.parse(Buffer.from(inline[1]!, 'base64').toString('utf8')) as SourceMapInput;
      } catch {
        return undefined;
      }
    }
    const url = MAP_URL.exec(line);
    if (url && scriptPath && !url[1]!.startsWith('data:')) {
      try {
        const file = url[1]!.startsWith('file://') ? fileURLToPath(url[1]!) : resolve(dirname(scriptPath), decodeURIComponent(url[1]!));
        return JSON.parse(readFileSync(file, 'utf8')) as SourceMapInput;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Start offset of every line, from the text or from Node's `lineLengths`. */
function lineStartsOf(source: string | undefined, lineLengths: readonly number[] | undefined): number[] {
  const starts = [0];
  if (lineLengths) {
    for (const len of lineLengths) starts.push(starts[starts.length - 1]! + len + 1);
    return starts;
  }
  const s = source ?? '';
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** An absolute path for a source named by a map (file URL, absolute, or relative to the map). */
function sourcePath(source: string | null): string | undefined {
  if (!source) return undefined;
  if (source.startsWith('file://')) {
    try {
      return fileURLToPath(source);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(source) ? source : undefined;
}

/**
 * A script prepared for repeated line extraction (one per executed text; reused across the
 * chunks of per-test coverage, where only the counts change).
 */
export interface PreparedScript {
  /** Absolute path of the script as V8 named it. */
  path: string;
  length: number;
  /** Without a map: the text, lines computed from the characters. */
  source?: string;
  /** With a map: generated offset → original (absolute path, line), one entry per segment. */
  segments?: { offset: number; file: string; line: number }[];
}

export interface ScriptText {
  /** Absolute path (or file URL) of the script. */
  path: string;
  /** The executed text, when known. */
  source?: string;
  /** Node's source-map-cache: the executed text's line lengths and the map. */
  lineLengths?: readonly number[];
  map?: SourceMapInput;
}

export function prepareScript(s: ScriptText): PreparedScript | undefined {
  const path = s.path.startsWith('file://') ? sourcePath(s.path) : s.path.replace(/[?#].*$/, '');
  if (!path) return undefined;
  const map = s.map ?? (s.source !== undefined ? sourceMapOf(s.source, path) : undefined);
  if (!map) {
    if (s.source === undefined) return undefined;
    return { path, length: s.source.length, source: s.source };
  }
  let traced: TraceMap;
  try {
    traced = new TraceMap(map, pathToFileURL(path).href);
  } catch {
    return s.source !== undefined ? { path, length: s.source.length, source: s.source } : undefined;
  }
  const starts = lineStartsOf(s.source, s.lineLengths);
  const length = s.source?.length ?? starts[starts.length - 1]!;
  const segments: { offset: number; file: string; line: number }[] = [];
  const files = new Map<string, string | undefined>();
  eachMapping(traced, (m) => {
    if (m.source === null || m.originalLine === null) return;
    let file = files.get(m.source);
    if (!files.has(m.source)) files.set(m.source, (file = sourcePath(m.source)));
    if (!file) return;
    const start = starts[m.generatedLine - 1];
    if (start === undefined) return;
    segments.push({ offset: start + m.generatedColumn, file, line: m.originalLine });
  });
  return { path, length, segments };
}

/** Executed lines per absolute source path, for one set of V8 ranges over a prepared script. */
export function executedLines(script: PreparedScript, functions: readonly V8Function[]): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  if (script.segments) {
    const counts = offsetCounts(script.length, functions);
    for (const seg of script.segments) {
      if (seg.offset >= script.length || counts[seg.offset]! <= 0) continue;
      let set = out.get(seg.file);
      if (!set) out.set(seg.file, (set = new Set()));
      set.add(seg.line);
    }
    return out;
  }
  if (script.source !== undefined) out.set(script.path, new Set(v8ToLines(script.source, functions)));
  return out;
}

/** Whether a project-relative path is a test file or a dependency (never part of the matrix). */
export function isJsTestPath(rel: string): boolean {
  return isTestFile(rel) || rel.split('/').includes('node_modules');
}

/**
 * Project-relative source path for an absolute one, or undefined when it is outside the project,
 * a dependency, a test file or not JavaScript/TypeScript. `real` caches realpath lookups.
 */
export function projectSource(abs: string, root: string, real: Map<string, string | null>): string | undefined {
  let r = real.get(abs);
  if (r === undefined) {
    try {
      r = realpathSync(abs);
    } catch {
      r = null;
    }
    real.set(abs, r);
  }
  if (r === null || !r.startsWith(root + sep)) return undefined;
  const rel = relative(root, r).split(sep).join('/');
  if (isJsTestPath(rel) || !/\.[cm]?[jt]sx?$/.test(rel)) return undefined;
  return rel;
}

/** Add a script's executed lines (mapped to original sources) to `out`, project files only. */
export function addExecuted(
  out: Map<string, Set<number>>,
  script: PreparedScript,
  functions: readonly V8Function[],
  root: string,
  real: Map<string, string | null>,
): void {
  for (const [abs, lines] of executedLines(script, functions)) {
    const rel = projectSource(abs, root, real);
    if (!rel) continue;
    let set = out.get(rel);
    if (!set) out.set(rel, (set = new Set()));
    for (const l of lines) set.add(l);
  }
}

