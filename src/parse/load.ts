import { open, readFile, stat } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { extname } from 'node:path';
import { UsageError } from '../model/errors.js';
import type { ChangeSet, Patch, Series } from '../model/changeset.js';
import type { Config } from '../config/schema.js';
import { parseDiff } from './diff.js';
import { decodeEncodedWords, parsePatchEmail, splitPatchBody, type PatchParseOptions } from './email.js';
import { MboxSplitter, readMbox, splitMbox } from './mbox.js';
import { parsePerson } from './person.js';
import { answeredPatch, toReply } from './replies.js';
import { groupSeries, isReplyMessage, linkVersions, MemoryPostingLog, SeriesAssembler, type AssembledUnit, type PostingLog } from './series.js';
import { parseSubject } from './subject.js';
import { parseTrailers } from './trailers.js';

export interface LoadOptions {
  repo?: string;
  range?: string;
  stdin?: NodeJS.ReadableStream;
  config: Config;
}

type Sniffed = 'mbox' | 'email' | 'diff';

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
 * diff) are left out here: they are conversation, not patches (streamChangeSets keeps them).
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
    if (isReplyMessage(patch)) continue;
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

type ReadOptions = PatchParseOptions & {
  maxBytes: number;
  /** Leave review replies out without parsing them (see isPlainReply). */
  skipReplies?: boolean;
};

/**
 * A review reply (`Re:` and no diff), told from the raw message without decoding it: a review
 * has no use for replies, and the mail clients reviewers use often send quoted-printable or
 * format=flowed, which only mailparser decodes — half a second to load for nothing. A diff in a
 * quoted-printable body still starts its lines with `diff -` or `--- `/`+++ `; base64 and
 * multipart bodies cannot be read so and are parsed in full (false here).
 */
export function isPlainReply(raw: Buffer): boolean {
  let end = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  if (crlf >= 0 && (end < 0 || crlf < end)) end = crlf;
  if (end < 0) return false;
  const head = raw.toString('latin1', 0, end);
  const subject = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(head)?.[1];
  if (subject === undefined || !parseSubject(decodeEncodedWords(subject.replace(/\r?\n[ \t]+/g, ' ').trim())).isReply) return false;
  if (/^content-type:[ \t]*multipart/im.test(head) || /^content-transfer-encoding:[ \t]*base64/im.test(head)) return false;
  const body = raw.toString('latin1', end);
  return !/^(?:diff -|Index: |--- [^\r\n]*\r?\n\+\+\+ )/m.test(body);
}

/** What reading one input gives, item by item: a mail message, or a unit that is whole already. */
type Item = { kind: 'mail'; message: Patch } | { kind: 'unit'; changeset: ChangeSet };

/**
 * The messages of one mailbox (or one message), parsed one at a time. A single message given on
 * its own (an .eml, a format-patch file) must be a patch or a cover letter; an mbox may hold
 * anything a list carries, but not only replies. The first message is held back until the second
 * arrives, so a lone non-patch is refused before anything of it is reviewed.
 */
async function* mailItems(messages: AsyncIterable<Buffer> | Iterable<Buffer>, name: string, ext: string, options: ReadOptions, fromLines: boolean): AsyncGenerator<Item> {
  let count = 0;
  // `#N:` line numbers count from the start of the file: earlier messages and each `From ` line.
  let lineOffset = 0;
  let patches = 0;
  let held: Patch | undefined;
  const item = (message: Patch): Item => {
    if (!isReplyMessage(message)) patches++;
    return { kind: 'mail', message };
  };
  for await (const raw of messages) {
    if (fromLines) lineOffset++;
    const offset = lineOffset;
    lineOffset += lineCountOf(raw);
    if (options.skipReplies && count > 0 && isPlainReply(raw)) {
      count++;
      continue;
    }
    const message = await parsePatchEmail(raw, { input: name, index: count++, kind: 'email', lineOffset: offset }, options);
    if (count === 1) {
      held = message;
      continue;
    }
    if (held) {
      yield item(held);
      held = undefined;
    }
    yield item(message);
  }
  if (count === 0) throw new UsageError('empty mbox: no messages in it', name);
  if (held) {
    if (ext !== '.mbox' && held.files.length === 0 && !held.isCover) {
      throw new UsageError(`no unified diff in this email, and it is not a 0/N cover letter (${held.subject.raw || 'no subject'})`, name);
    }
    yield item(held);
  }
  if (patches === 0) throw new UsageError(`no patches in this mbox (${count} message${count === 1 ? '' : 's'}, all replies)`, name);
}

