import { createReadStream, existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../model/errors.js';
import { MboxSplitter } from '../parse/mbox.js';
import type { MessageFilter } from './message-filter.js';
import { publicInboxEpochs, readPublicInbox } from './public-inbox.js';

export type { MessageFilter } from './message-filter.js';

/**
 * One reader interface over every kind of list archive: an mbox (mboxo or mboxrd, streamed), a
 * Maildir, stdin, or a public-inbox git archive (lore.kernel.org's format). Each gives its raw
 * messages one at a time, oldest first, filtered by `--since`/`--until` (the Date header) and
 * `--limit` (the newest N).
 */

export type ArchiveKind = 'mbox' | 'maildir' | 'stdin' | 'public-inbox';

export interface RawMessage {
  bytes: Buffer;
  /** Position in the archive (after filtering), from 0. */
  index: number;
}

export interface Archive {
  kind: ArchiveKind;
  /** As the user named it. */
  name: string;
  /** Progress: bytes (mbox, stdin) or messages (Maildir, public-inbox) read, and the total when known. */
  progress(): { done: number; total?: number; unit: 'bytes' | 'messages' };
  messages(filter?: MessageFilter): AsyncGenerator<RawMessage>;
}

export interface OpenArchiveOptions {
  stdin?: NodeJS.ReadableStream;
  /** A message (or an mbox read from stdin) larger than this is refused. */
  maxBytes: number;
}

/** The Date header of a raw message, if it has one that parses. */
export function messageDate(bytes: Buffer): Date | undefined {
  let end = bytes.indexOf('\n\n');
  if (end < 0) end = Math.min(bytes.length, 16384);
  const head = bytes.toString('latin1', 0, end);
  const match = /^date:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  if (!match) return undefined;
  const date = new Date(match[1]!.replace(/\r?\n[ \t]+/g, ' ').replace(/\s*\([^)]*\)\s*$/, '').trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function inWindow(bytes: Buffer, filter: MessageFilter): boolean {
  if (!filter.since && !filter.until) return true;
  const date = messageDate(bytes);
  // A message without a readable date is kept: nothing says it is outside the window.
  if (!date) return true;
  if (filter.since && date < filter.since) return false;
  if (filter.until && date > filter.until) return false;
  return true;
}

/** The date filter, then the newest `limit` (a ring of at most `limit` messages), numbered. */
async function* filtered(source: AsyncIterable<Buffer>, filter: MessageFilter): AsyncGenerator<RawMessage> {
  let index = 0;
  if (filter.limit === undefined) {
    for await (const bytes of source) if (inWindow(bytes, filter)) yield { bytes, index: index++ };
    return;
  }
  const ring: Buffer[] = [];
  for await (const bytes of source) {
    if (!inWindow(bytes, filter)) continue;
    ring.push(bytes);
    if (ring.length > filter.limit) ring.shift();
  }
  for (const bytes of ring) yield { bytes, index: index++ };
}

function mboxArchive(path: string, name: string, size: number, maxBytes: number): Archive {
  let done = 0;
  return {
    kind: 'mbox',
    name,
    progress: () => ({ done, total: size, unit: 'bytes' }),
    messages(filter = {}) {
      async function* raw(): AsyncGenerator<Buffer> {
        const splitter = new MboxSplitter({ maxBytes, inputName: name });
        for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
          done += chunk.length;
          yield* splitter.push(chunk);
        }
        yield* splitter.end();
      }
      return filtered(raw(), filter);
    },
  };
}

function stdinArchive(stream: NodeJS.ReadableStream, maxBytes: number): Archive {
  let done = 0;
  return {
    kind: 'stdin',
    name: '-',
    progress: () => ({ done, unit: 'bytes' }),
    messages(filter = {}) {
      async function* raw(): AsyncGenerator<Buffer> {
        if ((stream as NodeJS.ReadStream).isTTY) throw new UsageError('stdin is a terminal; pipe an mbox into it', '-');
        const splitter = new MboxSplitter({ maxBytes, inputName: '-' });
        for await (const chunk of stream as AsyncIterable<Buffer | string>) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
          done += buf.length;
          yield* splitter.push(buf);
        }
        yield* splitter.end();
        if (done === 0) throw new UsageError('stdin is empty', '-');
      }
      return filtered(raw(), filter);
    },
  };
}

