/**
 * Read-only look-ups in the isolated copy of the project, for the model's tools
 * (agents/tools.ts wraps them as LangChain tools): search for a name or a string, show a function
 * or a range of lines, list the tests that executed a line (the localizer's coverage matrix).
 *
 * Every answer is plain text for a model, bounded in size (`maxChars`). Paths come from a model,
 * so they are treated as hostile: absolute paths, `..`, `.git`, and symlinks that lead out of the
 * copy are refused with a CodeToolError whose message goes back to the model. Nothing here writes.
 * Test files can be read (they are the specification) but every answer marks them read-only.
 */
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, sep } from 'node:path';
import { enclosingFunction, functionsIn, languageOf } from './ast.js';
import { isTestFile, NON_SOURCE_DIRS, projectFiles } from './project-files.js';
import type { CoverageMatrix, FunctionSpan } from './types.js';

/** A refusal or a miss, worded for the model (the tool returns it as its answer). */
export class CodeToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodeToolError';
  }
}

export interface CodeToolsOptions {
  /** Per-test line coverage (the localizer's matrix), for testsCovering. */
  coverage?: CoverageMatrix | null;
  /** Longest answer, in characters (about a quarter as many tokens). */
  maxChars?: number;
  /** Files searched at most (a huge repository is searched in part, and the answer says so). */
  maxFiles?: number;
}

export const DEFAULT_MAX_CHARS = 4000;
/** Lines one call may show (show_lines, show_function). */
export const MAX_SHOWN_LINES = 120;
/** Matching lines listed by one search. */
export const MAX_SEARCH_HITS = 30;
/** Files bigger than this are not read. */
const MAX_FILE_BYTES = 1_000_000;
const TEST_MARK = ' [test file: read-only specification, never edited]';

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Lines with their numbers in a gutter (`  12 | text`); the text after `| ` is exact. */
export function numberedLines(lines: readonly string[], first: number): string {
  const width = String(first + lines.length - 1).length;
  return lines.map((l, i) => `${String(first + i).padStart(width)} | ${l}`).join('\n');
}

/** `text` cut to `max` characters at a line break, with a note on what to do. */
export function bounded(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `\n[… answer cut at ${max} characters: narrow the query or the line range]`;
  let head = text.slice(0, Math.max(0, max - note.length));
  const nl = head.lastIndexOf('\n');
  if (nl > head.length / 2) head = head.slice(0, nl);
  return head + note;
}

/** Matches a function name as asked: `handle` finds `handle`, `app.handle`, `Router.handle`. */
function nameMatches(span: FunctionSpan, name: string): boolean {
  const wanted = name.trim().replace(/\(\)$/, '');
  if (span.name === wanted) return true;
  const last = span.name.slice(span.name.lastIndexOf('.') + 1);
  const wantedLast = wanted.slice(wanted.lastIndexOf('.') + 1);
  return last === wantedLast && (wanted === wantedLast || span.name.endsWith(wanted));
}

export class CodeTools {
  readonly root: string;
  private readonly realRoot: string;
  private readonly coverage: CoverageMatrix | null;
  private readonly maxChars: number;
  private readonly maxFiles: number;
  private fileList?: string[];
  private readonly spans = new Map<string, Promise<FunctionSpan[]>>();

  constructor(root: string, options: CodeToolsOptions = {}) {
    this.root = root;
    this.realRoot = realpathSync(root);
    this.coverage = options.coverage ?? null;
    this.maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    this.maxFiles = options.maxFiles ?? 3000;
  }

