import { open, readFile, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { extname } from 'node:path';
import { simpleGit } from 'simple-git';
import { UsageError } from '../model/errors.js';
import type { ChangeSet, Patch, Series } from '../model/changeset.js';
import type { Config } from '../config/schema.js';
import { parseDiff } from './diff.js';
import { parsePatchEmail, splitPatchBody, type PatchParseOptions } from './email.js';
import { readMbox, splitMbox } from './mbox.js';
import { parsePerson } from './person.js';
import { groupSeries } from './series.js';
import { parseSubject } from './subject.js';
import { parseTrailers } from './trailers.js';

export interface LoadOptions {
  repo?: string;
  range?: string;
  stdin?: NodeJS.ReadableStream;
  config: Config;
}

type Sniffed = 'mbox' | 'email' | 'diff';

interface Loaded {
  patches: Patch[];
  /** Mail is grouped into series across all inputs (a thread may come as separate .eml files). */
  series: 'mail' | ((offset: number) => Series[]);
}

const HEADER_NAMES = /^(from|subject|date|message-id|to|cc|received|return-path|mime-version|content-type|delivered-to|x-[a-z0-9-]+):/i;

/** What a file holds, from its first bytes: an mbox `From ` line, RFC 5322 headers, or a diff. */
export function sniffContent(head: string): Sniffed {
  const start = head.replace(/^(?:\r?\n)+/, '');
  const firstLine = start.slice(0, start.search(/\r?\n|$/));
  if (firstLine.startsWith('From ')) return 'mbox';
  if (HEADER_NAMES.test(firstLine) && !firstLine.startsWith('Index:')) return 'email';
  return 'diff';
}

function lineOfOffset(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = buf.indexOf(0x0a); i >= 0 && i < offset; i = buf.indexOf(0x0a, i + 1)) line++;
  return line;
}

