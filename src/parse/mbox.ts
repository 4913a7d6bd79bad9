import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { UsageError } from '../model/errors.js';

/*
 * Our own mbox splitter rather than a library: it streams (a 100 MB archive is never held whole,
 * only one message at a time), keeps bytes as bytes so mailparser sees the original charset, and
 * knows git's `From <sha> Mon Sep 17 00:00:00 2001` separator, which format-patch never quotes.
 */

export type MboxFormat = 'mboxo' | 'mboxrd' | 'git';

export interface SplitMboxOptions {
  /** Refuse a message, or the whole input, larger than this many bytes. */
  maxBytes: number;
  /** How `>From ` lines are unquoted; by default guessed from the first separator line. */
  format?: MboxFormat;
  /** Name used in error messages (defaults to the path). */
  inputName?: string;
}

const FROM_ = Buffer.from('From ');
const GIT_SEPARATOR = /^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\r?$/;

function isFromLine(buf: Buffer, start: number, end: number): boolean {
  return end - start >= 5 && buf[start] === 0x46 && buf.compare(FROM_, 0, 5, start, start + 5) === 0;
}

function isBlankLine(buf: Buffer, start: number, end: number): boolean {
  const length = end - start;
  return length === 1 || (length === 2 && buf[start] === 0x0d);
}

const NL_FROM = Buffer.from('\nFrom ');
const NL_QUOTE = Buffer.from('\n>');

/** Whether the line ending just before `lineStart` is blank; `outside` when it began in an earlier buffer. */
function blankBefore(buf: Buffer, lineStart: number, outside = false): boolean {
  if (lineStart <= 0) return outside;
  // Buffers are scanned from a line start, so a line that ends here began here.
  const start = lineStart >= 2 ? buf.lastIndexOf(0x0a, lineStart - 2) + 1 : 0;
  return isBlankLine(buf, start, lineStart);
}

/** Number of `>` before `From ` on a quoted separator-like line; 0 otherwise. */
function quotedFromDepth(buf: Buffer, start: number, end: number): number {
  let i = start;
  while (i < end && buf[i] === 0x3e) i++;
  if (i === start || !isFromLine(buf, i, end)) return 0;
  return i - start;
}

/** The format implied by an mbox's first separator line. */
export function guessMboxFormat(firstLine: string): MboxFormat {
  if (GIT_SEPARATOR.test(firstLine)) return 'git';
  if (/^From mboxrd@/.test(firstLine)) return 'mboxrd';
  return 'mboxo';
}

/**
 * Incremental splitter: feed it chunks, get whole messages back (without their `From ` line,
 * `>From ` unquoted per format: mboxrd drops one `>` from any `>+From ` line, mboxo only turns
 * `>From ` into `From `, git's output is never quoted). Input that does not start with a `From `
 * line is a bare RFC 5322 message and comes back whole.
 */
export class MboxSplitter {
  private format: MboxFormat | undefined;
  private parts: Buffer[] = [];
  private messageBytes = 0;
  private totalBytes = 0;
  private started = false;
  private bare = false;
  private previousBlank = true;
  private carry: Buffer | undefined;
  private readonly name: string;

  constructor(private readonly opts: SplitMboxOptions) {
    this.format = opts.format;
    this.name = opts.inputName ?? 'mbox';
  }

  push(chunk: Buffer): Buffer[] {
    this.totalBytes += chunk.length;
    if (this.totalBytes > this.opts.maxBytes) throw new UsageError(`input is over the limit of ${this.opts.maxBytes} bytes`, this.name);
    const ready: Buffer[] = [];
    if (!this.carry) {
      this.scan(chunk, ready);
      return ready;
    }
    // Only the line cut at the chunk boundary is joined: copying whole chunks (a megabyte each)
    // cost more than the split itself.
    const newline = chunk.indexOf(0x0a);
    if (newline < 0) {
      this.carry = Buffer.concat([this.carry, chunk]);
      return ready;
    }
    const joined = Buffer.concat([this.carry, chunk.subarray(0, newline + 1)]);
    this.carry = undefined;
    this.scan(joined, ready);
    this.scan(chunk.subarray(newline + 1), ready);
    return ready;
  }

