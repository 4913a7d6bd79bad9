import type { FilePatch, Hunk, Patch } from './changeset.js';

/**
 * Turns a parsed Patch back into text: the body the way `git format-patch` writes it (message,
 * `---`, notes, diff) and, for whole files, the mbox headers. Used by `--fix OUT`, the email
 * reply (to quote lines) and the LLM reviewer (which is shown the patch as text). Keeps a map from
 * the model's places (message line, diff line) to body line indices so callers can anchor
 * comments.
 */
export interface RenderedBody {
  lines: string[];
  /** Body index of message line n (1-based, as in Location.message.line). */
  messageLine(n: number): number | undefined;
  /** Body index of a diff line by file path, side and line number. */
  diffLine(file: string, side: 'new' | 'old', line: number): number | undefined;
  /** Body index of each file's `diff --git` header. */
  fileHeader(file: string): number | undefined;
}

function fileHeaderLines(file: FilePatch): string[] {
  const a = file.oldPath ?? file.newPath ?? '';
  const b = file.newPath ?? file.oldPath ?? '';
  const out = [`diff --git a/${a} b/${b}`];
  if (file.status === 'added') out.push(`new file mode ${file.newMode ?? '100644'}`);
  else if (file.status === 'deleted') out.push(`deleted file mode ${file.oldMode ?? '100644'}`);
  else if (file.oldMode && file.newMode && file.oldMode !== file.newMode) {
    out.push(`old mode ${file.oldMode}`, `new mode ${file.newMode}`);
  }
  if (file.status === 'renamed' || file.status === 'copied') {
    const verb = file.status === 'renamed' ? 'rename' : 'copy';
    if (file.similarity !== undefined) out.push(`similarity index ${file.similarity}%`);
    out.push(`${verb} from ${a}`, `${verb} to ${b}`);
  }
  if (file.binary) {
    out.push(`Binary files ${file.oldPath ? `a/${a}` : '/dev/null'} and ${file.newPath ? `b/${b}` : '/dev/null'} differ`);
    return out;
  }
  if (file.hunks.length > 0) {
    out.push(file.oldPath ? `--- a/${a}` : '--- /dev/null', file.newPath ? `+++ b/${b}` : '+++ /dev/null');
  }
  return out;
}

function hunkHeader(hunk: Hunk): string {
  const range = (start: number, count: number) => (count === 1 ? `${start}` : `${start},${count}`);
  const section = hunk.section ? ` ${hunk.section}` : '';
  return `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@${section}`;
}

const PREFIX = { add: '+', del: '-', ctx: ' ' } as const;

export function renderPatchBody(patch: Patch): RenderedBody {
  const lines: string[] = [];
  const messageIndex = new Map<number, number>();
  const diffIndex = new Map<string, number>();
  const headerIndex = new Map<string, number>();

  const message = patch.message.replace(/\n+$/, '');
  if (message) {
    message.split('\n').forEach((text, i) => {
      messageIndex.set(i + 1, lines.length);
      lines.push(text);
    });
  }
  // A bare diff has no message, so no `---` separator either.
  if ((patch.files.length > 0 && message) || patch.notes.trim()) {
    lines.push('---');
    const notes = patch.notes.replace(/^\n+|\n+$/g, '');
    if (notes) lines.push(...notes.split('\n'), '');
  }
  for (const file of patch.files) {
    const path = file.newPath ?? file.oldPath ?? '';
    headerIndex.set(path, lines.length);
    lines.push(...fileHeaderLines(file));
    for (const hunk of file.hunks) {
      lines.push(hunkHeader(hunk));
      for (const line of hunk.lines) {
        if (line.newLine !== undefined) diffIndex.set(`${path}\0new\0${line.newLine}`, lines.length);
        if (line.oldLine !== undefined && line.kind === 'del') diffIndex.set(`${path}\0old\0${line.oldLine}`, lines.length);
        lines.push(PREFIX[line.kind] + line.text + (line.crlf ? '\r' : ''));
        if (line.noNewlineAtEnd) lines.push('\\ No newline at end of file');
      }
    }
  }
  return {
    lines,
    messageLine: (n) => messageIndex.get(n),
    diffLine: (file, side, line) => diffIndex.get(`${file}\0${side}\0${line}`),
    fileHeader: (file) => headerIndex.get(file),
  };
}

/** An RFC 5322 date for a stored date (the parser keeps ISO 8601 when the date parsed). */
export function rfc5322Date(date: string): string {
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? date : parsed.toUTCString().replace('GMT', '+0000');
}

/** A whole patch as an mbox message (`git format-patch` shape), for `--fix OUT`. */
export function renderPatchEmail(patch: Patch): string {
  if (patch.source.kind === 'diff') return renderPatchBody(patch).lines.join('\n') + '\n';
  const from = patch.from ?? patch.author;
  const head = [
    'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001',
    from ? `From: ${from.name ? `${from.name} <${from.email}>` : from.email}` : undefined,
    patch.headers['to'] ? `To: ${patch.headers['to']}` : undefined,
    patch.headers['cc'] ? `Cc: ${patch.headers['cc']}` : undefined,
    patch.date ? `Date: ${rfc5322Date(patch.date)}` : undefined,
    `Subject: ${patch.subject.raw}`,
    patch.messageId ? `Message-ID: <${patch.messageId}>` : undefined,
    patch.inReplyTo ? `In-Reply-To: <${patch.inReplyTo}>` : undefined,
    patch.references.length ? `References: ${patch.references.map((r) => `<${r}>`).join(' ')}` : undefined,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
  ].filter((line): line is string => line !== undefined);
  const body = renderPatchBody(patch).lines;
  // An in-body From keeps authorship when the sender is not the author (B4 Relay, forwarded patches).
  const author = patch.author;
  const inBody =
    author && from && author.email.toLowerCase() !== from.email.toLowerCase()
      ? [`From: ${author.name ? `${author.name} <${author.email}>` : author.email}`, '']
      : [];
  return [...head, '', ...inBody, ...body.map((l) => (l.startsWith('From ') ? `>${l}` : l)), ''].join('\n');
}