/** Byte offset of the first byte that starts an invalid UTF-8 sequence. */
function invalidUtf8Offset(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const byte = buf[i]!;
    if (byte < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (byte >= 0xc2 && byte <= 0xdf) [need, min] = [1, 0x80];
    else if (byte >= 0xe0 && byte <= 0xef) [need, min] = [2, 0x800];
    else if (byte >= 0xf0 && byte <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let code = byte & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const next = buf[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function checkText(buf: Buffer, name: string): void {
  const nul = buf.indexOf(0);
  if (nul >= 0) throw new UsageError(`binary data (NUL byte at offset ${nul}, line ${lineOfOffset(buf, nul)}), not a patch`, name);
  if (!isUtf8(buf)) {
    const offset = invalidUtf8Offset(buf);
    throw new UsageError(`invalid UTF-8 at byte offset ${offset} (line ${lineOfOffset(buf, offset)})`, name);
  }
}

/** A bare diff (or a diff with a free-text or quilt-style description on top) → one Patch. */
export function parsePlainDiff(text: string, source: { input: string; index: number }, options: PatchParseOptions = {}): Patch {
  const split = splitPatchBody(text);
  const parsed = split.diffStart >= 0 ? parseDiff(split.lines.slice(split.diffStart).join('\n'), { startLine: split.diffStart + 1 }) : { files: [], problems: [] };
  const patch: Patch = {
    id: `${source.input}#${source.index}`,
    source: { input: source.input, index: source.index, kind: 'diff' },
    headers: {},
    references: [],
    subject: parseSubject(split.inBody.subject ?? '', options.knownTrees),
    message: split.message,
    messageStartLine: split.messageStartLine,
    trailers: [],
    notes: split.notes,
    files: parsed.files,
    isCover: false,
    mime: { attachment: false, html: false },
    lineCount: split.lines.length,
    parseProblems: parsed.problems,
  };
  if (split.message !== '') {
    // A description on top of the diff carries trailers like a commit message does.
    patch.trailers = parseTrailers(split.message);
  }
  if (split.notesStartLine !== undefined) patch.notesStartLine = split.notesStartLine;
  const author = split.inBody.from !== undefined ? parsePerson(split.inBody.from) : undefined;
  if (author) patch.author = author;
  if (split.inBody.date !== undefined) patch.date = split.inBody.date;
  return patch;
}

/**
 * Messages of an mbox, or of `git format-patch` output, as Patches. Review replies (`Re:` with no
 * diff) are dropped: they are conversation, not patches.
 */
export async function parseMboxMessages(messages: AsyncIterable<Buffer> | Iterable<Buffer>, input: string, kind: Patch['source']['kind'], options: PatchParseOptions, fromLines = true): Promise<{ patches: Patch[]; messages: number }> {
  const patches: Patch[] = [];
  let index = 0;
  // Line numbers count from the start of the mbox: earlier messages and each `From ` line.
  let lineOffset = 0;
  for await (const message of messages) {
    if (fromLines) lineOffset++;
    const patch = await parsePatchEmail(message, { input, index: index++, kind, lineOffset }, options);
    lineOffset += lineCountOf(message);
    if (patch.subject.isReply && patch.files.length === 0) continue;
    patches.push(patch);
  }
  return { patches, messages: index };
}

function lineCountOf(message: Buffer): number {
  let lines = 0;
  for (let i = message.indexOf(0x0a); i >= 0; i = message.indexOf(0x0a, i + 1)) lines++;
  return message.length > 0 && message[message.length - 1] !== 0x0a ? lines + 1 : lines;
}

/** A `git format-patch` file (or its --stdout output) → its Patches. */
export async function parseFormatPatch(content: Buffer | string, input: string, options: PatchParseOptions & { maxBytes?: number; kind?: Patch['source']['kind'] } = {}): Promise<Patch[]> {
  const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const messages = splitMbox(buf, { maxBytes: options.maxBytes ?? Number.MAX_SAFE_INTEGER, inputName: input });
  return (await parseMboxMessages(messages, input, options.kind ?? 'email', options, buf.subarray(0, 5).toString('latin1') === 'From ')).patches;
}

/**
 * An mbox may hold anything a list carries, but a single message given on its own (an .eml, a
 * format-patch file) must be a patch or a cover letter.
 */
function checkMailbox(patches: Patch[], messages: number, name: string, ext: string): void {
  if (messages === 0) throw new UsageError('empty mbox: no messages in it', name);
  if (messages === 1 && ext !== '.mbox') {
    const patch = patches[0];
    if (!patch || (patch.files.length === 0 && !patch.isCover)) {
      const subject = patch?.subject.raw ?? 'a reply';
      throw new UsageError(`no unified diff in this email, and it is not a 0/N cover letter (${subject || 'no subject'})`, name);
    }
  }
  if (patches.length === 0) throw new UsageError(`no patches in this mbox (${messages} message${messages === 1 ? '' : 's'}, all replies)`, name);
}

async function loadBuffer(buf: Buffer, name: string, ext: string, options: PatchParseOptions & { maxBytes: number }): Promise<Loaded> {
  const kind = sniffContent(buf.subarray(0, 4096).toString('latin1'));
  if (kind === 'mbox') {
    const { patches, messages } = await parseMboxMessages(splitMbox(buf, { maxBytes: options.maxBytes, inputName: name }), name, 'email', options);
    checkMailbox(patches, messages, name, ext);
    return { patches, series: 'mail' };
  }
  if (kind === 'email') {
    const nul = buf.indexOf(0);
    if (nul >= 0) throw new UsageError(`binary data (NUL byte at offset ${nul}), not an email`, name);
    const patch = await parsePatchEmail(buf, { input: name, index: 0 }, options);
    checkMailbox(patch.subject.isReply && patch.files.length === 0 && ext === '.mbox' ? [] : [patch], 1, name, ext);
    return { patches: [patch], series: 'mail' };
  }
  checkText(buf, name);
  const text = buf.toString('utf8');
  const patch = parsePlainDiff(text, { input: name, index: 0 }, options);
  if (patch.files.length === 0) {
    const problem = patch.parseProblems[0];
    const where = problem?.line !== undefined ? ` (line ${problem.line}: ${problem.message})` : '';
    throw new UsageError(`not a patch: no unified diff, email or mbox found${where}`, name);
  }
  return {
    patches: [patch],
    series: (offset) => [{ id: patch.id, version: 1, total: 1, patches: [offset], origin: 'diff' }],
  };
}

async function loadFile(path: string, options: PatchParseOptions & { maxBytes: number }): Promise<Loaded> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? 'no such file' : `cannot read: ${code ?? String(error)}`, path);
  }
  if (info.isDirectory()) throw new UsageError('is a directory, not a patch file', path);
  if (!info.isFile()) throw new UsageError('not a regular file', path);
  if (info.size === 0) throw new UsageError('empty file', path);
  if (info.size > options.maxBytes) throw new UsageError(`${info.size} bytes is over the input limit of ${options.maxBytes}`, path);

  const handle = await open(path, 'r');
  let head: Buffer;
  try {
    const probe = Buffer.alloc(Math.min(4096, info.size));
    const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
    head = probe.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (sniffContent(head.toString('latin1')) === 'mbox') {
    const { patches, messages } = await parseMboxMessages(readMbox(path, { maxBytes: options.maxBytes, inputName: path }), path, 'email', options);
    checkMailbox(patches, messages, path, extname(path).toLowerCase());
    return { patches, series: 'mail' };
  }
  return loadBuffer(await readFile(path), path, extname(path).toLowerCase(), options);
}

async function readStdin(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  if ((stream as NodeJS.ReadStream).isTTY) throw new UsageError('stdin is a terminal; pipe a patch or mbox into it', '-');
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > maxBytes) throw new UsageError(`stdin is over the input limit of ${maxBytes} bytes`, '-');
    chunks.push(buf);
  }
  const content = Buffer.concat(chunks, total);
  if (content.length === 0) throw new UsageError('stdin is empty', '-');
  return content;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n').find((text) => text.trim() !== '') ?? message;
  return line.replace(/^fatal:\s*/, '').trim();
}