/** Maildir file names start with the delivery time (`1717401600.M123P45.host:2,S`). */
function maildirOrder(a: string, b: string): number {
  const ta = Number.parseFloat(basename(a));
  const tb = Number.parseFloat(basename(b));
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

async function maildirArchive(dir: string, name: string, maxBytes: number): Promise<Archive> {
  const files: string[] = [];
  for (const sub of ['cur', 'new']) {
    const path = join(dir, sub);
    if (!existsSync(path)) continue;
    for (const entry of await readdir(path, { withFileTypes: true })) if (entry.isFile() && !entry.name.startsWith('.')) files.push(join(path, entry.name));
  }
  files.sort(maildirOrder);
  let done = 0;
  return {
    kind: 'maildir',
    name,
    progress: () => ({ done, total: files.length, unit: 'messages' }),
    messages(filter = {}) {
      async function* raw(): AsyncGenerator<Buffer> {
        // --limit without dates: the newest N files, without reading the others.
        const list = filter.limit !== undefined && !filter.since && !filter.until ? files.slice(-filter.limit) : files;
        for (const file of list) {
          done++;
          const bytes = await readFile(file);
          if (bytes.length > maxBytes) throw new UsageError(`a message is larger than the limit of ${maxBytes} bytes`, file);
          yield bytes;
        }
      }
      return filtered(raw(), filter);
    },
  };
}

/**
 * Opens an archive: `-` (stdin), an mbox file, a Maildir (a folder with cur/ or new/), or a
 * public-inbox git archive (a git repository whose commits each add the file `m`, or a v2 inbox
 * folder holding git/0.git, git/1.git, …). Anything else is a UsageError naming it.
 */
export async function openArchive(input: string, options: OpenArchiveOptions): Promise<Archive> {
  if (input === '-') {
    if (!options.stdin) throw new UsageError('stdin is not available', '-');
    return stdinArchive(options.stdin, options.maxBytes);
  }
  const path = resolve(input);
  let info;
  try {
    info = statSync(path);
  } catch {
    throw new UsageError('no such file or directory', input);
  }
  if (info.isFile()) {
    if (info.size === 0) throw new UsageError('empty file', input);
    const head = Buffer.alloc(Math.min(info.size, 1024));
    const handle = await import('node:fs/promises').then((fs) => fs.open(path, 'r'));
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    const first = head.toString('latin1').replace(/^(?:\r?\n)+/, '');
    if (!first.startsWith('From ') && !/^[A-Za-z][A-Za-z0-9-]*:/.test(first)) throw new UsageError('not an mbox (no `From ` line or mail headers at the start)', input);
    if (head.includes(0)) throw new UsageError('binary data, not an mbox', input);
    return mboxArchive(path, input, info.size, Number.MAX_SAFE_INTEGER);
  }
  if (!info.isDirectory()) throw new UsageError('not a file or a directory', input);
  if (existsSync(join(path, 'cur')) || existsSync(join(path, 'new'))) return maildirArchive(path, input, options.maxBytes);
  const epochs = await publicInboxEpochs(path, input);
  let done = 0;
  return {
    kind: 'public-inbox',
    name: input,
    progress: () => ({ done, unit: 'messages' }),
    messages(filter = {}) {
      async function* raw(): AsyncGenerator<Buffer> {
        for await (const bytes of readPublicInbox(epochs, input, filter)) {
          done++;
          yield bytes;
        }
      }
      // The limit is applied by git (the newest commits); the date filter again on the headers.
      return filtered(raw(), { ...(filter.since ? { since: filter.since } : {}), ...(filter.until ? { until: filter.until } : {}) });
    },
  };
}
