import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePatchEmail, readMbox } from '../../src/parse/index.js';
import { CORPUS, FIXTURES } from './helpers.js';

async function* messagesOf(path: string): AsyncGenerator<Buffer> {
  if (path.endsWith('.mbox') || readFileSync(path, 'latin1').startsWith('From ')) yield* readMbox(path, { maxBytes: 64 << 20 });
  else yield readFileSync(path);
}

const sources = [
  ...readdirSync(FIXTURES).map((name) => join(FIXTURES, name)),
  ...(existsSync(CORPUS) ? readdirSync(CORPUS).filter((name) => /\.(eml|mbox)$/.test(name)).map((name) => join(CORPUS, name)) : []),
].filter((path) => /\.(eml|mbox|patch)$/.test(path));

describe('plain messages read without mailparser', () => {
  it('give the same Patch as mailparser does', async () => {
    let compared = 0;
    for (const path of sources) {
      let index = 0;
      for await (const raw of messagesOf(path)) {
        const source = { input: path, index: index++ };
        const fast = await parsePatchEmail(raw, source);
        const slow = await parsePatchEmail(raw, source, { mailparserOnly: true });
        expect(fast, `${path}#${source.index}`).toEqual(slow);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5);
  });

  it('handles CRLF transport line ends like mailparser', async () => {
    const raw = Buffer.from('From: A <a@example.com>\r\nSubject: [PATCH] x: y\r\n z\r\nMessage-ID: <m@x>\r\n\r\nBody.\r\n\r\nSigned-off-by: A <a@example.com>\r\n---\r\n--- a/f\r\n+++ b/f\r\n@@ -1 +1 @@\r\n-a\r\n+b\r\r\n');
    const fast = await parsePatchEmail(raw, { input: 'crlf', index: 0 });
    expect(fast).toEqual(await parsePatchEmail(raw, { input: 'crlf', index: 0 }, { mailparserOnly: true }));
    expect(fast.subject.summary).toBe('x: y z');
    expect(fast.files[0]!.hunks[0]!.lines.map((l) => l.crlf)).toEqual([false, true]);
  });
});
