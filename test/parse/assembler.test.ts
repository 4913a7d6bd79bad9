import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import type { ChangeSet, Patch } from '../../src/model/changeset.js';
import { loadChangeSet, parsePatchEmail, SeriesAssembler, streamChangeSets, type AssembledUnit } from '../../src/parse/index.js';
import { mail, mbox, series } from '../support/mail.js';

const config = defaultConfig();

async function parsed(messages: string[]): Promise<Patch[]> {
  return Promise.all(messages.map((text, index) => parsePatchEmail(text, { input: 'list.mbox', index })));
}

function subjects(unit: AssembledUnit): string[] {
  return unit.patches.map((p) => p.subject.raw);
}

/** Feeds messages one by one; records after which message each unit came out. */
function feed(assembler: SeriesAssembler, messages: Patch[]): { at: number; unit: AssembledUnit }[] {
  const out: { at: number; unit: AssembledUnit }[] = [];
  messages.forEach((message, at) => {
    for (const unit of assembler.add(message)) out.push({ at, unit });
  });
  for (const unit of assembler.end()) out.push({ at: messages.length, unit });
  return out;
}

describe('SeriesAssembler', () => {
  it('lets a series out as soon as it is whole, in the order of first messages, even interleaved', async () => {
    const a = series({ prefix: 'PATCH net-next', title: 'net: foo: rework rx', total: 2, id: 'a' });
    const b = series({ prefix: 'PATCH net', title: 'net: bar: fix a leak', total: 1, id: 'b' });
    // a0 b1 a1 a2: b is whole first, but waits for a, which started earlier.
    const messages = await parsed([a[0]!, b[0]!, a[1]!, a[2]!]);
    const units = feed(new SeriesAssembler(), messages);
    expect(units.map((u) => [u.at, subjects(u.unit).length])).toEqual([
      [3, 3],
      [3, 1],
    ]);
    expect(subjects(units[0]!.unit)).toEqual(['[PATCH net-next 0/2] net: foo: rework rx', '[PATCH net-next 1/2] net: foo: rework rx, part 1', '[PATCH net-next 2/2] net: foo: rework rx, part 2']);
  });

  it('holds an incomplete series for the window, then lets it out', async () => {
    const partial = series({ prefix: 'PATCH net-next', title: 'net: foo: rework rx', total: 3, id: 'p', only: [1, 3] });
    const others = Array.from({ length: 4 }, (_, i) => series({ prefix: 'PATCH net', title: `net: bar: fix leak ${i}`, total: 1, id: `o${i}` })[0]!);
    const units = feed(new SeriesAssembler({ window: 3 }), await parsed([...partial, ...others]));
    // The cover and 1/3, 3/3 (messages 0-2); three more messages later the window closes.
    expect(units[0]).toMatchObject({ at: 5 });
    expect(subjects(units[0]!.unit)).toHaveLength(3);
    expect(units.map((u) => u.at)).toEqual([5, 5, 5, 5, 6]);
  });

  it('joins unthreaded patches by version, count and sender, and a cover that comes after its patches', async () => {
    const plain = (k: number, from = 'Jane Developer <jane@example.com>') => mail({ subject: `[PATCH v2 ${k}/2] net: foo: step ${k}`, messageId: `u${k}-${from.length}@x`, from });
    const lateCover = [
      mail({ subject: '[PATCH net 1/1] net: baz: fix', messageId: 'z1@x', inReplyTo: 'z0@x' }),
      mail({ subject: '[PATCH net 0/1] net: baz: the cover', messageId: 'z0@x' }),
    ];
    const messages = await parsed([plain(1), plain(1, 'Joe Other <joe@example.com>'), plain(2), plain(2, 'Joe Other <joe@example.com>'), ...lateCover]);
    const units = feed(new SeriesAssembler(), messages).map((u) => subjects(u.unit));
    expect(units).toEqual([
      ['[PATCH v2 1/2] net: foo: step 1', '[PATCH v2 2/2] net: foo: step 2'],
      ['[PATCH v2 1/2] net: foo: step 1', '[PATCH v2 2/2] net: foo: step 2'],
      ['[PATCH net 1/1] net: baz: fix', '[PATCH net 0/1] net: baz: the cover'],
    ]);
  });

  it('keeps replies with the unit they answer while it is open; a later reply comes out alone, not holding anything up', async () => {
    const s = series({ prefix: 'PATCH net', title: 'net: foo: fix', total: 2, id: 's' });
    const early = mail({ subject: 'Re: [PATCH net 1/2] net: foo: fix, part 1', messageId: 'r1@x', inReplyTo: 's-1@example.com', references: ['s-0@example.com', 's-1@example.com'], body: 'Reviewed-by: Joe Reviewer <joe@example.com>' });
    const late = mail({ subject: 'Re: [PATCH net 2/2] net: foo: fix, part 2', messageId: 'r2@x', inReplyTo: 's-2@example.com', body: 'NAK' });
    const orphan = mail({ subject: 'Re: something older', messageId: 'r3@x', inReplyTo: 'gone@x', body: 'Indeed.' });
    const next = series({ prefix: 'PATCH net', title: 'net: bar: fix', total: 1, id: 'n' });
    const units = feed(new SeriesAssembler({ window: 10 }), await parsed([s[0]!, s[1]!, early, s[2]!, late, orphan, ...next]));
    expect(units.map((u) => [u.unit.patches.length, u.unit.replies.map((r) => r.messageId)])).toEqual([
      [3, ['r1@x']],
      [0, ['r2@x']],
      [1, []],
      [0, ['r3@x']],
    ]);
  });
});