  /**
   * A path from the model as a file of the copy: relative, normalized, inside the copy after
   * following symlinks, not under .git. Throws CodeToolError otherwise.
   */
  resolve(path: string): { rel: string; abs: string } {
    const raw = String(path ?? '').trim().replace(/\\/g, '/').replace(/^\.\//, '');
    if (!raw || raw.includes('\0')) throw new CodeToolError('no path given');
    if (isAbsolute(raw) || /^[A-Za-z]:/.test(raw) || raw.startsWith('~')) {
      throw new CodeToolError(`${raw}: absolute paths are refused; use a path relative to the project root`);
    }
    const rel = posix.normalize(raw).replace(/\/+$/, '');
    if (rel === '..' || rel.startsWith('../')) throw new CodeToolError(`${raw}: outside the project: refused`);
    if (rel.split('/').includes('.git')) throw new CodeToolError(`${raw}: git internals are not project code: refused`);
    const abs = join(this.realRoot, rel);
    let real: string;
    try {
      lstatSync(abs);
      real = realpathSync(abs);
    } catch {
      throw new CodeToolError(`${rel}: no such file in the project`);
    }
    if (real !== this.realRoot && !real.startsWith(this.realRoot + sep)) {
      throw new CodeToolError(`${rel}: a link that leads outside the project: refused`);
    }
    return { rel, abs: real };
  }

  private readText(rel: string, abs: string): string {
    const st = statSync(abs);
    if (st.isDirectory()) {
      const inside = this.files()
        .filter((f) => f.startsWith(`${rel}/`))
        .slice(0, 40);
      throw new CodeToolError(`${rel} is a folder${inside.length ? `; files in it: ${inside.join(', ')}` : ''}`);
    }
    if (st.size > MAX_FILE_BYTES) throw new CodeToolError(`${rel}: too large to show (${st.size} bytes); use search_code`);
    const text = readFileSync(abs, 'utf8');
    if (text.slice(0, 8000).includes('\0')) throw new CodeToolError(`${rel}: a binary file`);
    return text;
  }

  /**
   * Project files (relative), dependencies and build output left out; links that lead out of the
   * copy are left out, and a link to another file of the copy is listed once, as that file.
   */
  files(): string[] {
    if (!this.fileList) {
      const seen = new Set<string>();
      const list: string[] = [];
      const all = projectFiles(this.realRoot, { limit: this.maxFiles }).filter((f) => !f.split('/').some((part) => NON_SOURCE_DIRS.has(part)));
      // Real files first, so that a link is the one dropped when both are listed.
      const isLink = (f: string) => {
        try {
          return lstatSync(join(this.realRoot, f)).isSymbolicLink();
        } catch {
          return true;
        }
      };
      for (const f of [...all.filter((f) => !isLink(f)), ...all.filter(isLink)]) {
        try {
          const real = realpathSync(join(this.realRoot, f));
          if (!real.startsWith(this.realRoot + sep) || seen.has(real)) continue;
          seen.add(real);
          list.push(f);
        } catch {
          // a broken link
        }
      }
      this.fileList = list.sort();
    }
    return this.fileList;
  }

  private functionsOf(rel: string, text: string): Promise<FunctionSpan[]> {
    let spans = this.spans.get(rel);
    if (!spans) {
      const lang = languageOf(rel);
      spans = lang ? functionsIn(rel, lang, text).catch(() => []) : Promise.resolve([]);
      this.spans.set(rel, spans);
    }
    return spans;
  }

  /**
   * Where a name or a string occurs: the functions of that name first (file, lines, signature),
   * then up to MAX_SEARCH_HITS matching lines (`file:line: text`). Case-sensitive, literal.
   * `path` limits the search to a file or a folder.
   */
  async search(query: string, path?: string | null): Promise<string> {
    const q = String(query ?? '');
    if (!q.trim()) throw new CodeToolError('empty query');
    if (q.length > 200) throw new CodeToolError('query longer than 200 characters');
    let files = this.files();
    if (path && path.trim() && path.trim() !== '.') {
      const { rel, abs } = this.resolve(path);
      files = statSync(abs).isDirectory() ? files.filter((f) => f.startsWith(`${rel}/`)) : [rel];
    }
    const identifier = /^[A-Za-z_$][\w$.]*$/.test(q.trim());
    const definitions: string[] = [];
    const hits: string[] = [];
    let more = 0;
    for (const rel of files) {
      let text: string;
      try {
        text = this.readText(rel, join(this.realRoot, rel));
      } catch {
        continue;
      }
      if (!text.includes(q)) continue;
      const mark = isTestFile(rel) ? TEST_MARK : '';
      if (identifier && languageOf(rel)) {
        for (const s of await this.functionsOf(rel, text)) {
          if (nameMatches(s, q.trim())) definitions.push(`${rel}:${s.startLine}-${s.endLine} ${s.name}: ${clip(s.signature, 160)}${mark}`);
        }
      }
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        if (!lines[i]!.includes(q)) continue;
        if (hits.length >= MAX_SEARCH_HITS) more++;
        else hits.push(`${rel}:${i + 1}: ${clip(lines[i]!.trim(), 160)}${mark}`);
      }
    }
    if (!definitions.length && !hits.length) return `no match for ${JSON.stringify(q)} in ${files.length} project files`;
    const parts: string[] = [];
    if (definitions.length) parts.push(`functions named ${q.trim()}:\n${definitions.join('\n')}`);
    parts.push(`lines containing ${JSON.stringify(q)}:\n${hits.join('\n')}${more ? `\n… and ${more} more (narrow with path)` : ''}`);
    return bounded(parts.join('\n\n'), this.maxChars);
  }

