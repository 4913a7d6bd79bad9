import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PatchSchema } from '../../src/model/changeset.js';
import { normaliseMessageId, parsePatchEmail } from '../../src/parse/index.js';
import { fixture } from './helpers.js';

const source = (input: string) => ({ input, index: 0 });

describe('parsePatchEmail', () => {
  it('decodes a quoted-printable body and an RFC 2047 subject', async () => {
    const patch = await parsePatchEmail(readFileSync(fixture('qp-rfc2047.eml')), source('qp.eml'));
    expect(PatchSchema.parse(patch)).toBeTruthy();
    expect(patch.subject.raw).toBe('[PATCH net-next v2] net: swan: wait for PHY reset before reading status — café');
    expect(patch.subject).toMatchObject({ tree: 'net-next', version: 2, summary: 'net: swan: wait for PHY reset before reading status — café' });
    expect(patch.headers.subject).toBe(patch.subject.raw);
    expect(patch.from).toEqual({ name: 'Zoë Lindqvist', email: 'zoe.lindqvist@example.se' });
    expect(patch.author).toEqual(patch.from);
    expect(patch.message).toContain('a café of link flaps');
    // Lines count from the start of the file (10 header lines), as checkpatch's #N do.
    expect(patch.messageStartLine).toBe(11);
    expect(patch.trailers[0]).toMatchObject({ key: 'Signed-off-by', person: { name: 'Zoë Lindqvist' }, line: 6 });
    expect(patch.notes).toContain('swan_phy.c | 1 +');
    expect(patch.notesStartLine).toBe(18);
    // The soft-wrapped (=\n) diff --git line is whole again.
    expect(patch.files).toHaveLength(1);
    // (Quoted-printable lines are counted decoded: the soft break does not add a line.)
    expect(patch.files[0]).toMatchObject({ newPath: 'drivers/net/ethernet/swan/swan_phy.c', patchLine: 21 });
    const added = patch.files[0]!.hunks[0]!.lines.find((l) => l.kind === 'add')!;
    expect(added).toMatchObject({ text: '\tswan_phy_wait_reset(priv);', newLine: 91, patchLine: 29, crlf: false });
    expect(patch.messageId).toBe('20250306130211.4242-1-zoe.lindqvist@example.se');
    expect(patch.parseProblems).toEqual([]);
    expect(patch.mime).toEqual({ attachment: false, html: false });
  });

  it('decodes a base64 body', async () => {
    const patch = await parsePatchEmail(readFileSync(fixture('base64.eml')), source('b64.eml'));
    expect(patch.subject.version).toBe(3);
    expect(patch.files[0]!.hunks[0]!.lines.filter((l) => l.kind === 'add')).toHaveLength(1);
    expect(patch.trailers[0]!.person?.name).toBe('Zoë Lindqvist');
  });

  it('resolves a B4 Relay sender through the in-body From and X-Original-From', async () => {
    const raw = readFileSync(fixture('b4-relay.eml'), 'utf8');
    const patch = await parsePatchEmail(raw, source('relay.eml'));
    expect(patch.from).toEqual({ name: 'Hugo Marsh via B4 Relay', email: 'devnull+hugo.marsh.example.com@kernel.org' });
    expect(patch.author).toEqual({ name: 'Hugo Marsh', email: 'hugo.marsh@example.com' });
    expect(patch.messageStartLine).toBe(16); // its line in the file
    expect(patch.message.startsWith('A VF reset keeps')).toBe(true);
    expect(patch.trailers.map((t) => t.key)).toEqual(['Fixes', 'Signed-off-by']);
    expect(patch.notes).toContain('Changes in v2:');
    expect(patch.subject).toMatchObject({ tree: 'iwl-net', version: 2, counter: 1, total: 1 });
    expect(patch.files[0]!.hunks).toHaveLength(1);
    expect(patch.files[0]!.hunks[0]!.corrupt).toBeUndefined();

    // Without the in-body From, X-Original-From still names the author.
    const withoutInBody = await parsePatchEmail(raw.replace('\nFrom: Hugo Marsh <hugo.marsh@example.com>\n', '\n'), source('relay2.eml'));
    expect(withoutInBody.author).toEqual({ name: 'Hugo Marsh', email: 'hugo.marsh@example.com' });
  });

  it('takes the diff from a text/x-patch attachment', async () => {
    const patch = await parsePatchEmail(readFileSync(fixture('attachment.eml')), source('att.eml'));
    expect(patch.mime).toEqual({ attachment: true, html: false });
    expect(patch.message).toContain('ENOTSUPP is an NFS-internal error code');
    expect(patch.trailers.map((t) => t.key)).toEqual(['Signed-off-by']);
    expect(patch.files).toHaveLength(1);
    expect(patch.files[0]!.hunks[0]!.lines.find((l) => l.kind === 'add')!.text).toBe('\t\treturn -EOPNOTSUPP;');
    expect(patch.files[0]!.patchLine).toBeGreaterThan(patch.messageStartLine);
    expect(patch.parseProblems).toEqual([]);
    expect(patch.subject.tree).toBe('net-next');
  });

  it('marks an HTML-only message', async () => {
    const patch = await parsePatchEmail(readFileSync(fixture('html-only.eml')), source('html.eml'));
    expect(patch.mime.html).toBe(true);
    expect(patch.mime.attachment).toBe(false);
  });

  it('lets in-body Subject and Date override the headers', async () => {
    const raw = [
      'From: Sender <sender@example.com>',
      'Subject: [PATCH 1/1] wrong subject',
      'Message-ID: <x@y>',
      '',
      'From: Real Author <real@example.com>',
      'Subject: [PATCH net 1/1] net: real subject',
      'Date: Mon, 1 Jan 2024 00:00:00 +0000',
      '',
      'Body.',
      '',
      'Signed-off-by: Real Author <real@example.com>',
      '---',
      'diff --git a/a b/a',
      '--- a/a',
      '+++ b/a',
      '@@ -1 +1 @@',
      '-x',
      '+y',
      '',
    ].join('\n');
    const patch = await parsePatchEmail(raw, source('inbody.eml'));
    expect(patch.subject.summary).toBe('net: real subject');
    expect(patch.author?.email).toBe('real@example.com');
    expect(patch.date).toBe('2024-01-01T00:00:00.000Z');
    // Numbered from the first line of the message, headers included.
    expect(patch.messageStartLine).toBe(9);
    expect(patch.files[0]!.hunks[0]!.lines[1]).toMatchObject({ kind: 'add', patchLine: 18 });
  });

  it('reports a patch email without a diff, but not a cover letter', async () => {
    const noDiff = await parsePatchEmail('Subject: [PATCH net 1/2] net: x\nFrom: a@b.c\n\nJust words.\n', source('nodiff.eml'));
    expect(noDiff.parseProblems.map((p) => p.message)).toEqual([expect.stringMatching(/no unified diff/)]);
    const cover = await parsePatchEmail('Subject: [PATCH net 0/2] net: series\nFrom: a@b.c\n\nCover.\n', source('cover.eml'));
    expect(cover.isCover).toBe(true);
    expect(cover.parseProblems).toEqual([]);
  });

  it('normalises message ids without angle brackets', async () => {
    const patch = await parsePatchEmail(
      'Subject: Re: [PATCH] x\nMessage-ID:\n <child@example.com>\nIn-Reply-To: <parent@example.com> (message from Someone)\nReferences: <root@example.com>\n <parent@example.com>\n\nhi\n',
      source('ids.eml'),
    );
    expect(patch.messageId).toBe('child@example.com');
    expect(patch.inReplyTo).toBe('parent@example.com');
    expect(patch.references).toEqual(['root@example.com', 'parent@example.com']);
    expect(normaliseMessageId(' <a@b> ')).toBe('a@b');
    expect(normaliseMessageId('a@b')).toBe('a@b');
  });
});
