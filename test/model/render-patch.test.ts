import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Patch } from '../../src/model/changeset.js';
import { renderPatchBody, renderPatchEmail, rfc5322Date } from '../../src/model/render-patch.js';
import { parseDiff, parsePatchEmail } from '../../src/parse/index.js';
import { parsePlainDiff } from '../../src/parse/load.js';

const root = join(import.meta.dirname, '../..');
const demoPath = join(root, 'fixtures/patches/cli/netdev-bad-fixes.eml');
const FILE = 'drivers/net/ethernet/marvell/mvpp2/mvpp2_main.c';

async function demo(): Promise<Patch> {
  return parsePatchEmail(readFileSync(demoPath), { input: demoPath, index: 0 });
}

/** What survives a render → parse round trip (positions in the text may move). */
function essence(patch: Patch) {
  return {
    subject: patch.subject.raw,
    message: patch.message.replace(/\n+$/, ''),
    messageId: patch.messageId,
    from: patch.from,
    author: patch.author,
    trailers: patch.trailers.map((t) => t.raw),
    files: patch.files.map((f) => ({
      oldPath: f.oldPath,
      newPath: f.newPath,
      status: f.status,
      hunks: f.hunks.map((h) => ({
        header: [h.oldStart, h.oldLines, h.newStart, h.newLines, h.section],
        corrupt: h.corrupt,
        lines: h.lines.map((l) => [l.kind, l.text, l.oldLine, l.newLine]),
      })),
    })),
  };
}

describe('renderPatchBody', () => {
  it('lays out message, ---, notes and diff the way format-patch does, with a map back to each place', async () => {
    const patch = await demo();
    const body = renderPatchBody(patch);
    const messageLines = patch.message.replace(/\n+$/, '').split('\n');
    expect(body.lines.slice(0, messageLines.length)).toEqual(messageLines);
    expect(body.lines[messageLines.length]).toBe('---');
    expect(body.lines).toContain(' 1 file changed, 9 insertions(+), 2 deletions(-)');
    expect(body.lines).toContain(`diff --git a/${FILE} b/${FILE}`);
    expect(body.lines).toContain('@@ -100,14 +100,20 @@ static int mvpp2_rx_refill(struct mvpp2_port *port,');

    // Message line 8 is the Fixes tag; new-side line 101 is the added `int err;`.
    expect(body.lines[body.messageLine(8)!]).toBe('Fixes: Commit 3f518509dedc ("mvpp2: Add support for the Marvell PPv2 network controller")');
    expect(body.lines[body.diffLine(FILE, 'new', 101)!]).toBe('+\tint err;');
    expect(body.lines[body.diffLine(FILE, 'new', 100)!]).toBe(' {');
    // A deleted line is found by its old-side number only.
    expect(body.lines[body.diffLine(FILE, 'old', 107)!]).toBe('-\tif (!buf)');
    expect(body.lines[body.fileHeader(FILE)!]).toBe(`diff --git a/${FILE} b/${FILE}`);
    expect(body.messageLine(999)).toBeUndefined();
    expect(body.diffLine('no/such/file.c', 'new', 101)).toBeUndefined();
  });

  it('the diff part of the body re-parses to the same hunks', async () => {
    const patch = await demo();
    const body = renderPatchBody(patch);
    const start = body.fileHeader(FILE)!;
    const parsed = parseDiff(body.lines.slice(start).join('\n') + '\n');
    expect(parsed.problems).toEqual([]);
    expect(parsed.files[0]!.hunks.map((h) => h.lines.map((l) => [l.kind, l.text]))).toEqual(patch.files[0]!.hunks.map((h) => h.lines.map((l) => [l.kind, l.text])));
  });

  it('a bare diff has no message and no --- separator', () => {
    const text = ['--- a/src/app.ts', '+++ b/src/app.ts', '@@ -1,2 +1,2 @@', ' const a = 1;', '-const b = 2;', '+const b = 3;', ''].join('\n');
    const patch = parsePlainDiff(text, { input: 'app.diff', index: 0 });
    const lines = renderPatchBody(patch).lines;
    expect(lines).not.toContain('---');
    expect(lines[0]).toMatch(/^diff --git a\/src\/app.ts b\/src\/app.ts$/);
    expect(lines.slice(-3)).toEqual([' const a = 1;', '-const b = 2;', '+const b = 3;']);
  });
});

describe('renderPatchEmail', () => {
  it('writes an mbox message that parses back to the same patch', async () => {
    const patch = await demo();
    const text = renderPatchEmail(patch);
    expect(text.startsWith('From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n')).toBe(true);
    expect(text).toContain('\nSubject: [PATCH net] net: mvpp2: fix buffer leak in mvpp2_rx_refill()\n');
    expect(text).toContain('\nMessage-ID: <20250603081500.12345-1-jane@example.com>\n');
    expect(text).toContain(`\nDate: ${rfc5322Date(patch.date!)}\n`);
    const again = await parsePatchEmail(text, { input: 'again.eml', index: 0 });
    expect(again.parseProblems).toEqual([]);
    expect(essence(again)).toEqual(essence(patch));
  });

  it('keeps authorship with an in-body From when the sender is not the author', async () => {
    const patch = await demo();
    const relayed: Patch = { ...patch, from: { name: 'B4 Relay', email: 'devnull+jane.example.com@kernel.org' } };
    const text = renderPatchEmail(relayed);
    const head = text.split('\n\n')[0]!;
    expect(head).toContain('From: B4 Relay <devnull+jane.example.com@kernel.org>');
    expect(text).toContain('\n\nFrom: Jane Developer <jane@example.com>\n\n');
    const again = await parsePatchEmail(text, { input: 'again.eml', index: 0 });
    expect(again.author).toEqual({ name: 'Jane Developer', email: 'jane@example.com' });
    expect(again.message.split('\n')[0]).toBe(patch.message.split('\n')[0]);
  });

  it('escapes body lines that start with "From " so an mbox reader does not split there', async () => {
    const patch = await demo();
    const text = renderPatchEmail({ ...patch, message: `From now on the pool is refilled.\n\n${patch.message}` });
    expect(text).toContain('\n>From now on the pool is refilled.\n');
    expect(text.match(/^From /gm)).toHaveLength(1);
  });

  it('a bare diff comes back as the diff alone', () => {
    const text = ['--- a/src/app.ts', '+++ b/src/app.ts', '@@ -1,2 +1,2 @@', ' const a = 1;', '-const b = 2;', '+const b = 3;', ''].join('\n');
    const patch = parsePlainDiff(text, { input: 'app.diff', index: 0 });
    const out = renderPatchEmail(patch);
    expect(out).not.toMatch(/^From /);
    expect(out.endsWith('+const b = 3;\n')).toBe(true);
    const again = parseDiff(out);
    expect(again.problems).toEqual([]);
    expect(again.files[0]!.hunks[0]!.lines.map((l) => l.kind)).toEqual(['ctx', 'del', 'add']);
  });
});
