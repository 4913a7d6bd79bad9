import { isUtf8 } from 'node:buffer';
// mailparser (with iconv-lite) is loaded only for mail that needs it: plain single-part mail,
// most of what a review sees, is read directly and start-up stays short.
import type { AddressObject, ParsedMail } from 'mailparser';
import type { Patch, Person } from '../model/changeset.js';
import { parseDiff, type ParseProblem } from './diff.js';
import { parsePerson } from './person.js';
import { parseSubject } from './subject.js';
import { parseTrailers } from './trailers.js';

export interface PatchSource {
  input: string;
  index: number;
  kind?: Patch['source']['kind'];
  /**
   * Lines of the input before this message (an mbox's earlier messages and this message's
   * `From ` line), so that line numbers count from the start of the file as checkpatch's do.
   */
  lineOffset?: number;
}

export interface PatchParseOptions {
  knownTrees?: readonly string[];
  /** Always use mailparser, even for a plain text message (tests compare both paths). */
  mailparserOnly?: boolean;
}

/** `<id@host>`, ` id@host `, `<id@host> (comment)` → `id@host`. */
export function normaliseMessageId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bracketed = /<([^<>]+)>/.exec(value);
  const id = (bracketed ? bracketed[1]! : value).trim();
  return id.length > 0 && !/\s/.test(id) ? id : undefined;
}

function messageIds(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const ids: string[] = [];
  for (const match of text.matchAll(/<([^<>\s]+)>/g)) ids.push(match[1]!);
  if (ids.length === 0) {
    for (const token of text.split(/\s+/)) {
      const id = normaliseMessageId(token);
      if (id && id.includes('@')) ids.push(id);
    }
  }
  return ids;
}

