import type { Patch, Reply, Trailer } from '../model/changeset.js';
import { parseTrailers } from './trailers.js';

/** `On Tue, 3 Jun 2025, Jane wrote:` and the like, which introduce a quote. */
const ATTRIBUTION = /(?:wrote|writes|said|schrieb|a écrit)\s*:\s*$/i;
/** Trailer keys b4 collects from replies: any `*-by:` plus the link-like ones. */
const REPLY_TRAILER = /^\s*([A-Za-z][A-Za-z-]*-by|Fixes|Link|Closes):\s*\S/i;

/**
 * The replier's own lines of a reply body: quoted lines (`>`), the attribution line that
 * introduces a quote, and everything after the signature separator dropped.
 */
export function ownLines(body: string): string[] {
  const lines = body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const own: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '-- ') break;
    if (/^\s*>/.test(line)) continue;
    if (ATTRIBUTION.test(line)) {
      let next = i + 1;
      while (next < lines.length && lines[next]!.trim() === '') next++;
      if (next < lines.length && /^\s*>/.test(lines[next]!)) continue;
    }
    own.push(line);
  }
  while (own.length > 0 && own[own.length - 1]!.trim() === '') own.pop();
  while (own.length > 0 && own[0]!.trim() === '') own.shift();
  return own;
}

/** Trailers given on the replier's own lines, wherever they stand (b4 collects them so). */
export function replyTrailers(own: readonly string[]): Trailer[] {
  const trailers: Trailer[] = [];
  own.forEach((line, index) => {
    if (!REPLY_TRAILER.test(line)) return;
    const [trailer] = parseTrailers(line.trim());
    if (trailer) trailers.push({ ...trailer, line: index + 1 });
  });
  return trailers;
}

/**
 * A parsed review reply (a Patch with `Re:` and no diff, as parsePatchEmail reads it) → Reply.
 * `patch` is the index of the message it answers among `patches`: In-Reply-To first, then
 * References from the nearest ancestor up (a reply to a reply still belongs to that patch).
 */
export function toReply(message: Patch, patches: readonly Patch[]): Reply {
  const own = ownLines(message.message);
  const reply: Reply = {
    references: message.references,
    subject: message.subject.raw,
    trailers: replyTrailers(own),
    text: own.join('\n'),
    source: { input: message.source.input, index: message.source.index },
  };
  if (message.messageId) reply.messageId = message.messageId;
  if (message.inReplyTo) reply.inReplyTo = message.inReplyTo;
  if (message.from) reply.from = message.from;
  if (message.date) reply.date = message.date;
  const index = answeredPatch(message, patches);
  if (index !== undefined) reply.patch = index;
  return reply;
}

/** The index among `patches` of the message a reply answers: In-Reply-To, then References from the nearest ancestor up. */
export function answeredPatch(message: { inReplyTo?: string | undefined; references: readonly string[] }, patches: readonly Patch[]): number | undefined {
  const ancestors = [...(message.inReplyTo ? [message.inReplyTo] : []), ...[...message.references].reverse()];
  for (const id of ancestors) {
    const index = patches.findIndex((p) => p.messageId === id);
    if (index >= 0) return index;
  }
  return undefined;
}
