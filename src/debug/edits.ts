/**
 * SEARCH/REPLACE edits (the aider / Agentless format the LLM repairer answers in), their
 * application to a source text, and majority voting among passing patches.
 */
import { hasSyntaxError, languageOf, parseSource, walk } from './ast.js';
import type { Language } from './types.js';

export interface SearchReplaceEdit {
  /** Path relative to the project root. */
  file: string;
  search: string;
  replace: string;
}

export type ApplyResult = { ok: true; text: string; how: 'exact' | 'whitespace' } | { ok: false; reason: string };

function occurrences(haystack: string, needle: string): number[] {
  const at: number[] = [];
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
    at.push(i);
    if (at.length > 50) break;
  }
  return at;
}

const squash = (line: string) => line.trim().replace(/\s+/g, ' ');
const indentOf = (line: string) => /^[ \t]*/.exec(line)?.[0] ?? '';

/** Lines of a SEARCH/REPLACE body without the blank lines models put around it. */
function bodyLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  while (lines.length && !lines[0]!.trim()) lines.shift();
  while (lines.length && !lines[lines.length - 1]!.trim()) lines.pop();
  return lines;
}

const width = (ws: string) => [...ws].reduce((n, c) => n + (c === '\t' ? 4 : 1), 0);

/**
 * REPLACE lines re-indented to the file. A line equal to a SEARCH line (ignoring whitespace) takes
 * the indentation of the file line it matched; a new line keeps its indentation relative to the
 * last such anchor, or to REPLACE's least indented line before any (tabs counted as 4 columns,
 * written in the file's own style).
 */
function rebase(replace: string[], search: string[], matched: string[]): string[] {
  const tabs = matched.some((l) => l.startsWith('\t'));
  const make = (w: number) => (tabs ? '\t'.repeat(Math.floor(w / 4)) + ' '.repeat(w % 4) : ' '.repeat(w));
  const keys = search.map(squash);
  const minIndent = (ls: string[]) => Math.min(...ls.filter((l) => l.trim()).map((l) => width(indentOf(l))), Infinity);
  const first = search.findIndex((l) => l.trim());
  // Until a REPLACE line matches a SEARCH line, REPLACE is read in its own frame: its least
  // indented line sits where the SEARCH block's least indented line sits in the file (models
  // often drop the indentation of SEARCH but not of REPLACE, or the reverse).
  const replaceMin = minIndent(replace);
  let anchor = {
    model: Number.isFinite(replaceMin) ? replaceMin : 0,
    file: Math.max(0, width(indentOf(matched[first] ?? '')) - (width(indentOf(search[first] ?? '')) - minIndent(search))),
  };
  let pointer = 0;
  return replace.map((line) => {
    if (!line.trim()) return '';
    const key = squash(line);
    let j = keys.indexOf(key, pointer);
    if (j < 0) j = keys.indexOf(key);
    const own = indentOf(line);
    if (j >= 0) {
      pointer = j + 1;
      const fileIndent = indentOf(matched[j]!);
      anchor = { model: width(own), file: width(fileIndent) };
      return fileIndent + line.slice(own.length);
    }
    return make(Math.max(0, anchor.file + width(own) - anchor.model)) + line.slice(own.length);
  });
}

/**
 * Replace the one place `search` occurs in `source`. Exact match first; then a
 * whitespace-insensitive match (lines compared trimmed, inner runs of blanks folded) whose
 * REPLACE is re-indented to the file's indentation. The match must be unique: zero or several
 * matches are refused with a reason the repairer can show the model. Line endings are kept.
 */
export function applySearchReplace(source: string, search: string, replace: string): ApplyResult {
  if (!search.trim()) return { ok: false, reason: 'empty SEARCH block (nothing to anchor the edit to)' };
  if (search === replace) return { ok: false, reason: 'SEARCH and REPLACE are identical' };
  const eol = source.includes('\r\n') ? '\r\n' : '\n';
  const crlf = eol === '\r\n';
  const searchText = crlf ? search.replace(/\r?\n/g, '\r\n') : search.replace(/\r\n/g, '\n');
  const replaceText = crlf ? replace.replace(/\r?\n/g, '\r\n') : replace.replace(/\r\n/g, '\n');

  const exact = occurrences(source, searchText);
  if (exact.length > 1) return { ok: false, reason: `SEARCH block matches ${exact.length} places; include more surrounding lines so it matches exactly once` };
  if (exact.length === 1) {
    const at = exact[0]!;
    // A SEARCH that starts after the line's indentation (the model dropped it) is really a
    // whole-line edit: re-indent its REPLACE through the line-based path when that matches.
    const lineStart = source.lastIndexOf('\n', at - 1) + 1;
    const prefix = source.slice(lineStart, at);
    if (prefix && !prefix.trim()) {
      const byLines = replaceLines(source, eol, search, replace);
      if (byLines.ok) return { ...byLines, how: 'exact' };
    }
    return { ok: true, how: 'exact', text: source.slice(0, at) + replaceText + source.slice(at + searchText.length) };
  }
  return replaceLines(source, eol, search, replace);
}