/** A whole input held in memory (stdin that is not an mbox, an .eml, a diff). */
async function* bufferItems(buf: Buffer, name: string, ext: string, options: ReadOptions): AsyncGenerator<Item> {
  const kind = sniffContent(buf.subarray(0, 4096).toString('latin1'));
  if (kind === 'mbox') {
    yield* mailItems(splitMbox(buf, { maxBytes: options.maxBytes, inputName: name }), name, ext, options, true);
    return;
  }
  if (kind === 'email') {
    const nul = buf.indexOf(0);
    if (nul >= 0) throw new UsageError(`binary data (NUL byte at offset ${nul}), not an email`, name);
    yield* mailItems([buf], name, ext, options, false);
    return;
  }
  checkText(buf, name);
  const patch = parsePlainDiff(buf.toString('utf8'), { input: name, index: 0 }, options);
  if (patch.files.length === 0) {
    const problem = patch.parseProblems[0];
    const where = problem?.line !== undefined ? ` (line ${problem.line}: ${problem.message})` : '';
    throw new UsageError(`not a patch: no unified diff, email or mbox found${where}`, name);
  }
  yield { kind: 'unit', changeset: { inputs: [name], patches: [patch], series: [{ id: patch.id, version: 1, total: 1, patches: [0], origin: 'diff' }] } };
}

async function* fileItems(path: string, options: ReadOptions): AsyncGenerator<Item> {
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
  const ext = extname(path).toLowerCase();
  // An mbox is streamed: one message in memory at a time, never the whole file.
  if (sniffContent(head.toString('latin1')) === 'mbox') yield* mailItems(readMbox(path, { maxBytes: options.maxBytes, inputName: path }), path, ext, options, true);
  else yield* bufferItems(await readFile(path), path, ext, options);
}