describe('streamChangeSets', () => {
  it('gives the first series before the rest of the mailbox is read', async () => {
    const first = series({ prefix: 'PATCH net', title: 'net: foo: fix', total: 2, id: 'f' });
    const rest = Array.from({ length: 30 }, (_, i) => series({ prefix: 'PATCH net-next', title: `net: bar: step ${i}`, total: 1, id: `r${i}` })[0]!);
    const chunks = [mbox(first), ...rest.map((m) => mbox([m]))];
    let read = 0;
    const stdin = Readable.from(
      (function* () {
        for (const chunk of chunks) {
          read++;
          yield Buffer.from(chunk);
        }
      })(),
    );
    const readWhenFirst: number[] = [];
    const units: ChangeSet[] = [];
    for await (const unit of streamChangeSets(['-'], { config, stdin })) {
      if (units.length === 0) readWhenFirst.push(read);
      units.push(unit);
    }
    expect(readWhenFirst[0]).toBeLessThan(5);
    expect(units).toHaveLength(31);
    expect(units[0]!.series).toEqual([expect.objectContaining({ id: 'f-0@example.com', total: 2, cover: 0, patches: [1, 2] })]);
  });

  it('loadChangeSet collects the units back into input order, with replies numbered to their patches', async () => {
    const a = series({ prefix: 'PATCH net-next', title: 'net: foo: rework rx', total: 2, id: 'a' });
    const b = series({ prefix: 'PATCH net', title: 'net: bar: fix a leak', total: 1, id: 'b' });
    const reply = mail({ subject: 'Re: [PATCH net] net: bar: fix a leak', messageId: 'rb@x', inReplyTo: 'b-1@example.com', body: '> quoted\n\nAcked-by: Ann Maintainer <ann@example.com>' });
    const text = mbox([b[0]!, a[0]!, a[1]!, reply, a[2]!]);
    const changeset = await loadChangeSet(['-'], { config, stdin: Readable.from([Buffer.from(text)]) });
    expect(changeset.patches.map((p) => p.source.index)).toEqual([0, 1, 2, 4]);
    expect(changeset.series.map((s) => [s.cover, s.patches])).toEqual([
      [undefined, [0]],
      [1, [2, 3]],
    ]);
    expect(changeset.replies).toEqual([
      expect.objectContaining({ messageId: 'rb@x', patch: 0, text: 'Acked-by: Ann Maintainer <ann@example.com>', trailers: [expect.objectContaining({ key: 'Acked-by', person: { name: 'Ann Maintainer', email: 'ann@example.com' } })] }),
    ]);
  });

  it('links a v2 to the v1 it follows in the same thread', async () => {
    const v1 = series({ prefix: 'PATCH net-next', title: 'net: foo: rework rx', total: 2, id: 'v1' });
    const v2 = series({ prefix: 'PATCH net-next v2', title: 'net: foo: rework rx', total: 2, id: 'v2', minutes: 600, inReplyTo: 'v1-0@example.com' });
    const changeset = await loadChangeSet(['-'], { config, stdin: Readable.from([Buffer.from(mbox([...v1, ...v2]))]) });
    expect(changeset.series).toHaveLength(2);
    expect(changeset.series[1]!.previous).toEqual({
      id: 'v1-0@example.com',
      version: 1,
      subject: '[PATCH net-next 0/2] net: foo: rework rx',
      date: '2025-06-03T10:00:00.000Z',
      messageIds: ['v1-0@example.com', 'v1-1@example.com', 'v1-2@example.com'],
    });
    expect(changeset.series[0]!.previous).toBeUndefined();
  });
});