/** The whitespace-insensitive, line-based match and replacement. */
function replaceLines(source: string, eol: string, search: string, replace: string): ApplyResult {
  const wanted = bodyLines(search);
  if (!wanted.length) return { ok: false, reason: 'empty SEARCH block' };
  const lines = source.split(eol);
  const key = wanted.map(squash);
  const matches: number[] = [];
  for (let i = 0; i + key.length <= lines.length; i++) {
    let hit = true;
    for (let j = 0; j < key.length; j++) {
      if (squash(lines[i + j]!) !== key[j]) {
        hit = false;
        break;
      }
    }
    if (hit) matches.push(i);
  }
  if (matches.length === 0) return { ok: false, reason: 'SEARCH block not found in the file (not even ignoring whitespace)' };
  if (matches.length > 1) return { ok: false, reason: `SEARCH block matches ${matches.length} places when whitespace is ignored; include more surrounding lines` };
  const start = matches[0]!;
  const replacement = rebase(bodyLines(replace), wanted, lines.slice(start, start + key.length));
  const text = [...lines.slice(0, start), ...replacement, ...lines.slice(start + key.length)].join(eol);
  return { ok: true, how: 'whitespace', text };
}

export type ApplyEditsResult =
  | { ok: true; files: Record<string, string> }
  | { ok: false; reason: string; edit: SearchReplaceEdit };

/**
 * Apply several edits in order. `sources` holds the current text of every file an edit names
 * (a missing file is an error); the result holds the new text of the files that changed.
 */
export function applyEdits(sources: Record<string, string>, edits: readonly SearchReplaceEdit[]): ApplyEditsResult {
  const files: Record<string, string> = {};
  for (const edit of edits) {
    const current = files[edit.file] ?? sources[edit.file];
    if (current === undefined) return { ok: false, reason: `${edit.file}: no such file`, edit };
    const result = applySearchReplace(current, edit.search, edit.replace);
    if (!result.ok) return { ok: false, reason: `${edit.file}: ${result.reason}`, edit };
    files[edit.file] = result.text;
  }
  return { ok: true, files };
}

/**
 * applyEdits, then refuse a result that does not parse (tree-sitter, for the languages it knows;
 * other files are not checked).
 */
export async function applyEditsChecked(sources: Record<string, string>, edits: readonly SearchReplaceEdit[]): Promise<ApplyEditsResult> {
  const result = applyEdits(sources, edits);
  if (!result.ok) return result;
  for (const [file, text] of Object.entries(result.files)) {
    const lang = languageOf(file);
    if (lang && (await hasSyntaxError(lang, text, file))) {
      const edit = edits.find((e) => e.file === file)!;
      return { ok: false, reason: `${file}: the edited file does not parse`, edit };
    }
  }
  return result;
}

/** Edits in the aider text format, for prompts (previous attempts) and reports. */
export function formatEdits(edits: readonly SearchReplaceEdit[]): string {
  return edits
    .map((e) => `${e.file}\n<<<<<<< SEARCH\n${e.search.replace(/\n$/, '')}\n=======\n${e.replace.replace(/\n$/, '')}\n>>>>>>> REPLACE`)
    .join('\n\n');
}

/** Blocks in the aider text format (`path`, `<<<<<<< SEARCH`, `=======`, `>>>>>>> REPLACE`). */
export function parseSearchReplaceBlocks(text: string): SearchReplaceEdit[] {
  const edits: SearchReplaceEdit[] = [];
  const re = /(?:^|\n)([^\n]*?)\s*\n(?:```[^\n]*\n)?<{5,9} SEARCH[^\n]*\n([\s\S]*?)\n?={5,9}\n([\s\S]*?)\n?>{5,9} REPLACE/g;
  for (const m of text.matchAll(re)) {
    const file = (m[1] ?? '').replace(/^[`#*\s]+|[`*:\s]+$/g, '');
    if (file) edits.push({ file, search: m[2] ?? '', replace: m[3] ?? '' });
  }
  return edits;
}

// Voting -----------------------------------------------------------------------------------------

const TOKEN = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`|[A-Za-z_$][\w$]*|\d[\w.]*|===|!==|\*\*=|\/\/=|>>>=|<<=|>>=|\?\?=|=>|==|!=|<=|>=|&&|\|\||\?\?|\+\+|--|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|\*\*|\/\/|<<|>>|->|:=|\S/g;

function stripComments(text: string, lang: Language | 'c' | undefined): string {
  // Strings are matched first so that a '#' or '//' inside a literal survives.
  if (lang === 'python') return text.replace(/("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|#[^\n]*/g, (m, s: string | undefined) => s ?? '');
  return text.replace(/("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`)|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, s: string | undefined) => s ?? '');
}