/** RFC 2047 encoded words (`=?UTF-8?Q?caf=C3=A9?=`) in a raw header value. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?)/g, '$1')
    .replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (whole, charset: string, encoding: string, text: string) => {
      try {
        const bytes =
          encoding.toUpperCase() === 'B'
            ? Buffer.from(text, 'base64')
            : Buffer.from(
                text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
                'latin1',
              );
        return new TextDecoder(charset.replace(/\*.*$/, '')).decode(bytes);
      } catch {
        return whole;
      }
    });
}

function headerRecord(headerLines: readonly { key: string; line: string }[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of headerLines) {
    const colon = line.indexOf(':');
    const raw = colon >= 0 ? line.slice(colon + 1) : '';
    headers[key.toLowerCase()] = decodeEncodedWords(raw.replace(/\r?\n(?=[ \t])/g, '').trim());
  }
  return headers;
}

function firstAddress(address: AddressObject | AddressObject[] | undefined): Person | undefined {
  const object = Array.isArray(address) ? address[0] : address;
  const first = object?.value[0];
  if (!first?.address) return undefined;
  return { name: first.name ?? '', email: first.address };
}

const PATCH_ATTACHMENT_TYPES = new Set(['text/x-patch', 'text/x-diff', 'text/patch', 'text/diff', 'application/x-patch', 'application/x-diff']);

function isPatchAttachment(contentType: string, filename: string | undefined): boolean {
  if (PATCH_ATTACHMENT_TYPES.has(contentType.toLowerCase())) return true;
  return filename !== undefined && /\.(patch|diff)$/i.test(filename);
}

/** `---` followed by whitespace only: git's separator between message and notes. */
function isSeparator(line: string): boolean {
  if (!line.startsWith('---')) return false;
  for (let i = 3; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** Where git-am would see the diff begin (mailinfo's patchbreak, made stricter for `--- `). */
function isDiffStart(line: string, next: string | undefined): boolean {
  return (
    line.startsWith('diff -') ||
    line.startsWith('Index: ') ||
    (line.startsWith('--- ') && line.length > 4 && next !== undefined && next.startsWith('+++ '))
  );
}

function stripCr(line: string): string {
  return line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

export interface SplitBody {
  inBody: { from?: string; subject?: string; date?: string };
  message: string;
  messageStartLine: number;
  notes: string;
  notesStartLine?: number;
  /** 0-based index of the first diff line in `lines`, or -1. */
  diffStart: number;
  lines: string[];
}

/**
 * Splits a patch email body the way git-am does: in-body `From:`/`Subject:`/`Date:` lines at the
 * top, the commit message up to `---`, the notes up to the first diff, then the diff.
 */
export function splitPatchBody(body: string): SplitBody {
  const lines = body.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let i = 0;
  while (i < lines.length && stripCr(lines[i]!).trim() === '') i++;

  const inBody: SplitBody['inBody'] = {};
  for (;;) {
    const match = /^(From|Subject|Date):[ \t]*(.*)$/i.exec(stripCr(lines[i] ?? ''));
    if (!match) break;
    let value = match[2]!.trim();
    i++;
    while (i < lines.length && /^[ \t]+\S/.test(lines[i]!)) value += ` ${stripCr(lines[i++]!).trim()}`;
    const key = match[1]!.toLowerCase() as 'from' | 'subject' | 'date';
    inBody[key] = value;
  }
  while (i < lines.length && stripCr(lines[i]!).trim() === '') i++;
  const messageStart = i;

  let messageEnd = lines.length;
  let separator = -1;
  let diffStart = -1;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (isSeparator(line)) {
      messageEnd = i;
      separator = i;
      break;
    }
    if (isDiffStart(line, lines[i + 1])) {
      messageEnd = i;
      diffStart = i;
      break;
    }
    if (stripCr(line) === '-- ') {
      messageEnd = i;
      break;
    }
  }
  if (separator >= 0) {
    for (i = separator + 1; i < lines.length; i++) {
      if (isDiffStart(lines[i]!, lines[i + 1])) {
        diffStart = i;
        break;
      }
    }
  }

  const messageLines = trimBlankTail(lines.slice(messageStart, messageEnd).map(stripCr));
  const split: SplitBody = {
    inBody,
    message: messageLines.join('\n'),
    messageStartLine: messageStart + 1,
    notes: '',
    diffStart,
    lines,
  };
  if (separator >= 0) {
    const notesEnd = diffStart >= 0 ? diffStart : lines.length;
    split.notes = trimBlankTail(lines.slice(separator + 1, notesEnd).map(stripCr)).join('\n');
    split.notesStartLine = separator + 2;
  }
  return split;
}

function trimBlankTail(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  return lines.slice(0, end);
}

/** A `git format-patch` file attached whole: its own header block comes first. */
function stripAttachedHeaders(text: string): { body: string; subject?: string; from?: string; skipped: number } {
  if (!/^(From [^\n]*\n)?(From|Subject|Date|Message-I[Dd]): /.test(text)) return { body: text, skipped: 0 };
  const end = text.search(/\r?\n\r?\n/);
  if (end < 0) return { body: text, skipped: 0 };
  const head = text.slice(0, end);
  const subject = /^Subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head)?.[1]?.replace(/\r?\n[ \t]+/g, ' ');
  const from = /^From:[ \t]*(.*)/im.exec(head)?.[1];
  const skipped = head.split('\n').length + 1;
  const result: { body: string; subject?: string; from?: string; skipped: number } = { body: text.slice(end).replace(/^\r?\n\r?\n/, ''), skipped };
  if (subject !== undefined) result.subject = decodeEncodedWords(subject.trim());
  if (from !== undefined) result.from = decodeEncodedWords(from.trim());
  return result;
}

function hasPlainTextPart(raw: string): boolean {
  const headEnd = raw.search(/\r?\n\r?\n/);
  const head = headEnd < 0 ? raw : raw.slice(0, headEnd);
  // No Content-Type at all means text/plain (RFC 2045).
  if (!/^content-type:/im.test(head)) return true;
  return /content-type:\s*text\/plain/i.test(raw);
}

/** What parsePatchEmail needs from a message, whichever parser read it. */
interface MailView {
  headers: Record<string, string>;
  subject: string;
  from: Person | undefined;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  references: string | string[] | undefined;
  date: Date | undefined;
  text: string;
  /** Lines of the raw message before the first line of `text` (headers, MIME part headers). */
  bodyLine: number;
  html: boolean;
  attachments: { contentType: string; filename?: string | undefined; content: Buffer }[];
}

/** Byte offsets of the end of the header block and of the start of the body, or -1. */
function headerBounds(buf: Buffer): { headerEnd: number; bodyStart: number } {
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    const next = buf[i + 1];
    if (next === 0x0a) return { headerEnd: i, bodyStart: i + 2 };
    if (next === 0x0d && buf[i + 2] === 0x0a) return { headerEnd: i, bodyStart: i + 3 };
  }
  return { headerEnd: -1, bodyStart: -1 };
}

function countLines(buf: Buffer, end: number): number {
  let lines = 0;
  for (let i = buf.indexOf(0x0a); i >= 0 && i < end; i = buf.indexOf(0x0a, i + 1)) lines++;
  return lines;
}

/**
 * Line ends as the content has them. When every line ends in CRLF, the CRLF is the transport's
 * (or MIME's canonical form) and becomes LF, leaving a CR the content had before it; otherwise
 * the CRs are the content's own and stay (kernel/dos-line-endings reports them on diff lines).
 */
export function contentLineEnds(text: string): string {
  if (!text.includes('\r')) return text;
  const lines = text.split('\n');
  const last = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  for (let i = 0; i < last; i++) if (!lines[i]!.endsWith('\r')) return text;
  return text.replace(/\r\n/g, '\n');
}

/**
 * The body of a single-part message decoded from its raw bytes (7bit, 8bit, quoted-printable or
 * base64, in its charset), with the content's own CRs kept. mailparser's text has them removed,
 * which would hide a CRLF inside a hunk line; undefined when the body cannot be decoded here.
 */
function rawBodyText(raw: Buffer, headers: Record<string, string>): string | undefined {
  const type = headers['content-type'] ?? 'text/plain';
  if (!/^text\/plain\s*(;|$)/i.test(type) || /format\s*=\s*"?flowed/i.test(type)) return undefined;
  const { bodyStart } = headerBounds(raw);
  if (bodyStart < 0) return undefined;
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1] ?? 'utf-8';
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let bytes = raw.subarray(bodyStart);
  if (encoding === 'base64') bytes = Buffer.from(bytes.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  else if (encoding === 'quoted-printable') {
    // Hard line ends are the transport's; a CR the content had is written =0D.
    const text = contentLineEnds(bytes.toString('latin1')).replace(/[ \t]+$/gm, '').replace(/=\r?\n/g, '');
    const out: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const hex = text[i] === '=' ? /^[0-9A-Fa-f]{2}$/.exec(text.slice(i + 1, i + 3))?.[0] : undefined;
      if (hex) {
        out.push(parseInt(hex, 16));
        i += 2;
      } else out.push(text.charCodeAt(i) & 0xff);
    }
    bytes = Buffer.from(out);
  } else if (!['7bit', '8bit', 'binary'].includes(encoding)) return undefined;
  try {
    return contentLineEnds(new TextDecoder(charset, { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/** mailparser's text with the CRs of the raw body put back, when both have the same lines. */
function withContentCrs(text: string, raw: Buffer, headers: Record<string, string>): string {
  const decoded = rawBodyText(raw, headers);
  if (decoded === undefined || !decoded.includes('\r')) return text;
  const ours = decoded.replace(/\n$/, '').split('\n');
  const theirs = text.replace(/\n$/, '').split('\n');
  if (ours.length !== theirs.length) return text;
  const joined = theirs.map((line, i) => (ours[i]!.endsWith('\r') && !line.endsWith('\r') ? `${line}\r` : line)).join('\n');
  return text.endsWith('\n') ? `${joined}\n` : joined;
}

/**
 * Where the text of a message starts in its raw lines: after the headers, or, for a multipart
 * message, where the text part's first line is found. (Quoted-printable and base64 bodies have
 * no line-for-line match with the raw text; their numbering starts after the headers.)
 */
function textStartLine(raw: Buffer, text: string, headers: Record<string, string>): number {
  const { bodyStart } = headerBounds(raw);
  if (bodyStart < 0) return 0;
  const afterHeaders = countLines(raw, bodyStart);
  if (!/^multipart\//i.test(headers['content-type'] ?? '')) return afterHeaders;
  const lines = text.split('\n');
  const k = lines.findIndex((line) => line.trim() !== '');
  if (k < 0) return afterHeaders;
  const rawText = raw.toString('utf8', bodyStart);
  const at = rawText.indexOf(`\n${lines[k]!.replace(/\r$/, '')}`);
  if (at < 0) return afterHeaders;
  return afterHeaders + rawText.slice(0, at + 1).split('\n').length - 1 - k;
}

async function viewWithMailparser(raw: Buffer | string): Promise<MailView> {
  const { simpleParser } = await import('mailparser');
  const mail: ParsedMail = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  const headers = headerRecord(mail.headerLines);
  const rawText = typeof raw === 'string' ? raw : raw.toString('latin1');
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const text = withContentCrs(mail.text ?? '', buf, headers);
  return {
    headers,
    subject: mail.subject ?? headers.subject ?? '',
    from: firstAddress(mail.from),
    messageId: mail.messageId ?? headers['message-id'],
    inReplyTo: mail.inReplyTo ?? headers['in-reply-to'],
    references: mail.references ?? headers.references,
    date: mail.date,
    text,
    bodyLine: textStartLine(buf, text, headers),
    html: mail.html !== false && !hasPlainTextPart(rawText),
    attachments: mail.attachments,
  };
}

/**
 * Most patch mail is not MIME at all: one text/plain part in 7bit/8bit UTF-8 or ASCII. Those are
 * read directly (mailparser costs milliseconds a message, which the review benchmark feels);
 * anything else (encodings, multipart, other charsets, format=flowed) goes to mailparser.
 */
function viewPlainMessage(raw: Buffer | string): MailView | undefined {
  const buf = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const { headerEnd, bodyStart } = headerBounds(buf);
  if (headerEnd < 0 || !isUtf8(buf)) return undefined;
  const headerLines: { key: string; line: string }[] = [];
  for (const line of buf.toString('utf8', 0, headerEnd).split('\n')) {
    const last = headerLines[headerLines.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last.line += `\n${line.replace(/\r$/, '')}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headerLines.push({ key: line.slice(0, colon).trim().toLowerCase(), line: line.replace(/\r$/, '') });
  }
  const headers = headerRecord(headerLines);
  const type = headers['content-type'];
  if (type !== undefined) {
    const plain = /^text\/plain\s*(;|$)/i.test(type);
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
    if (!plain || /format\s*=\s*"?flowed/i.test(type) || (charset !== undefined && !['utf-8', 'utf8', 'us-ascii', 'ascii'].includes(charset))) return undefined;
  }
  const encoding = headers['content-transfer-encoding']?.toLowerCase();
  if (encoding !== undefined && !['7bit', '8bit', 'binary'].includes(encoding)) return undefined;
  const date = headers.date !== undefined ? new Date(headers.date.replace(/\s*\([^)]*\)\s*$/, '')) : undefined;
  const from = headers.from !== undefined ? parsePerson(headers.from) : undefined;
  return {
    headers,
    // A folded subject reads as one line with one space at each fold, as mailparser gives it.
    subject: decodeEncodedWords((headerLines.findLast((h) => h.key === 'subject')?.line.replace(/^[^:]*:/, '') ?? '').replace(/\r?\n[ \t]+/g, ' ').trim()),
    from,
    // Repeated threading headers: the first In-Reply-To counts, References accumulate (as in mailparser).
    messageId: headerLines.find((h) => h.key === 'message-id')?.line.replace(/^[^:]*:/, ''),
    inReplyTo: headerLines.find((h) => h.key === 'in-reply-to')?.line.replace(/^[^:]*:/, ''),
    references: headerLines.filter((h) => h.key === 'references').map((h) => h.line.replace(/^[^:]*:/, '')),
    date: date && !Number.isNaN(date.getTime()) ? date : undefined,
    text: contentLineEnds(buf.toString('utf8', bodyStart)),
    bodyLine: countLines(buf, bodyStart),
    html: false,
    attachments: [],
  };
}

/**
 * One RFC 5322 message → one Patch. MIME (quoted-printable, base64, RFC 2047, charsets,
 * attachments) is mailparser's job; the split into message, notes and diff is ours.
 */
export async function parsePatchEmail(raw: Buffer | string, source: PatchSource, options: PatchParseOptions = {}): Promise<Patch> {
  const mail = (options.mailparserOnly ? undefined : viewPlainMessage(raw)) ?? (await viewWithMailparser(raw));
  const { headers, html } = mail;
  const body = mail.text;
  // Body lines are numbered from the start of the input (checkpatch's `#N:` on an .eml).
  const base = (source.lineOffset ?? 0) + mail.bodyLine;

  let split = splitPatchBody(body);
  let subjectText = mail.subject;
  let inBodyFrom = split.inBody.from;
  let attachment = false;
  let diffText = split.diffStart >= 0 ? split.lines.slice(split.diffStart).join('\n') : '';
  let diffStartLine = split.diffStart + 1;
  let lineCount = split.lines.length;

  if (split.diffStart < 0) {
    const patchFile = mail.attachments.find((file) => isPatchAttachment(file.contentType, file.filename));
    if (patchFile) {
      attachment = true;
      const attached = stripAttachedHeaders(patchFile.content.toString('utf8'));
      const inner = splitPatchBody(attached.body);
      const offset = split.lines.length + attached.skipped;
      // Line numbers in the attachment continue after the inline body's lines.
      // A whole format-patch file attached carries the commit message; the inline text is then
      // a note to the reader ("please find the fix attached").
      if (inner.message.trim() !== '' && (split.message.trim() === '' || attached.skipped > 0)) {
        const { notesStartLine, ...rest } = inner;
        split = { ...rest, messageStartLine: inner.messageStartLine + offset, lines: split.lines };
        if (notesStartLine !== undefined) split.notesStartLine = notesStartLine + offset;
        if (attached.subject !== undefined) subjectText = attached.subject;
        inBodyFrom = inner.inBody.from ?? attached.from ?? inBodyFrom;
      } else if (inner.notes !== '' && split.notes === '') {
        split.notes = inner.notes;
        if (inner.notesStartLine !== undefined) split.notesStartLine = inner.notesStartLine + offset;
      }
      if (inner.diffStart >= 0) {
        diffText = inner.lines.slice(inner.diffStart).join('\n');
        diffStartLine = offset + inner.diffStart + 1;
      }
      lineCount = offset + inner.lines.length;
    }
  }
  if (split.inBody.subject !== undefined) subjectText = split.inBody.subject;

  const subject = parseSubject(subjectText, options.knownTrees);
  const parsed = diffText === '' ? { files: [], problems: [] as ParseProblem[] } : parseDiff(diffText, { startLine: diffStartLine + base });
  const from = mail.from;
  const originalFrom = headers['x-original-from'];
  const author = (inBodyFrom !== undefined ? parsePerson(inBodyFrom) : undefined) ?? (originalFrom !== undefined ? parsePerson(originalFrom) : undefined) ?? from;

  const isCover = subject.counter === 0;
  const problems = [...parsed.problems];
  const isPullRequest = subject.prefixes.some((token) => /^(git|pull)$/i.test(token));
  if (!isCover && !subject.isReply && !isPullRequest && parsed.files.length === 0) {
    problems.push({ message: attachment ? 'the attached patch holds no unified diff' : 'no unified diff found in the patch email' });
  }

  const patch: Patch = {
    id: `${source.input}#${source.index}`,
    source: { input: source.input, index: source.index, kind: source.kind ?? 'email' },
    headers,
    references: messageIds(mail.references),
    subject,
    message: split.message,
    messageStartLine: split.messageStartLine + base,
    trailers: parseTrailers(split.message),
    notes: split.notes,
    files: parsed.files,
    isCover,
    mime: { attachment, html },
    lineCount,
    parseProblems: problems,
  };
  const messageId = normaliseMessageId(mail.messageId);
  if (messageId) patch.messageId = messageId;
  const inReplyTo = messageIds(mail.inReplyTo)[0];
  if (inReplyTo) patch.inReplyTo = inReplyTo;
  // ISO 8601 when the date parses (the history rules compare dates), as written otherwise.
  const inBodyDate = split.inBody.date !== undefined ? new Date(split.inBody.date) : undefined;
  if (split.inBody.date !== undefined) patch.date = inBodyDate && !Number.isNaN(inBodyDate.getTime()) ? inBodyDate.toISOString() : split.inBody.date;
  else if (mail.date && !Number.isNaN(mail.date.getTime())) patch.date = mail.date.toISOString();
  else if (headers.date) patch.date = headers.date;
  if (from) patch.from = from;
  if (author) patch.author = author;
  if (split.notesStartLine !== undefined) patch.notesStartLine = split.notesStartLine + base;
  return patch;
}
