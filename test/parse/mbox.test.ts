import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { defaultConfig } from '../../src/config/schema.js';
import { loadChangeSet, readMbox, splitMbox } from '../../src/parse/index.js';
import { fixture } from './helpers.js';

async function collect(path: string, maxBytes = 1 << 20): Promise<string[]> {
  const out: string[] = [];
  for await (const message of readMbox(path, { maxBytes })) out.push(message.toString('utf8'));
  return out;
}

function temp(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-mbox-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const body = (text: string) => `From: a@b.c\nSubject: x\n\n${text}\n`;

describe('readMbox', () => {
  it('unquotes mboxrd: one > less on any >+From line', async () => {
    const path = temp('rd.mbox', `From mboxrd@z Thu Jan  1 00:00:00 1970\n${body('top\n\n>From here\n>>From there')}\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\n${body('second')}`);
    const messages = await collect(path);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('\nFrom here\n>From there\n');
    expect(messages[0]!.startsWith('From: a@b.c')).toBe(true);
    expect(messages[1]).toContain('second');
  });

  it('unquotes mboxo: only >From, deeper quoting stays', async () => {
    const path = temp('o.mbox', `From someone@example.com Mon Mar 10 09:00:00 2025\n${body('top\n\n>From here\n>>From there')}\nFrom someone@example.com Mon Mar 10 09:01:00 2025\n${body('second')}`);
    const messages = await collect(path);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('\nFrom here\n>>From there\n');
  });

  it('splits only after a blank line', async () => {
    const path = temp('noblank.mbox', `From x@y Mon Mar 10 09:00:00 2025\n${body('line\nFrom inside the text')}`);
    expect(await collect(path)).toHaveLength(1);
  });

  it('splits git format-patch output only on its magic From line', () => {
    const sha = 'a'.repeat(40);
    const text = `From ${sha} Mon Sep 17 00:00:00 2001\n${body('one\n\nFrom the start this is text')}From ${sha.replace(/a/g, 'b')} Mon Sep 17 00:00:00 2001\n${body('two')}`;
    const messages = splitMbox(Buffer.from(text), { maxBytes: 1 << 20 });
    expect(messages).toHaveLength(2);
    expect(messages[0]!.toString()).toContain('\nFrom the start this is text');
  });

  it('streams in chunks without losing a separator that straddles chunks', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 400; i++) parts.push(`From x@y Mon Mar 10 09:00:00 2025\n${body(`message ${i} ${'x'.repeat(5000)}`)}`);
    const path = temp('big.mbox', parts.join('\n'));
    const messages = await collect(path, 10 << 20);
    expect(messages).toHaveLength(400);
    expect(messages[399]).toContain('message 399 ');
  });

  it('yields a bare message (no From line) whole', async () => {
    const path = temp('bare.mbox', body('hello\n\nFrom the top'));
    const messages = await collect(path);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('From the top');
  });

  it('refuses input over maxBytes', async () => {
    const path = temp('limit.mbox', `From x@y Mon Mar 10 09:00:00 2025\n${body('y'.repeat(2000))}`);
    await expect(collect(path, 100)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('mbox → ChangeSet', () => {
  it('groups a cover letter and its patches, drops review replies, unquotes mboxrd', async () => {
    const changeset = await loadChangeSet([fixture('heron-v2-series.mboxrd.mbox')], { config: defaultConfig() });
    expect(changeset.patches).toHaveLength(3);
    expect(changeset.patches.map((p) => p.subject.counter)).toEqual([0, 1, 2]);
    expect(changeset.series).toEqual([
      { id: '20250310-heron-v2-0@example.com', version: 2, total: 2, cover: 0, patches: [1, 2], origin: 'mailing-list' },
    ]);
    const [cover, first] = changeset.patches;
    expect(cover!.isCover).toBe(true);
    expect(cover!.message).toContain("\nFrom the user's point of view");
    expect(first!.message).toContain('\nFrom the datasheet: the engine stalls');
    expect(first!.message).toContain('\n>From here on the quoting is literal.');
    expect(first!.files[0]!.hunks[0]!.corrupt).toBeUndefined();
  });

  it('refuses an empty mbox', async () => {
    const path = temp('empty.mbox', 'From x@y Mon Mar 10 09:00:00 2025\n\n');
    await expect(loadChangeSet([path], { config: defaultConfig() })).rejects.toThrow(/empty mbox/);
    await expect(loadChangeSet([path], { config: defaultConfig() })).rejects.toMatchObject({ input: path });
  });
});