  /** The whole text of the functions named `name` (at most 3), numbered; `file` narrows the search. */
  async showFunction(name: string, file?: string | null): Promise<string> {
    const wanted = String(name ?? '').trim();
    if (!wanted) throw new CodeToolError('no function name given');
    const last = wanted.slice(wanted.lastIndexOf('.') + 1).replace(/\(\)$/, '');
    const files = file && file.trim() ? [this.resolve(file).rel] : this.files().filter((f) => languageOf(f) !== null);
    const found: string[] = [];
    for (const rel of files) {
      if (found.length >= 3) break;
      let text: string;
      try {
        text = this.readText(rel, join(this.realRoot, rel));
      } catch (error) {
        if (file) throw error;
        continue;
      }
      if (!text.includes(last)) continue;
      const lines = text.split('\n');
      for (const span of await this.functionsOf(rel, text)) {
        if (!nameMatches(span, wanted) || found.length >= 3) continue;
        const end = Math.min(span.endLine, span.startLine + MAX_SHOWN_LINES - 1);
        const cut = end < span.endLine ? `\n[… ${span.endLine - end} more lines: show_lines ${rel} ${end + 1}-${span.endLine}]` : '';
        found.push(`${rel}:${span.startLine}-${span.endLine} ${span.name}${isTestFile(rel) ? TEST_MARK : ''}\n${numberedLines(lines.slice(span.startLine - 1, end), span.startLine)}${cut}`);
      }
    }
    if (!found.length) {
      return `no function named ${wanted}${file ? ` in ${file}` : ''}; search_code finds other kinds of definitions and uses`;
    }
    return bounded(found.join('\n\n'), this.maxChars);
  }

  /** Lines `start`..`end` of a file (at most MAX_SHOWN_LINES), numbered, with the enclosing function named. */
  async showLines(file: string, start: number, end: number): Promise<string> {
    const { rel, abs } = this.resolve(file);
    const text = this.readText(rel, abs);
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    const from = Math.max(1, Math.floor(Number(start) || 1));
    if (from > lines.length) throw new CodeToolError(`${rel} has ${lines.length} lines; line ${from} does not exist`);
    const to = Math.min(lines.length, Math.max(from, Math.floor(Number(end) || from)), from + MAX_SHOWN_LINES - 1);
    const fn = enclosingFunction(await this.functionsOf(rel, text), from, rel);
    const head = `${rel}:${from}-${to} of ${lines.length}${fn ? ` (in ${fn.name}, lines ${fn.startLine}-${fn.endLine})` : ''}${isTestFile(rel) ? TEST_MARK : ''}`;
    return bounded(`${head}\n${numberedLines(lines.slice(from - 1, to), from)}`, this.maxChars);
  }

  /** The tests that executed a line (failing first), from the run's per-test coverage. */
  testsCovering(file: string, line: number): string {
    const { rel } = this.resolve(file);
    const n = Math.floor(Number(line));
    if (!this.coverage) return 'no per-test coverage was collected in this run (the runner gave none): use the stack trace and the code';
    const ids = this.coverage.lines.get(`${rel}:${n}`) ?? [];
    if (!ids.length) return `${rel}:${n} was not executed by any test (or is not an executable line)`;
    const tests = ids.map((i) => this.coverage!.tests[i]).filter((t): t is { id: string; failed: boolean } => !!t);
    const failing = tests.filter((t) => t.failed);
    const passing = tests.filter((t) => !t.failed);
    const list = (ts: typeof tests) => ts.slice(0, 20).map((t) => `- ${t.id}`).join('\n') + (ts.length > 20 ? `\n- … and ${ts.length - 20} more` : '');
    const out = [
      `${rel}:${n} was executed by ${failing.length} failing and ${passing.length} passing test${passing.length === 1 ? '' : 's'} (of ${this.coverage.tests.length}).`,
      ...(failing.length ? [`failing:\n${list(failing)}`] : []),
      ...(passing.length ? [`passing:\n${list(passing)}`] : []),
    ];
    return bounded(out.join('\n'), this.maxChars);
  }
}
