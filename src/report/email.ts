import { createHash } from 'node:crypto';
import type { ChangeSet, Patch, Person } from '../model/changeset.js';
import type { Finding } from '../model/finding.js';
import { renderPatchBody, rfc5322Date } from '../model/render-patch.js';
import { parsePerson, splitMailboxes } from '../parse/person.js';

/**
 * `--format email`: one RFC 5322 reply per reviewed patch that has findings, threaded under it
 * (In-Reply-To, References, `Re:` subject), quoting the offending lines inline with each comment
 * under its quote — the way netdev reviewers answer, never top-posted. Several replies come out
 * as an mbox.
 */
export interface EmailReplyOptions {
  reviewer: Person;
  /** Fixed clock for reproducible output in tests. */
  now?: Date;
  version?: string;
}

/** Lines of context quoted above a commented line. */
const CONTEXT = 3;
const LEVEL = { error: 'ERROR', warning: 'WARNING', info: 'INFO' } as const;

function encodeWord(text: string): string {
  // RFC 2047 only when needed: most kernel names and subjects are plain ASCII.
  return /^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function address(person: Person): string {
  if (!person.name) return `<${person.email}>`;
  const name = /[(),.:;<>@[\]"]/.test(person.name) && /^[\x20-\x7e]*$/.test(person.name) ? `"${person.name.replace(/"/g, '\\"')}"` : encodeWord(person.name);
  return `${name} <${person.email}>`;
}

/**
 * The Cc of a reply: everyone the patch was sent to, as the list's reply-all would, once each,
 * without the addressee and the reviewer, with the folding whitespace of the original unfolded,
 * and folded again between addresses so no line runs past 78 characters.
 */
function replyCc(patch: Patch, exclude: readonly string[]): string | undefined {
  const seen = new Set(exclude.map((e) => e.toLowerCase()));
  const mailboxes: string[] = [];
  for (const value of [patch.headers['to'], patch.headers['cc']]) {
    for (const mailbox of splitMailboxes(value ?? '')) {
      const key = parsePerson(mailbox)?.email.toLowerCase();
      if (!key || seen.has(key)) continue;
      seen.add(key);
      mailboxes.push(mailbox);
    }
  }
  if (mailboxes.length === 0) return undefined;
  let line = 'Cc:';
  const lines: string[] = [];
  for (const [i, mailbox] of mailboxes.entries()) {
    const piece = ` ${mailbox}${i < mailboxes.length - 1 ? ',' : ''}`;
    if (line.length + piece.length > 78 && line !== 'Cc:') {
      lines.push(line);
      line = ' ';
    }
    line += line === ' ' ? piece.trimStart() : piece;
  }
  lines.push(line);
  return lines.join('\n');
}

function replySubject(subject: string): string {
  return /^re:/i.test(subject.trim()) ? subject.trim() : `Re: ${subject.trim()}`;
}

function commentLines(finding: Finding): string[] {
  const out = [`${LEVEL[finding.severity]}: ${finding.rule}: ${finding.message}`];
  const target = finding.fix?.target;
  if (target && target.kind !== 'subject') {
    out.push('', 'Suggested:', ...target.lines.map((l) => `    ${l}`));
  } else if (target?.kind === 'subject') {
    out.push('', `Suggested subject: ${target.subject}`);
  }
  return out;
}

/** Where in the quoted text a finding goes: a body line index, or -1 for the subject line. */
function anchorOf(finding: Finding, body: ReturnType<typeof renderPatchBody>): number | undefined {
  const at = finding.location;
  switch (at.kind) {
    case 'message':
      return at.part === 'message' ? body.messageLine(at.line) : undefined;
    case 'diff':
      return body.diffLine(at.file, at.side ?? 'new', at.line) ?? body.fileHeader(at.file);
    case 'subject':
    case 'headers':
      return -1;
    default:
      return undefined;
  }
}

/** A bottom-posted quote of the patch: the subject and only the lines the findings are about, each comment under its quote. */
export function quoteReply(patch: Patch, findings: Finding[]): string[] {
  const body = renderPatchBody(patch);
  const anchored = new Map<number, Finding[]>();
  const general: Finding[] = [];
  for (const finding of findings) {
    const at = anchorOf(finding, body);
    if (at === undefined) general.push(finding);
    else anchored.set(at, [...(anchored.get(at) ?? []), finding]);
  }

  const out: string[] = [];
  const who = patch.author ?? patch.from;
  out.push(`On ${patch.date ? rfc5322Date(patch.date) : 'an unknown date'}, ${who ? who.name || who.email : 'the author'} wrote:`);

  // The subject line is quoted as a pseudo-header so subject comments sit under it.
  out.push(`> Subject: ${patch.subject.raw}`);
  for (const finding of anchored.get(-1) ?? []) out.push('', ...commentLines(finding), '');

  let quotedUpTo = -1;
  const indices = [...anchored.keys()].filter((i) => i >= 0).sort((a, b) => a - b);
  for (const index of indices) {
    const from = Math.max(quotedUpTo + 1, index - CONTEXT);
    if (from > quotedUpTo + 1) out.push('> [...]');
    for (let i = from; i <= index; i++) out.push(`> ${body.lines[i] ?? ''}`.trimEnd());
    quotedUpTo = index;
    out.push('');
    for (const finding of anchored.get(index)!) out.push(...commentLines(finding), '');
  }
  if (quotedUpTo < body.lines.length - 1) out.push('> [...]', '');

  if (general.length) {
    out.push('About the patch as a whole:', '');
    for (const finding of general) out.push(...commentLines(finding), '');
  }
  return out;
}

function messageId(patch: Patch, reviewer: Person, now: Date): string {
  const hash = createHash('sha256').update(`${patch.messageId ?? patch.id}\0${now.toISOString()}`).digest('hex').slice(0, 16);
  const domain = reviewer.email.split('@')[1] ?? 'localhost';
  return `rubberduck.${hash}@${domain}`;
}

/** The headers of a reply to `patch` (From the reviewer, To its sender, Cc its To and Cc, threaded under it). */
export function replyHeaders(patch: Patch, options: EmailReplyOptions): string[] {
  const now = options.now ?? new Date();
  const to = patch.from ?? patch.author;
  const cc = replyCc(patch, [...(to ? [to.email] : []), options.reviewer.email]);
  const references = [...patch.references.filter((r) => r !== patch.messageId), ...(patch.messageId ? [patch.messageId] : [])];
  const headers = [
    `From: ${address(options.reviewer)}`,
    to ? `To: ${address(to)}` : undefined,
    cc,
    `Subject: ${encodeWord(replySubject(patch.subject.raw))}`,
    `Date: ${rfc5322Date(now.toISOString())}`,
    `Message-ID: <${messageId(patch, options.reviewer, now)}>`,
    patch.messageId ? `In-Reply-To: <${patch.messageId}>` : undefined,
    references.length ? `References: ${references.map((r) => `<${r}>`).join(' ')}` : undefined,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    `X-Mailer: rubberduck${options.version ? ` ${options.version}` : ''}`,
  ].filter((h): h is string => h !== undefined);
  return headers;
}

/** The signature every reply ends with. */
export function replySignature(options: EmailReplyOptions): string[] {
  return ['-- ', `rubberduck${options.version ? ` ${options.version}` : ''}: deterministic rules, an LLM only for judgement calls`];
}

export function formatEmailReply(patch: Patch, findings: Finding[], options: EmailReplyOptions): string {
  return [...replyHeaders(patch, options), '', ...quoteReply(patch, findings), ...replySignature(options), ''].join('\n');
}

/** One reply per patch with findings, in patch order; series-wide findings go to the cover letter or the first patch. */
export function emailReplyList(changeset: ChangeSet, findings: Finding[], options: EmailReplyOptions): string[] {
  const byPatch = new Map<number, Finding[]>();
  for (const finding of findings) {
    let index = finding.patch;
    if (index === undefined) {
      const series = changeset.series.find((s) => s.cover !== undefined || s.patches.length > 0);
      index = series?.cover ?? series?.patches[0] ?? 0;
    }
    byPatch.set(index, [...(byPatch.get(index) ?? []), finding]);
  }
  return [...byPatch.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([index, list]) => {
      const patch = changeset.patches[index];
      return patch ? [formatEmailReply(patch, list, options)] : [];
    });
}

/** A reply as one message of an mboxrd: its `From ` line, `From ` lines in the body quoted. */
export function mboxrdEntry(reply: string, now: Date): string {
  return `From rubberduck ${now.toUTCString()}\n${reply.replace(/^(>*From )/gm, '>$1')}`;
}

/** One reply as it is; several as an mboxrd, one blank line apart. */
export function joinEmailReplies(replies: readonly string[], now: Date = new Date()): string {
  if (replies.length <= 1) return replies[0] ?? '';
  return replies.map((r) => mboxrdEntry(r, now)).join('\n');
}

/** Replies for every patch with findings; series-wide findings go to the cover letter or the first patch. */
export function formatEmailReplies(changeset: ChangeSet, findings: Finding[], options: EmailReplyOptions): string {
  return joinEmailReplies(emailReplyList(changeset, findings, options), options.now);
}
