import { join } from 'node:path';
import type { ChangeSet, DiffLine, FilePatch, Hunk, Patch } from '../../../src/model/changeset.js';
import { defaultConfig } from '../../../src/config/schema.js';
import { loadChangeSet, parsePatchEmail } from '../../../src/parse/index.js';
import type { PatchRule, Rule, RuleContext, RuleFinding } from '../../../src/rules/types.js';

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/patches/rules/kernel');

/** Parse one patch email given as text (the mbox `From <sha> …` line, when present, is dropped). */
export async function parseMail(raw: string, input = 'test.patch'): Promise<Patch> {
  const text = raw.startsWith('From ') && !raw.startsWith('From: ') ? raw.slice(raw.indexOf('\n') + 1) : raw;
  return parsePatchEmail(text, { input, index: 0 });
}

/** A fixture through the real entry point, as `rubberduck review FILE` would load it. */
export async function loadFixture(name: string): Promise<Patch> {
  const changeset = await loadChangeSet([join(FIXTURES, name)], { config: defaultConfig() });
  const [patch, ...rest] = changeset.patches;
  if (!patch || rest.length > 0) throw new Error(`${name}: expected one patch, got ${changeset.patches.length}`);
  return patch;
}

export function context(patches: Patch[] = []): RuleContext {
  const changeset: ChangeSet = { inputs: ['test'], patches, series: [] };
  return { config: defaultConfig(), changeset };
}

export function run(rule: Rule, patch: Patch): RuleFinding[] {
  if (rule.scope !== 'patch') return [];
  return (rule as PatchRule).check(patch, context([patch]));
}

/** A git format-patch style email with sensible defaults, for targeted tests. */
export function mail(opts: {
  subject?: string;
  from?: string;
  headers?: string;
  inBodyFrom?: string;
  message?: string;
  notes?: string;
  diff?: string;
}): string {
  const subject = opts.subject ?? '[PATCH net] acme: fix rx ring refill on page allocation failure';
  const message =
    opts.message ??
    `When dev_alloc_page() fails while the rx ring is refilled, the driver
maps a NULL page and hands a bogus address to the NIC.

Stop refilling when the allocation fails.

Signed-off-by: Jane Doe <jane.doe@example.com>`;
  const diff =
    opts.diff ??
    `diff --git a/drivers/net/ethernet/acme/acme_main.c b/drivers/net/ethernet/acme/acme_main.c
index 1045ea8dd2a6..32dfd6cad99c 100644
--- a/drivers/net/ethernet/acme/acme_main.c
+++ b/drivers/net/ethernet/acme/acme_main.c
@@ -412,4 +412,6 @@ static int acme_refill_rx(struct acme_ring *ring)
 		buf->page = dev_alloc_page();
+		if (!buf->page)
+			break;
 		buf->dma = dma_map_page(ring->dev, buf->page, 0, PAGE_SIZE,
 					DMA_FROM_DEVICE);
`;
  return [
    `From: ${opts.from ?? 'Jane Doe <jane.doe@example.com>'}`,
    'Date: Tue, 4 Mar 2025 10:12:45 +0100',
    `Subject: ${subject}`,
    'Message-ID: <20250304091245.1-1-jane.doe@example.com>',
    ...(opts.headers ? [opts.headers.replace(/\n$/, '')] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...(opts.inBodyFrom ? [`From: ${opts.inBodyFrom}`, ''] : []),
    message,
    '---',
    ...(opts.notes ? [opts.notes] : []),
    ' drivers/net/ethernet/acme/acme_main.c | 2 ++',
    ' 1 file changed, 2 insertions(+)',
    '',
    diff + '-- ',
    '2.43.0',
    '',
  ].join('\n');
}

/** A Patch built by hand, independent of the parser (for diff-level edge cases). */
export function buildPatch(over: Partial<Patch> = {}): Patch {
  return {
    id: 'hand#0',
    source: { input: 'hand', index: 0, kind: 'email' },
    headers: {},
    references: [],
    subject: {
      raw: '[PATCH net] acme: fix the thing',
      listTags: [],
      prefixes: ['PATCH', 'net'],
      hasPatchTag: true,
      hasPrefix: true,
      rfc: false,
      resend: false,
      version: 1,
      tree: 'net',
      summary: 'acme: fix the thing',
      isReply: false,
    },
    message: 'Fix the thing properly.\nIt was broken.\n\nSigned-off-by: Jane Doe <jane.doe@example.com>',
    messageStartLine: 1,
    trailers: [
      {
        key: 'Signed-off-by',
        value: 'Jane Doe <jane.doe@example.com>',
        raw: 'Signed-off-by: Jane Doe <jane.doe@example.com>',
        line: 4,
        wrapped: false,
        separator: ' ',
        person: { name: 'Jane Doe', email: 'jane.doe@example.com' },
      },
    ],
    from: { name: 'Jane Doe', email: 'jane.doe@example.com' },
    author: { name: 'Jane Doe', email: 'jane.doe@example.com' },
    notes: '',
    files: [],
    isCover: false,
    mime: { attachment: false, html: false },
    lineCount: 10,
    parseProblems: [],
    ...over,
  };
}

/** A file with one hunk of added lines starting at new-side line `start`. */
export function addedFile(path: string, added: string[], opts: Partial<FilePatch> & { start?: number; crlf?: boolean } = {}): FilePatch {
  const start = opts.start ?? 10;
  const lines: DiffLine[] = added.map((text, i) => ({
    kind: 'add',
    text,
    crlf: opts.crlf ?? false,
    newLine: start + i,
    patchLine: 20 + i,
    noNewlineAtEnd: false,
  }));
  const hunk: Hunk = { oldStart: start, oldLines: 0, newStart: start, newLines: added.length, section: '', patchLine: 19, lines };
  const { start: _s, crlf: _c, ...rest } = opts;
  return { oldPath: path, newPath: path, status: 'modified', patchLine: 15, binary: false, hunks: [hunk], ...rest };
}
