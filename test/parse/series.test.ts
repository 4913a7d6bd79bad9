import { describe, expect, it } from 'vitest';
import type { Patch } from '../../src/model/changeset.js';
import { groupSeries, parseFormatPatch, parseSubject } from '../../src/parse/index.js';

function patch(subject: string, messageId: string, opts: { inReplyTo?: string; author?: string } = {}): Patch {
  const parsed = parseSubject(subject);
  const result: Patch = {
    id: `t#${messageId}`,
    source: { input: 't', index: 0, kind: 'email' },
    headers: {},
    messageId,
    references: opts.inReplyTo ? [opts.inReplyTo] : [],
    subject: parsed,
    message: '',
    messageStartLine: 1,
    trailers: [],
    notes: '',
    files: [],
    isCover: parsed.counter === 0,
    mime: { attachment: false, html: false },
    lineCount: 0,
    parseProblems: [],
    author: { name: 'A', email: opts.author ?? 'a@example.com' },
  };
  if (opts.inReplyTo) result.inReplyTo = opts.inReplyTo;
  return result;
}

describe('groupSeries', () => {
  it('sorts patches by counter under their cover', () => {
    const patches = [
      patch('[PATCH net 2/3] b', 'p2', { inReplyTo: 'c' }),
      patch('[PATCH net 0/3] cover', 'c'),
      patch('[PATCH net 3/3] c', 'p3', { inReplyTo: 'c' }),
      patch('[PATCH net 1/3] a', 'p1', { inReplyTo: 'c' }),
    ];
    expect(groupSeries(patches, 'mailing-list')).toEqual([{ id: 'c', version: 1, total: 3, cover: 1, patches: [3, 0, 2], origin: 'mailing-list' }]);
  });

  it('threads 2..N under 1/N when there is no cover', () => {
    const patches = [patch('[PATCH v2 1/2] a', 'p1'), patch('[PATCH v2 2/2] b', 'p2', { inReplyTo: 'p1', author: 'other@example.com' })];
    const [series] = groupSeries(patches, 'mailing-list');
    expect(series).toMatchObject({ version: 2, total: 2, patches: [0, 1] });
    expect(series!.cover).toBeUndefined();
  });

  it('groups unthreaded patches by version, total and author', () => {
    const patches = [
      patch('[PATCH v3 1/2] a', 'x1'),
      patch('[PATCH v3 1/2] a', 'y1', { author: 'b@example.com' }),
      patch('[PATCH v3 2/2] b', 'x2'),
      patch('[PATCH v3 2/2] b', 'y2', { author: 'b@example.com' }),
    ];
    expect(groupSeries(patches, 'mailing-list').map((s) => s.patches)).toEqual([
      [0, 2],
      [1, 3],
    ]);
  });

  it('makes an unnumbered lone patch its own series of total 1', () => {
    const series = groupSeries([patch('[PATCH net] x: y', 'solo')], 'diff');
    expect(series).toEqual([{ id: 'solo', version: 1, total: 1, patches: [0], origin: 'diff' }]);
  });
});

describe('parseFormatPatch', () => {
  it('splits git format-patch --stdout output into patches', async () => {
    const one = (n: number) =>
      `From ${String(n).repeat(40)} Mon Sep 17 00:00:00 2001\nFrom: A <a@example.com>\nSubject: [PATCH ${n}/2] x: change ${n}\n\nBody ${n}.\n\nSigned-off-by: A <a@example.com>\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-${n}\n+${n + 1}\n-- \n2.43.0\n\n`;
    const patches = await parseFormatPatch(one(1) + one(2), 'stdout');
    expect(patches.map((p) => [p.subject.counter, p.files[0]!.hunks[0]!.lines[1]!.text])).toEqual([
      [1, '2'],
      [2, '3'],
    ]);
    expect(patches.every((p) => p.parseProblems.length === 0)).toBe(true);
  });
});
