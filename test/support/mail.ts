/**
 * Patch emails and mailboxes written by the tests themselves: netdev-style patches, cover
 * letters and review replies, with the threading headers a test asks for.
 */

export interface MailSpec {
  subject: string;
  messageId: string;
  from?: string;
  /** RFC 5322 date or ISO; default: 2025-06-03 10:00 UTC plus `minutes`. */
  date?: string;
  minutes?: number;
  inReplyTo?: string;
  references?: string[];
  /** The commit message (a cover letter's text, a reply's text). */
  body?: string;
  /** Add a small drivers/net diff (default: true unless the subject is a cover letter or a reply). */
  diff?: boolean;
  /** The file the diff touches. */
  file?: string;
  /** Extra trailers above the Signed-off-by. */
  trailers?: string[];
  /** Lines between `---` and the diff (a changelog). */
  notes?: string[];
}

export const JANE = 'Jane Developer <jane@example.com>';

function rfcDate(spec: MailSpec): string {
  if (spec.date && !/^\d{4}-/.test(spec.date)) return spec.date;
  const base = spec.date ? new Date(spec.date) : new Date(Date.UTC(2025, 5, 3, 10, 0, 0));
  return new Date(base.getTime() + (spec.minutes ?? 0) * 60_000).toUTCString().replace('GMT', '+0000');
}

/** One message as RFC 5322 text (LF line ends). */
export function mail(spec: MailSpec): string {
  const from = spec.from ?? JANE;
  const isReply = /^re:/i.test(spec.subject);
  const isCover = /\b0\/\d+\]/.test(spec.subject);
  const withDiff = spec.diff ?? (!isReply && !isCover);
  const headers = [`From: ${from}`, 'To: netdev@vger.kernel.org', `Subject: ${spec.subject}`, `Date: ${rfcDate(spec)}`, `Message-Id: <${spec.messageId}>`];
  if (spec.inReplyTo) headers.push(`In-Reply-To: <${spec.inReplyTo}>`);
  const refs = spec.references ?? (spec.inReplyTo ? [spec.inReplyTo] : []);
  if (refs.length > 0) headers.push(`References: ${refs.map((r) => `<${r}>`).join(' ')}`);
  const body: string[] = [];
  if (isReply) body.push(spec.body ?? 'Thanks.');
  else {
    body.push(spec.body ?? 'The foo driver leaks the rx buffer when the ring is full: free it before\nreturning, so that the buffer pool does not run dry under load.');
    body.push('', ...(spec.trailers ?? []), `Signed-off-by: ${from}`);
  }
  if (withDiff) {
    const file = spec.file ?? 'drivers/net/ethernet/foo/foo_main.c';
    body.push(
      '---',
      ...(spec.notes ? [...spec.notes, ''] : []),
      ` ${file} | 1 +`,
      ' 1 file changed, 1 insertion(+)',
      '',
      `diff --git a/${file} b/${file}`,
      'index 1111111111aa..2222222222bb 100644',
      `--- a/${file}`,
      `+++ b/${file}`,
      '@@ -40,6 +40,7 @@ static int foo_rx(struct foo_priv *priv, struct sk_buff *skb)',
      ' \tif (foo_ring_full(priv)) {',
      ' \t\tpriv->stats.rx_dropped++;',
      '+\t\tdev_kfree_skb_any(skb);',
      ' \t\treturn -ENOBUFS;',
      ' \t}',
      ' ',
      '-- ',
      '2.43.0',
    );
  } else if (!isReply && spec.notes) body.push('---', ...spec.notes);
  return `${headers.join('\n')}\n\n${body.join('\n')}\n`;
}

/** Messages as an mboxrd, `From ` lines in bodies quoted. */
export function mbox(messages: string[]): string {
  return messages.map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m.replace(/^(>*From )/gm, '>$1')}\n`).join('');
}

/** A whole series: cover (when total > 1 and `cover` is not false) and patches 1..total threaded under it. */
export function series(opts: { prefix: string; title: string; total: number; id: string; cover?: boolean; from?: string; minutes?: number; only?: number[]; inReplyTo?: string; notes?: string[] }): string[] {
  const { prefix, title, total, id } = opts;
  const out: string[] = [];
  const withCover = opts.cover ?? total > 1;
  const root = withCover ? `${id}-0@example.com` : `${id}-1@example.com`;
  const base = { ...(opts.from ? { from: opts.from } : {}), minutes: opts.minutes ?? 0 };
  if (withCover) {
    out.push(
      mail({
        ...base,
        subject: `[${prefix} 0/${total}] ${title}`,
        messageId: root,
        body: `This series reworks ${title}.`,
        ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}),
        ...(opts.notes ? { notes: opts.notes } : {}),
      }),
    );
  }
  for (let k = 1; k <= total; k++) {
    if (opts.only && !opts.only.includes(k)) continue;
    const counter = total > 1 || withCover ? ` ${k}/${total}` : '';
    const messageId = `${id}-${k}@example.com`;
    const parent = withCover || k > 1 ? root : opts.inReplyTo;
    out.push(
      mail({
        ...base,
        minutes: (opts.minutes ?? 0) + k,
        subject: `[${prefix}${counter}] ${title}, part ${k}`,
        messageId,
        ...(parent ? { inReplyTo: parent } : {}),
        ...(!withCover && k === 1 && opts.notes ? { notes: opts.notes } : {}),
      }),
    );
  }
  return out;
}