function normalizeQuotes(token: string): string {
  // 'a' and "a" are the same string in Python and JS.
  if (token.length >= 2 && token.startsWith("'") && token.endsWith("'") && !token.includes('"')) return `"${token.slice(1, -1)}"`;
  return token;
}

function isUnifiedDiff(text: string): boolean {
  return /^(diff --git |--- |@@ )/m.test(text) && /^@@ /m.test(text);
}

/**
 * A canonical form of a patch for majority voting: comments and whitespace dropped, tokens
 * joined by single spaces, quotes unified. For a unified diff only the removed and added lines
 * count (per file, context and line numbers ignored), so the same fix written with different
 * context or formatting gets the same key. Otherwise the text is taken as source code.
 */
export function normalizePatchForVote(text: string, lang?: Language | 'c'): string {
  const tokens = (s: string) => (stripComments(s, lang).match(TOKEN) ?? []).map(normalizeQuotes).join(' ');
  if (!isUnifiedDiff(text)) return tokens(text);
  const parts: string[] = [];
  let file = '';
  let removed: string[] = [];
  let added: string[] = [];
  const flush = () => {
    const r = tokens(removed.join('\n'));
    const a = tokens(added.join('\n'));
    if (r || a) parts.push(`${file}: - ${r} + ${a}`);
    removed = [];
    added = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('+++ ')) {
      flush();
      file = line.slice(4).replace(/^b\//, '').trim();
    } else if (line.startsWith('--- ') || line.startsWith('diff ') || line.startsWith('index ')) {
      flush();
    } else if (line.startsWith('@@') || line.startsWith(' ')) {
      flush();
    } else if (line.startsWith('-')) removed.push(line.slice(1));
    else if (line.startsWith('+')) added.push(line.slice(1));
  }
  flush();
  return parts.join('\n');
}

/**
 * Like normalizePatchForVote for a whole source file (e.g. a Candidate's newSource), re-printed
 * from its tree-sitter leaves without comments. Falls back to the token-level normalizer when the
 * text does not parse.
 */
export async function normalizeSourceForVote(text: string, lang: Language, path?: string): Promise<string> {
  const tree = await parseSource(lang, text, path);
  try {
    if (tree.rootNode.hasError) return normalizePatchForVote(text, lang);
    const out: string[] = [];
    walk(tree.rootNode, (n) => {
      if (n.type === 'comment') return false;
      if (n.childCount === 0 || n.type === 'string' || n.type === 'template_string') {
        out.push(normalizeQuotes(n.text));
        return false;
      }
      return true;
    });
    return out.join(' ');
  } finally {
    tree.delete();
  }
}

/** A patch, or a patch with a precomputed vote key (e.g. from normalizeSourceForVote). */
type Votable = string | { patch: string; voteKey?: string };
const patchOf = (p: Votable) => (typeof p === 'string' ? p : p.patch);
const keyOf = (p: Votable, lang?: Language | 'c') => (typeof p !== 'string' && p.voteKey !== undefined ? p.voteKey : normalizePatchForVote(patchOf(p), lang));

function changedLines(patch: string): number {
  if (!isUnifiedDiff(patch)) return patch.split('\n').length;
  return patch.split('\n').filter((l) => (l.startsWith('+') && !l.startsWith('+++')) || (l.startsWith('-') && !l.startsWith('---'))).length;
}

/**
 * Majority vote among passing patches (Agentless): group by normalized form (`voteKey` when the
 * caller computed one, else normalizePatchForVote), take the largest
 * group, and from it the smallest patch (fewest changed lines, then shortest text). Ties between
 * groups go to the group holding the smallest patch, then to the earliest. Undefined when empty.
 */
export function pickByVote<T extends Votable>(patches: readonly T[], lang?: Language | 'c'): T | undefined {
  const groups = new Map<string, { members: { item: T; index: number }[] }>();
  patches.forEach((item, index) => {
    const key = keyOf(item, lang);
    const group = groups.get(key) ?? { members: [] };
    group.members.push({ item, index });
    groups.set(key, group);
  });
  const size = (m: { item: T; index: number }) => [changedLines(patchOf(m.item)), patchOf(m.item).length, m.index] as const;
  const smaller = (a: readonly number[], b: readonly number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
    return false;
  };
  let best: { votes: number; pick: { item: T; index: number } } | undefined;
  for (const { members } of groups.values()) {
    const pick = members.reduce((a, b) => (smaller(size(b), size(a)) ? b : a));
    if (!best || members.length > best.votes || (members.length === best.votes && smaller(size(pick), size(best.pick)))) best = { votes: members.length, pick };
  }
  return best?.pick.item;
}