/**
 * A git range (`A..B`, `A...B`) or a single revision (that one commit, as checkpatch -g does)
 * → Patches via `git format-patch --stdout`, one series in commit order.
 */
async function loadRange(range: string, repo: string, options: PatchParseOptions & { maxBytes: number }): Promise<Loaded> {
  let info;
  try {
    info = await stat(repo);
  } catch {
    throw new UsageError('repository directory does not exist', repo);
  }
  if (!info.isDirectory()) throw new UsageError('not a directory (--repo wants a git work tree)', repo);
  const git = simpleGit({ baseDir: repo });
  let isRepo = false;
  try {
    isRepo = await git.checkIsRepo();
  } catch {
    isRepo = false;
  }
  if (!isRepo) throw new UsageError('not a git repository', repo);
  if (range.startsWith('-')) throw new UsageError('not a revision or range (starts with -)', range);

  const args = ['format-patch', '--stdout', '--no-color', '--no-signature', '--encoding=UTF-8'];
  args.push(...(range.includes('..') ? [range] : ['-1', range]), '--');
  let output: string;
  try {
    output = await git.raw(args);
  } catch (error) {
    throw new UsageError(`not a valid revision range in ${repo}: ${firstLine(error)}`, range);
  }
  if (output.trim() === '') throw new UsageError(`the range holds no commits in ${repo}`, range);
  const messages = splitMbox(Buffer.from(output, 'utf8'), { maxBytes: options.maxBytes, inputName: range, format: 'git' });
  const { patches } = await parseMboxMessages(messages, range, 'commit', options);
  return {
    patches,
    series: (offset) => [
      { id: range, version: 1, total: patches.length, patches: patches.map((_patch, index) => index + offset), origin: 'range' },
    ],
  };
}

function firstIndex(series: Series): number {
  return Math.min(series.cover ?? Infinity, ...series.patches);
}

function looksLikeRange(input: string): boolean {
  return input.includes('..') && !input.includes('/..') && !input.startsWith('.');
}

/**
 * Every input → one ChangeSet. An input is `-` (stdin), a file (mbox, email, format-patch or
 * diff, recognised by content), or, when it is not a file, a git revision or range in `repo`
 * (or the current directory). Unusable input is a UsageError naming it, never a stack trace.
 */
export async function loadChangeSet(inputs: string[], opts: LoadOptions): Promise<ChangeSet> {
  const options = { knownTrees: opts.config.netdev.trees, maxBytes: opts.config.limits.maxInputBytes };
  const loaded: Loaded[] = [];
  const names: string[] = [];
  if (inputs.length === 0 && opts.range === undefined) {
    throw new UsageError('nothing to review: give a patch file, an mbox, a git range, or - for stdin');
  }
  for (const input of inputs) {
    names.push(input);
    if (input === '-') {
      if (!opts.stdin) throw new UsageError('stdin is not available', '-');
      loaded.push(await loadBuffer(await readStdin(opts.stdin, options.maxBytes), '-', '', options));
      continue;
    }
    const exists = await stat(input).then(
      () => true,
      () => false,
    );
    if (!exists && looksLikeRange(input)) {
      loaded.push(await loadRange(input, opts.repo ?? process.cwd(), options));
      continue;
    }
    if (!exists && opts.repo !== undefined) {
      // Not a file: perhaps a revision in the repository (`HEAD`, a tag, a sha).
      try {
        loaded.push(await loadRange(input, opts.repo, options));
      } catch (error) {
        if (!(error instanceof UsageError) || error.input !== input) throw error;
        throw new UsageError(`no such file, and not a revision in ${opts.repo}`, input);
      }
      continue;
    }
    loaded.push(await loadFile(input, options));
  }
  if (opts.range !== undefined) {
    names.push(opts.range);
    loaded.push(await loadRange(opts.range, opts.repo ?? process.cwd(), options));
  }

  const changeset: ChangeSet = { inputs: names, patches: [], series: [] };
  const mailIndices: number[] = [];
  for (const part of loaded) {
    const offset = changeset.patches.length;
    changeset.patches.push(...part.patches);
    if (part.series === 'mail') part.patches.forEach((_patch, i) => mailIndices.push(offset + i));
    else changeset.series.push(...part.series(offset));
  }
  if (mailIndices.length > 0) {
    const toGlobal = (local: number): number => mailIndices[local]!;
    for (const series of groupSeries(mailIndices.map((index) => changeset.patches[index]!), 'mailing-list')) {
      const global: Series = { ...series, patches: series.patches.map(toGlobal) };
      if (series.cover !== undefined) global.cover = toGlobal(series.cover);
      changeset.series.push(global);
    }
  }
  changeset.series.sort((a, b) => firstIndex(a) - firstIndex(b));
  return changeset;
}
