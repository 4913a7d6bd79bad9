import type { PatchRule, RuleFinding } from '../types.js';

export const mimeAttachment: PatchRule = {
  id: 'kernel/mime-attachment',
  pack: 'kernel',
  scope: 'patch',
  appliesToCover: true,
  severity: 'warning',
  doc: {
    what: 'The patch was sent as a MIME attachment or as HTML instead of inline plain text.',
    why: 'Reviewers reply inline to the diff, and lists such as netdev drop HTML; attachments cannot be quoted.',
    fix: 'Send with `git send-email` or `b4 send`, which put the patch inline as plain text.',
  },
  check(patch): RuleFinding[] {
    if (patch.source.kind !== 'email' || patch.subject.isReply) return [];
    const what = [patch.mime.attachment ? 'as a MIME attachment' : '', patch.mime.html ? 'as HTML' : ''].filter(Boolean);
    if (what.length === 0) return [];
    const contentType = patch.headers['content-type'];
    return [
      {
        message: `patch sent ${what.join(' and ')}; send it inline as plain text`,
        location: { kind: 'headers' },
        ...(contentType ? { evidence: `Content-Type: ${contentType}` } : {}),
      },
    ];
  },
};