/** stdin: an mbox is split as it arrives; anything else is one message or diff, read whole. */
async function* stdinItems(stream: NodeJS.ReadableStream, options: ReadOptions): AsyncGenerator<Item> {
  if ((stream as NodeJS.ReadStream).isTTY) throw new UsageError('stdin is a terminal; pipe a patch or mbox into it', '-');
  const iterator = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  const next = async (): Promise<Buffer | undefined> => {
    const step = await iterator.next();
    if (step.done) return undefined;
    return typeof step.value === 'string' ? Buffer.from(step.value) : step.value;
  };
  while (headBytes < 4096) {
    const chunk = await next();
    if (!chunk) {
      done = true;
      break;
    }
    head.push(chunk);
    headBytes += chunk.length;
  }
  if (headBytes === 0) throw new UsageError('stdin is empty', '-');
  const first = Buffer.concat(head, headBytes);
  if (sniffContent(first.subarray(0, 4096).toString('latin1')) === 'mbox') {
    const splitter = new MboxSplitter({ maxBytes: options.maxBytes, inputName: '-' });
    async function* messages(): AsyncGenerator<Buffer> {
      yield* splitter.push(first);
      if (!done) for (let chunk = await next(); chunk; chunk = await next()) yield* splitter.push(chunk);
      yield* splitter.end();
    }
    yield* mailItems(messages(), '-', '', options, true);
    return;
  }
  const chunks: Buffer[] = [first];
  let total = headBytes;
  if (!done) {
    for (let chunk = await next(); chunk; chunk = await next()) {
      total += chunk.length;
      if (total > options.maxBytes) throw new UsageError(`stdin is over the input limit of ${options.maxBytes} bytes`, '-');
      chunks.push(chunk);
    }
  }
  if (total > options.maxBytes) throw new UsageError(`stdin is over the input limit of ${options.maxBytes} bytes`, '-');
  yield* bufferItems(Buffer.concat(chunks, total), '-', '', options);
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
async function loadRange(range: string, repo: string, options: ReadOptions): Promise<ChangeSet> {
  let info;
  try {
    info = await stat(repo);
  } catch {
    throw new UsageError('repository directory does not exist', repo);
  }
  if (!info.isDirectory()) throw new UsageError('not a directory (--repo wants a git work tree)', repo);
  // simple-git loads only when a range is reviewed: most reviews read files.
  const { simpleGit } = await import('simple-git');
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
  return { inputs: [range], patches, series: [{ id: range, version: 1, total: patches.length, patches: patches.map((_patch, index) => index), origin: 'range' }] };
}

function looksLikeRange(input: string): boolean {
  return input.includes('..') && !input.includes('/..') && !input.startsWith('.');
}

async function* inputItems(input: string, opts: LoadOptions, options: ReadOptions): AsyncGenerator<Item> {
  if (input === '-') {
    if (!opts.stdin) throw new UsageError('stdin is not available', '-');
    yield* stdinItems(opts.stdin, options);
    return;
  }
  const exists = await stat(input).then(
    () => true,
    () => false,
  );
  if (!exists && looksLikeRange(input)) {
    yield { kind: 'unit', changeset: await loadRange(input, opts.repo ?? process.cwd(), options) };
    return;
  }
  if (!exists && opts.repo !== undefined) {
    // Not a file: perhaps a revision in the repository (`HEAD`, a tag, a sha).
    try {
      yield { kind: 'unit', changeset: await loadRange(input, opts.repo, options) };
    } catch (error) {
      if (!(error instanceof UsageError) || error.input !== input) throw error;
      throw new UsageError(`no such file, and not a revision in ${opts.repo}`, input);
    }
    return;
  }
  yield* fileItems(input, options);
}

export interface StreamOptions extends LoadOptions {
  /** Leave review replies out of the units (a review does not read them); default: keep them. */
  skipReplies?: boolean;
  /** How long (in messages) an incomplete series waits for its missing members; see SeriesAssembler. */
  window?: number;
  /** Where versions are linked (`Series.previous`): default, the postings of this run. */
  postings?: PostingLog;
}

/** A unit of mail as a change set: its patches, their series (linked to earlier versions in `log`), the replies that answer them. */
export function unitChangeSet(unit: AssembledUnit, log: PostingLog = new MemoryPostingLog()): ChangeSet {
  const inputs = [...new Set([...unit.patches, ...unit.replies].map((p) => p.source.input))];
  const series = groupSeries(unit.patches, 'mailing-list');
  const changeset: ChangeSet = { inputs, patches: unit.patches, series: linkVersions(unit.patches, series, log) };
  if (unit.replies.length > 0) changeset.replies = unit.replies.map((reply) => toReply(reply, unit.patches));
  return changeset;
}

/**
 * Every input → a stream of units of review, each a ChangeSet of its own: the series of a
 * mailbox as they complete (mail from every input is grouped together: a thread may come as
 * separate .eml files), a git range whole, a diff alone. One message is parsed at a time and
 * only open series are held, so memory stays bounded whatever the mailbox's size. A unit of
 * replies alone (they answer patches of an earlier unit) has no patches. Unusable input is a
 * UsageError naming it, raised when the reading reaches it: units before it were already given.
 */
export async function* streamChangeSets(inputs: string[], opts: StreamOptions): AsyncGenerator<ChangeSet> {
  const options: ReadOptions = { knownTrees: opts.config.netdev.trees, maxBytes: opts.config.limits.maxInputBytes, ...(opts.skipReplies ? { skipReplies: true } : {}) };
  if (inputs.length === 0 && opts.range === undefined) {
    throw new UsageError('nothing to review: give a patch file, an mbox, a git range, or - for stdin');
  }
  const assembler = new SeriesAssembler(opts.window !== undefined ? { window: opts.window } : {});
  const log = opts.postings ?? new MemoryPostingLog();
  for (const input of inputs) {
    for await (const item of inputItems(input, opts, options)) {
      if (item.kind === 'unit') yield item.changeset;
      else for (const unit of assembler.add(item.message)) yield unitChangeSet(unit, log);
    }
  }
  if (opts.range !== undefined) yield await loadRange(opts.range, opts.repo ?? process.cwd(), options);
  for (const unit of assembler.end()) yield unitChangeSet(unit, log);
}

/**
 * Every input → one ChangeSet (streamChangeSets collected): patches in input order (inputs in
 * the order given, messages in file order), series and replies renumbered to match.
 */
export async function loadChangeSet(inputs: string[], opts: LoadOptions): Promise<ChangeSet> {
  const units: ChangeSet[] = [];
  for await (const unit of streamChangeSets(inputs, opts)) units.push(unit);
  const names = opts.range !== undefined ? [...inputs, opts.range] : [...inputs];
  const inputOrder = new Map(names.map((name, index) => [name, index] as const));
  const entries = units.flatMap((unit, u) => unit.patches.map((patch, local) => ({ patch, u, local })));
  entries.sort((a, b) => (inputOrder.get(a.patch.source.input) ?? 0) - (inputOrder.get(b.patch.source.input) ?? 0) || a.patch.source.index - b.patch.source.index);
  const globalOf = units.map((unit) => new Array<number>(unit.patches.length));
  entries.forEach((entry, index) => (globalOf[entry.u]![entry.local] = index));
  const changeset: ChangeSet = { inputs: names, patches: entries.map((e) => e.patch), series: [] };
  const replies: NonNullable<ChangeSet['replies']> = [];
  units.forEach((unit, u) => {
    const toGlobal = (local: number): number => globalOf[u]![local]!;
    for (const series of unit.series) {
      const global: Series = { ...series, patches: series.patches.map(toGlobal) };
      if (series.cover !== undefined) global.cover = toGlobal(series.cover);
      changeset.series.push(global);
    }
    for (const reply of unit.replies ?? []) replies.push(reply.patch !== undefined ? { ...reply, patch: toGlobal(reply.patch) } : reply);
  });
  changeset.series.sort((a, b) => firstIndex(a) - firstIndex(b));
  // A reply that came after its series had gone out answers a patch of an earlier unit.
  for (const reply of replies) {
    if (reply.patch !== undefined) continue;
    const index = answeredPatch(reply, changeset.patches);
    if (index !== undefined) reply.patch = index;
  }
  if (replies.length > 0) changeset.replies = replies;
  return changeset;
}

function firstIndex(series: Series): number {
  return Math.min(series.cover ?? Infinity, ...series.patches);
}