  /** Splits `buf` at separator lines into `ready`; an incomplete last line is carried over. */
  private scan(buf: Buffer, ready: Buffer[]): void {
    // Contiguous ordinary lines stay one slice; only separators and quoted lines break a run, so
    // a large message costs a handful of slices rather than one per line. Once the format is
    // known, only lines starting with `From ` or `>` can matter, and they are found with
    // indexOf rather than by visiting every line (the split was most of a review's read time).
    const last = buf.lastIndexOf(0x0a);
    let runStart = 0;
    let pos = 0;
    while (pos <= last) {
      if (this.started && !this.bare && buf[pos] !== 0x46 && buf[pos] !== 0x3e) {
        const from = buf.indexOf(NL_FROM, pos);
        const quoted = this.format === 'git' ? -1 : buf.indexOf(NL_QUOTE, pos);
        const next = from < 0 ? quoted : quoted < 0 ? from : Math.min(from, quoted);
        if (next < 0 || next >= last) break;
        pos = next + 1;
        this.previousBlank = blankBefore(buf, pos);
        continue;
      }
      if (this.bare) break;
      const newline = buf.indexOf(0x0a, pos);
      const end = newline + 1;
      if (isFromLine(buf, pos, end) && (this.previousBlank || !this.started || this.format === 'git')) {
        const line = buf.toString('latin1', pos, newline);
        if (!this.started || this.format !== 'git' || GIT_SEPARATOR.test(line)) {
          this.take(buf, runStart, pos);
          const message = this.flush();
          if (message) ready.push(message);
          if (!this.started) this.format ??= guessMboxFormat(line);
          this.started = true;
          runStart = pos = end;
          this.previousBlank = false;
          continue;
        }
      }
      if (buf[pos] === 0x3e && this.format !== 'git') {
        const depth = quotedFromDepth(buf, pos, end);
        if (depth === 1 || (depth > 1 && this.format === 'mboxrd')) {
          this.take(buf, runStart, pos);
          runStart = pos + 1;
        }
      }
      this.previousBlank = isBlankLine(buf, pos, end);
      if (!this.started && !this.previousBlank) {
        // No `From ` line first: a bare message, which is never split.
        this.started = true;
        this.bare = true;
      }
      pos = end;
    }
    if (last >= 0) {
      this.take(buf, runStart, last + 1);
      this.previousBlank = blankBefore(buf, last + 1, this.previousBlank);
    }
    if (last + 1 < buf.length) this.carry = Buffer.from(buf.subarray(last + 1));
  }

  end(): Buffer[] {
    if (this.carry) {
      let last = this.carry;
      this.carry = undefined;
      const depth = !this.bare && this.format !== 'git' ? quotedFromDepth(last, 0, last.length) : 0;
      if (depth === 1 || (depth > 1 && this.format === 'mboxrd')) last = last.subarray(1);
      if (!(this.started && !this.bare && isFromLine(last, 0, last.length) && this.previousBlank)) this.take(last, 0, last.length);
    }
    const message = this.flush();
    return message ? [message] : [];
  }

  private take(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.messageBytes += end - start;
    if (this.messageBytes > this.opts.maxBytes) throw new UsageError(`a message is larger than the limit of ${this.opts.maxBytes} bytes`, this.name);
    this.parts.push(buf.subarray(start, end));
  }

  private flush(): Buffer | undefined {
    const message = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.messageBytes);
    this.parts = [];
    this.messageBytes = 0;
    for (const byte of message) if (byte !== 0x0a && byte !== 0x0d && byte !== 0x20 && byte !== 0x09) return message;
    return undefined;
  }
}

/** Splits an mbox held in memory (git format-patch output, stdin). */
export function splitMbox(content: Buffer, opts: SplitMboxOptions): Buffer[] {
  const splitter = new MboxSplitter(opts);
  return [...splitter.push(content), ...splitter.end()];
}

/** Streams the messages of an mbox file, one Buffer each; see MboxSplitter for the format rules. */
export async function* readMbox(path: string, opts: SplitMboxOptions): AsyncGenerator<Buffer> {
  const name = opts.inputName ?? path;
  const info = await stat(path);
  if (info.size > opts.maxBytes) throw new UsageError(`mbox is ${info.size} bytes, over the limit of ${opts.maxBytes}`, name);
  const splitter = new MboxSplitter({ ...opts, inputName: name });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (const message of splitter.push(chunk)) yield message;
  }
  for (const message of splitter.end()) yield message;
}
