import type { DiffLine, FilePatch, Hunk } from '../model/changeset.js';

export interface ParseProblem {
  line?: number;
  message: string;
}

export interface ParsedDiff {
  files: FilePatch[];
  problems: ParseProblem[];
}

/*
 * Our own unified-diff parser rather than a library: it has to keep every line's position in the
 * patch text (for `#N:` findings), survive damaged input (a corrupt hunk is a finding, not an
 * exception) and run at well over 100k lines/s, so the hot loop dispatches on charCodeAt and only
 * header lines, which are rare, meet a regular expression.
 */

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;
const SPACE = 0x20;
const PLUS = 0x2b;
const MINUS = 0x2d;
const BACKSLASH = 0x5c;

interface FileState {
  file: FilePatch;
  added: boolean;
  deleted: boolean;
  /** Inside git's extended header (before the first hunk), where ---/+++ name this file. */
  inGitHeader: boolean;
}

/** Undo git's C-style quoting of a path (`"a/t\303\251st"`). */
function unquoteCPath(quoted: string): string {
  const bytes: number[] = [];
  for (let i = 1; i < quoted.length - 1; i++) {
    const c = quoted.charCodeAt(i);
    if (c !== BACKSLASH) {
      for (const byte of Buffer.from(quoted[i]!, 'utf8')) bytes.push(byte);
      continue;
    }
    const next = quoted[++i] ?? '';
    if (next >= '0' && next <= '7') {
      bytes.push(parseInt(quoted.slice(i, i + 3), 8));
      i += 2;
    } else {
      const escapes: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, '\\': 92 };
      bytes.push(escapes[next] ?? next.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Reads one path token from a `diff --git` line: quoted, or up to the end. */
function readQuoted(text: string, from: number): { path: string; end: number } | undefined {
  let i = from + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === 0x22) return { path: unquoteCPath(text.slice(from, i + 1)), end: i + 1 };
    else i++;
  }
  return undefined;
}

function stripPrefix(path: string, prefix: 'a/' | 'b/'): string {
  return path.startsWith(prefix) ? path.slice(2) : path;
}

/** The two paths of `diff --git a/X b/Y`, resolving the ambiguity of unquoted names with spaces. */
function parseGitPaths(rest: string): { oldPath: string; newPath: string } | undefined {
  if (rest.startsWith('"')) {
    const first = readQuoted(rest, 0);
    if (!first) return undefined;
    const second = rest.slice(first.end).trimStart();
    const newRaw = second.startsWith('"') ? readQuoted(second, 0)?.path : second;
    if (newRaw === undefined) return undefined;
    return { oldPath: stripPrefix(first.path, 'a/'), newPath: stripPrefix(newRaw, 'b/') };
  }
  const quotedSecond = rest.indexOf(' "');
  if (quotedSecond > 0) {
    const second = readQuoted(rest, quotedSecond + 1);
    if (second) return { oldPath: stripPrefix(rest.slice(0, quotedSecond), 'a/'), newPath: stripPrefix(second.path, 'b/') };
  }
  // Same name on both sides is the common case and the only one git leaves unambiguous.
  if ((rest.length - 1) % 2 === 0) {
    const half = (rest.length - 1) / 2;
    const left = rest.slice(0, half);
    const right = rest.slice(half + 1);
    if (rest.charCodeAt(half) === SPACE && stripPrefix(left, 'a/') === stripPrefix(right, 'b/')) {
      return { oldPath: stripPrefix(left, 'a/'), newPath: stripPrefix(right, 'b/') };
    }
  }
  const split = rest.indexOf(' b/');
  if (split > 0) return { oldPath: stripPrefix(rest.slice(0, split), 'a/'), newPath: rest.slice(split + 3) };
  const space = rest.indexOf(' ');
  if (space > 0) return { oldPath: rest.slice(0, space), newPath: rest.slice(space + 1) };
  return undefined;
}

/** The path of a `--- ` / `+++ ` line: timestamp dropped, /dev/null → null. */
function parseMarkerPath(text: string, prefix: 'a/' | 'b/'): string | null {
  let path = text.startsWith('"') ? (readQuoted(text, 0)?.path ?? text) : text;
  const tab = path.indexOf('\t');
  if (tab >= 0 && !text.startsWith('"')) path = path.slice(0, tab);
  path = path.trimEnd();
  if (path === '/dev/null') return null;
  return stripPrefix(path, prefix);
}

function isHunkBodyLine(line: string | undefined): boolean {
  if (line === undefined || line.length === 0) return false;
  const c = line.charCodeAt(0);
  if (c === SPACE) return true;
  if (c !== PLUS && c !== MINUS) return false;
  return !(line === '-- ' || line.startsWith('--- ') || line.startsWith('+++ '));
}

function startsNewSection(line: string, next: string | undefined): boolean {
  return (
    line.startsWith('@@ ') ||
    line.startsWith('diff ') ||
    line === '-- ' ||
    line === '--' ||
    (line.startsWith('--- ') && next !== undefined && next.startsWith('+++ '))
  );
}

/**
 * Parses a unified diff (git or plain). Lines of `text` are numbered from `startLine` (default 1)
 * so a diff cut out of an email keeps the email body's numbering. Never throws: damage is
 * reported in `problems` and on the hunk (`corrupt`).
 */
export function parseDiff(text: string, opts: { startLine?: number } = {}): ParsedDiff {
  const base = opts.startLine ?? 1;
  const length = text.length;

  const files: FilePatch[] = [];
  const problems: ParseProblem[] = [];
  let state: FileState | undefined;
  let hunk: Hunk | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let oldLine = 0;
  let newLine = 0;
  let lastLine: DiffLine | undefined;
  /** The hunk that completed on the previous line, to catch lines beyond its counts. */
  let justCompleted: Hunk | undefined;
  /** A `diff -u`/`Index:` line that names the next plain file. */
  let pendingHeader: number | undefined;

  // The text is walked by offsets rather than split: a hunk line then costs one string (its
  // content), and whole-line strings are only made for the rare header and junk lines.
  let pos = 0;
  let index = -1;
  let lineEnd = 0;
  let nextPos = 0;

  /** The line after the current one, without its terminator (undefined at the end). */
  const peek = (): string | undefined => {
    if (nextPos >= length) return undefined;
    let end = text.indexOf('\n', nextPos);
    if (end < 0) end = length;
    if (end > nextPos && text.charCodeAt(end - 1) === 13) end--;
    return text.slice(nextPos, end);
  };

  const finishFile = (): void => {
    if (!state) return;
    const { file } = state;
    if (file.status === 'modified') {
      if (state.added) file.status = 'added';
      else if (state.deleted) file.status = 'deleted';
    }
    if (file.status === 'added') file.oldPath = null;
    if (file.status === 'deleted') file.newPath = null;
    files.push(file);
    state = undefined;
  };

  const markCorrupt = (target: Hunk, message: string, line: number): void => {
    if (target.corrupt === undefined) {
      target.corrupt = message;
      problems.push({ line, message });
    }
  };

  const describe = (target: Hunk): string =>
    `hunk @@ -${target.oldStart},${target.oldLines} +${target.newStart},${target.newLines} @@ (line ${target.patchLine})`;

  const pushLine = (kind: DiffLine['kind'], body: string, crlf: boolean, at: number): void => {
    let diffLine: DiffLine;
    if (kind === 'ctx') {
      diffLine = { kind, text: body, crlf, oldLine, newLine, patchLine: at, noNewlineAtEnd: false };
      oldLine++;
      newLine++;
    } else if (kind === 'add') {
      diffLine = { kind, text: body, crlf, newLine, patchLine: at, noNewlineAtEnd: false };
      newLine++;
    } else {
      diffLine = { kind, text: body, crlf, oldLine, patchLine: at, noNewlineAtEnd: false };
      oldLine++;
    }
    // A corrupt header can put a count at 0; the model only allows positive line numbers.
    if (diffLine.oldLine === 0) delete diffLine.oldLine;
    if (diffLine.newLine === 0) delete diffLine.newLine;
    hunk!.lines.push(diffLine);
    lastLine = diffLine;
  };

  while (nextPos < length) {
    pos = nextPos;
    index++;
    let newline = text.indexOf('\n', pos);
    if (newline < 0) newline = length;
    nextPos = newline + 1;
    let crlf = false;
    lineEnd = newline;
    if (newline > pos && text.charCodeAt(newline - 1) === 13) {
      crlf = true;
      lineEnd--;
    }
    const at = base + index;
    const c = pos < lineEnd ? text.charCodeAt(pos) : NaN;

    if (hunk) {
      if (c === BACKSLASH) {
        if (lastLine) lastLine.noNewlineAtEnd = true;
        continue;
      }
      if (c === SPACE ? oldLeft > 0 && newLeft > 0 : c === PLUS ? newLeft > 0 : c === MINUS && oldLeft > 0 && !(lineEnd - pos === 3 && text.startsWith('-- ', pos))) {
        // The hot path: a body line that fits the header's counts.
        pushLine(c === SPACE ? 'ctx' : c === PLUS ? 'add' : 'del', text.slice(pos + 1, lineEnd), crlf, at);
        if (c !== PLUS) oldLeft--;
        if (c !== MINUS) newLeft--;
        if (oldLeft === 0 && newLeft === 0) {
          justCompleted = hunk;
          hunk = undefined;
        }
        continue;
      }
      const line = text.slice(pos, lineEnd);
      const next = peek();
      let kind: DiffLine['kind'] | undefined;
      if (c === SPACE || line.length === 0) kind = 'ctx';
      else if (c === PLUS) kind = 'add';
      // `-- ` is the format-patch signature unless more diff lines follow (a deleted `- ` line).
      else if (c === MINUS && (line !== '-- ' || (oldLeft > 0 && isHunkBodyLine(next)))) kind = 'del';

      const fits = (kind === 'ctx' && oldLeft > 0 && newLeft > 0) || (kind === 'add' && newLeft > 0) || (kind === 'del' && oldLeft > 0);
      // An empty line is a context line whose space a mailer stripped, but only where one fits.
      if (kind !== undefined && (fits || (line.length > 0 && !startsNewSection(line, next) && line !== '-- '))) {
        if (!fits) markCorrupt(hunk, `${describe(hunk)} has more lines than its header says`, at);
        pushLine(kind, line.length === 0 ? '' : line.slice(1), crlf, at);
        if (kind !== 'add' && oldLeft > 0) oldLeft--;
        if (kind !== 'del' && newLeft > 0) newLeft--;
        if (oldLeft === 0 && newLeft === 0) {
          justCompleted = hunk;
          hunk = undefined;
        }
        continue;
      }
      if (!startsNewSection(line, next) && isHunkBodyLine(next)) {
        // A line that is not a diff line, with diff lines after it: a wrapped long line.
        markCorrupt(hunk, `${describe(hunk)}: line ${at} is not a diff line (wrapped by the mailer?)`, at);
        continue;
      }
      markCorrupt(
        hunk,
        `${describe(hunk)} ends early: ${hunk.oldLines - oldLeft} of ${hunk.oldLines} old and ${hunk.newLines - newLeft} of ${hunk.newLines} new lines`,
        at,
      );
      hunk = undefined;
      // Fall through: this line is read as a header or trailing text.
    }

    const line = text.slice(pos, lineEnd);
    if (justCompleted) {
      const completed = justCompleted;
      justCompleted = undefined;
      if (c === BACKSLASH) {
        if (lastLine) lastLine.noNewlineAtEnd = true;
        justCompleted = completed;
        continue;
      }
      if (isHunkBodyLine(line) && !startsNewSection(line, peek())) {
        // Lines beyond the header's counts: keep them in the hunk so the rules still see them.
        markCorrupt(completed, `${describe(completed)} has more lines than its header says`, at);
        hunk = completed;
        pushLine(c === SPACE ? 'ctx' : c === PLUS ? 'add' : 'del', line.slice(1), crlf, at);
        hunk = undefined;
        justCompleted = completed;
        continue;
      }
    }

    if (c === 0x64 /* d */ && line.startsWith('diff ')) {
      finishFile();
      pendingHeader = undefined;
      if (line.startsWith('diff --git ')) {
        const paths = parseGitPaths(line.slice(11));
        if (!paths) problems.push({ line: at, message: `cannot read the file names in '${line}'` });
        state = {
          file: { oldPath: paths?.oldPath ?? null, newPath: paths?.newPath ?? null, status: 'modified', binary: false, patchLine: at, hunks: [] },
          added: false,
          deleted: false,
          inGitHeader: true,
        };
      } else {
        pendingHeader = at;
      }
      continue;
    }
    if (c === 0x49 /* I */ && line.startsWith('Index: ')) {
      finishFile();
      pendingHeader = at;
      continue;
    }
    if (c === MINUS && line.startsWith('--- ')) {
      const plus = peek();
      if (plus !== undefined && plus.startsWith('+++ ')) {
        const oldPath = parseMarkerPath(line.slice(4), 'a/');
        const newPath = parseMarkerPath(plus.slice(4), 'b/');
        if (!(state && state.inGitHeader && state.file.hunks.length === 0)) {
          finishFile();
          state = {
            file: { oldPath, newPath, status: 'modified', binary: false, patchLine: pendingHeader ?? at, hunks: [] },
            added: false,
            deleted: false,
            inGitHeader: false,
          };
          pendingHeader = undefined;
        } else if (state.file.status === 'modified') {
          // git's ---/+++ lines are unambiguous even when the diff --git line was not.
          if (oldPath !== null) state.file.oldPath = oldPath;
          if (newPath !== null) state.file.newPath = newPath;
        }
        if (oldPath === null) state.added = true;
        if (newPath === null) state.deleted = true;
        state.inGitHeader = false;
        // The +++ line is consumed here.
        index++;
        const skip = text.indexOf('\n', nextPos);
        nextPos = skip < 0 ? length : skip + 1;
        continue;
      }
    }
    if (c === 0x40 /* @ */ && line.startsWith('@@')) {
      const match = HUNK_HEADER.exec(line);
      if (!match) {
        problems.push({ line: at, message: `malformed hunk header '${line.slice(0, 80)}'` });
        continue;
      }
      if (!state) {
        problems.push({ line: at, message: 'hunk without a file header (--- / +++ lines)' });
        continue;
      }
      state.inGitHeader = false;
      const oldStart = Number(match[1]);
      const newStart = Number(match[3]);
      hunk = {
        oldStart,
        oldLines: match[2] === undefined ? 1 : Number(match[2]),
        newStart,
        newLines: match[4] === undefined ? 1 : Number(match[4]),
        section: match[5]!.trim(),
        patchLine: at,
        lines: [],
      };
      state.file.hunks.push(hunk);
      oldLeft = hunk.oldLines;
      newLeft = hunk.newLines;
      oldLine = oldStart;
      newLine = newStart;
      justCompleted = undefined;
      if (oldLeft === 0 && newLeft === 0) {
        markCorrupt(hunk, `${describe(hunk)} is empty`, at);
        hunk = undefined;
      }
      continue;
    }
    if (state && state.inGitHeader) readExtendedHeader(state, line);
    if (state && line === 'GIT binary patch') {
      // Skip the base85 `literal`/`delta` blocks: lines of data, blank lines between blocks.
      for (;;) {
        const next = peek();
        if (next === undefined) break;
        const data = next.startsWith('literal ') || next.startsWith('delta ') || next === '' || (/^[A-Za-z]/.test(next) && !next.startsWith('diff '));
        if (!data) break;
        index++;
        const skip = text.indexOf('\n', nextPos);
        nextPos = skip < 0 ? length : skip + 1;
      }
    }
  }

  if (hunk) {
    markCorrupt(
      hunk,
      `${describe(hunk)} is truncated: ${hunk.oldLines - oldLeft} of ${hunk.oldLines} old and ${hunk.newLines - newLeft} of ${hunk.newLines} new lines`,
      base + Math.max(index, 0),
    );
  }
  finishFile();
  return { files, problems };
}

function readExtendedHeader(state: FileState, line: string): void {
  const { file } = state;
  if (line.startsWith('old mode ')) file.oldMode = line.slice(9).trim();
  else if (line.startsWith('new mode ')) file.newMode = line.slice(9).trim();
  else if (line.startsWith('new file mode ')) {
    state.added = true;
    file.newMode = line.slice(14).trim();
  } else if (line.startsWith('deleted file mode ')) {
    state.deleted = true;
    file.oldMode = line.slice(18).trim();
  } else if (line.startsWith('rename from ') || line.startsWith('rename old ')) {
    file.status = 'renamed';
    file.oldPath = unquoteMaybe(line.slice(12));
  } else if (line.startsWith('rename to ') || line.startsWith('rename new ')) {
    file.status = 'renamed';
    file.newPath = unquoteMaybe(line.slice(line.startsWith('rename to ') ? 10 : 11));
  } else if (line.startsWith('copy from ')) {
    file.status = 'copied';
    file.oldPath = unquoteMaybe(line.slice(10));
  } else if (line.startsWith('copy to ')) {
    file.status = 'copied';
    file.newPath = unquoteMaybe(line.slice(8));
  } else if (line.startsWith('similarity index ')) {
    const value = parseInt(line.slice(17), 10);
    if (value >= 0 && value <= 100) file.similarity = value;
  } else if (line.startsWith('Binary files ') || line === 'GIT binary patch') {
    file.binary = true;
    if (line.startsWith('Binary files /dev/null ')) state.added = true;
    if (line.endsWith(' and /dev/null differ')) state.deleted = true;
  }
}

function unquoteMaybe(path: string): string {
  return path.startsWith('"') ? unquoteCPath(path) : path;
}
