import { UsageError } from '../model/errors.js';
import { draftHeader, draftRecipients } from './drafts.js';

/**
 * Sends reply drafts through an SMTP server with nodemailer, each as the exact message drafted
 * (raw), to its To and Cc. `dryRun` says what would be sent and connects to nothing.
 */
export interface SendResult {
  sent: { subject: string; to: string[] }[];
  failed: { subject: string; error: string }[];
}

export async function sendDrafts(url: string, drafts: readonly string[], options: { from: string; dryRun: boolean; log: (line: string) => void }): Promise<SendResult> {
  const result: SendResult = { sent: [], failed: [] };
  if (options.dryRun) {
    for (const draft of drafts) {
      const subject = draftHeader(draft, 'Subject') ?? '(no subject)';
      const to = draftRecipients(draft);
      options.log(`would send "${subject}" to ${to.join(', ') || '(nobody)'}`);
      result.sent.push({ subject, to });
    }
    return result;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError('not a URL (smtp://user:password@host:port or smtps://…)', url);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new UsageError('use an smtp:// or smtps:// URL', url);
  const { createTransport } = await import('nodemailer');
  const transport = createTransport(url);
  try {
    for (const draft of drafts) {
      const subject = draftHeader(draft, 'Subject') ?? '(no subject)';
      const to = draftRecipients(draft);
      try {
        await transport.sendMail({ envelope: { from: options.from, to }, raw: draft });
        result.sent.push({ subject, to });
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        const code = (error as { code?: string }).code;
        // Nothing can be sent through a server that cannot be reached: say so once.
        if (code === 'ESOCKET' || code === 'ECONNECTION' || code === 'ETIMEDOUT' || code === 'EDNS') throw new UsageError(`cannot reach the SMTP server (${message})`, redact(url));
        result.failed.push({ subject, error: message });
      }
    }
  } finally {
    transport.close();
  }
  return result;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
