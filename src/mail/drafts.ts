import type { ChangeSet, Person, Series } from '../model/changeset.js';
import type { Finding } from '../model/finding.js';
import { parsePerson, splitMailboxes } from '../parse/person.js';
import { quoteReply, replyHeaders, replySignature } from '../report/email.js';

/**
 * The reply a maintainer would send to a series that needs changes: one RFC 5322 message to the
 * lead message (the cover letter, else the first patch), threaded under it, bottom-posted,
 * quoting only the lines each finding is about, patch by patch. Composed while the series' patches
 * are in memory and kept in the history, so the streaming triage never holds an archive.
 */
export interface DraftOptions {
  reviewer: Person;
  version: string;
  now?: Date;
}

/** Warnings and errors are what a reply asks to change; infos stay in the report. */
const worthReplying = (f: Finding) => f.severity !== 'info';

export function seriesReplyDraft(changeset: ChangeSet, series: Series, findings: readonly Finding[], options: DraftOptions): string | undefined {
  const indices = [...(series.cover !== undefined ? [series.cover] : []), ...series.patches];
  const lead = changeset.patches[indices[0]!];
  if (!lead) return undefined;
  const mine = findings.filter((f) => worthReplying(f) && (f.patch === undefined ? false : indices.includes(f.patch)));
  if (mine.length === 0) return undefined;
  const body: string[] = [];
  const several = indices.filter((i) => mine.some((f) => f.patch === i)).length > 1 || mine.some((f) => f.patch !== indices[0]);
  if (several) body.push('Hi,', '', 'a few things to fix before this can be applied, patch by patch below.', '');
  for (const index of indices) {
    const own = mine.filter((f) => f.patch === index);
    if (own.length === 0) continue;
    body.push(...quoteReply(changeset.patches[index]!, own));
  }
  const reply = { reviewer: options.reviewer, version: options.version, ...(options.now ? { now: options.now } : {}) };
  return [...replyHeaders(lead, reply), '', ...body, ...replySignature(reply), ''].join('\n');
}

/** The recipients of a draft: its To and Cc addresses. */
export function draftRecipients(draft: string): string[] {
  const head = draft.slice(0, draft.indexOf('\n\n'));
  const fields = head.split(/\n(?![ \t])/).filter((line) => /^(to|cc):/i.test(line));
  const addresses = fields.flatMap((field) => splitMailboxes(field.replace(/^[^:]*:/, '')).flatMap((mailbox) => parsePerson(mailbox)?.email ?? []));
  return [...new Set(addresses)];
}

/** A header of a draft (unfolded), e.g. `Subject`. */
export function draftHeader(draft: string, name: string): string | undefined {
  const head = draft.slice(0, draft.indexOf('\n\n'));
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\n[ \t]+/g, ' ').trim();
}
