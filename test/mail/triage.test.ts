import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigSchema, defaultConfig } from '../../src/config/schema.js';
import { HistoryStore } from '../../src/mail/history.js';
import { runTriage, type TriageOptions } from '../../src/mail/triage.js';
import { TriageReportSchema, type TriageSeries } from '../../src/mail/schema.js';
import { UsageError } from '../../src/model/errors.js';
import { mail, mbox, series } from '../support/mail.js';

const fixture = join(import.meta.dirname, '../../fixtures/patches/triage/netdev-week.mbox');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-triage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function triage(input: string, extra: Partial<TriageOptions> = {}) {
  const result = await runTriage({ input, db: join(dir, 'history.sqlite'), config: defaultConfig(), ...extra });
  expect(TriageReportSchema.parse(result.report)).toEqual(result.report);
  return result;
}

function bySubject(list: TriageSeries[], text: string, version = 1): TriageSeries {
  const found = list.find((s) => s.subject.includes(text) && s.version === version);
  if (!found) throw new Error(`no series "${text}" v${version} in ${list.map((s) => s.subject).join(' | ')}`);
  return found;
}

describe('runTriage on the fixture week of netdev', () => {
  it('builds the series as patchwork and b4 do, and grades each', async () => {
    const { report } = await triage(fixture);
    expect(report.run.messages).toBe(23);
    expect(report.totals).toEqual({ series: 9, ready: 4, changesRequested: 2, needsHuman: 3 });

    // Threaded under a cover, review trailers collected from replies, the late one too.
    const quack = bySubject(report.series, 'quack: convert the rx path');
    expect(quack).toMatchObject({ verdict: 'ready', received: 3, expected: 3, missing: [], tree: 'net-next' });
    expect(quack.replies.trailers).toEqual(['Reviewed-by: Paolo Reviewer <paolo@example.org>', 'Acked-by: Jakub Maintainer <jakub@example.org>', 'Tested-by: Jakub Maintainer <jakub@example.org>']);
    expect(quack.messages.map((m) => m.counter)).toEqual([0, 1, 2, 3]);

    // No threading headers: grouped by sender, version and count.
    const honk = bySubject(report.series, 'honk: reset the ring', 2);
    expect(honk).toMatchObject({ received: 2, expected: 2, verdict: 'ready' });

    // A missing member.
    const moo = bySubject(report.series, 'moo: ethtool statistics');
    expect(moo).toMatchObject({ received: 2, expected: 3, missing: [2], verdict: 'needs-human' });
    expect(moo.checks.find((c) => c.name === 'members')).toEqual({ name: 'members', state: 'warning', description: '2 of 3 received (missing 2/3)' });

    // v2 threaded under v1: linked both ways, flagged; v1's change request answered by v2.
    const oink1 = bySubject(report.series, 'oink: add XDP support', 1);
    const oink2 = bySubject(report.series, 'oink: add XDP support', 2);
    expect(oink2.previousVersion).toMatchObject({ id: oink1.id, version: 1 });
    expect(oink1.supersededBy).toMatchObject({ id: oink2.id, version: 2 });
    expect(oink2.findings.map((f) => f.rule)).toContain('series/new-version-threaded');
    expect(oink2.verdict).toBe('needs-human');
    expect(oink1.replies.changeRequests).toEqual(['Paolo Reviewer <paolo@example.org>']);
    expect(oink1.checks.find((c) => c.name === 'review')).toMatchObject({ state: 'success', description: expect.stringContaining('v2 posted since') });

    // A repost within 24 hours.
    const baa2 = bySubject(report.series, 'baa: fix a leak', 2);
    expect(baa2.findings.map((f) => f.rule)).toContain('series/repost-within-24h');
    expect(baa2.previousVersion?.version).toBe(1);

    // Errors and a NAK request changes.
    const refill = bySubject(report.series, 'honk: fix the rx refill leak');
    expect(refill.verdict).toBe('changes-requested');
    expect(refill.checks.filter((c) => c.state === 'fail').map((c) => c.name)).toEqual(['rules/kernel', 'trailers']);
    const ioctl = bySubject(report.series, 'moo: remove the legacy ioctl');
    expect(ioctl).toMatchObject({ verdict: 'changes-requested', replies: { naks: ['Andrew Lunn <andrew@lunn.ch>'] } });
  });

  it('drafts a reply for each series that needs changes and has findings to quote', async () => {
    const { report, drafts } = await triage(fixture);
    const refill = bySubject(report.series, 'honk: fix the rx refill leak');
    expect([...drafts.keys()]).toEqual([refill.id]);
    const draft = drafts.get(refill.id)!;
    expect(draft).toMatch(/^In-Reply-To: <20250604120000\.6000-1-bo\.tanaka@example\.net>$/m);
    expect(draft).toMatch(/^Subject: Re: \[PATCH net\] net: honk: fix the rx refill leak$/m);
    // Bottom-posted: the quoted Fixes line, then the comment under it; the diff, which no
    // finding is about, is left out.
    expect(draft).toMatch(/^> Fixes: Commit 4b1c2d3e4f5a .*\n\nERROR: kernel\/fixes-format: /m);
    expect(draft).toMatch(/^> \[\.\.\.\]$/m);
    expect(draft).not.toMatch(/^> (?:@@|diff --git|\+\tdev_kfree_skb_any)/m);
    expect(draft.indexOf('> Fixes:')).toBeLessThan(draft.indexOf('ERROR: kernel/fixes-format'));
  });

  it('is idempotent: the same archive twice counts nothing twice', async () => {
    const first = await triage(fixture);
    const store = await HistoryStore.open(join(dir, 'history.sqlite'));
    const counts = store.counts();
    store.close();
    expect(counts).toEqual({ series: 9, messages: 19, replies: 4 });
    const second = await triage(fixture);
    const again = await HistoryStore.open(join(dir, 'history.sqlite'));
    expect(again.counts()).toEqual(counts);
    again.close();
    expect(second.report.series).toEqual(first.report.series);
    expect(second.report.totals).toEqual(first.report.totals);
  });

  it('links versions across runs through the history', async () => {
    const v1 = series({ prefix: 'PATCH net-next', title: 'net: quack: rework rx', total: 2, id: 'x1' });
    const v2 = series({ prefix: 'PATCH net-next v2', title: 'net: quack: rework rx', total: 2, id: 'x2', minutes: 30 * 60, notes: ['v2: fixed the error path'] });
    const change = mail({ subject: 'Re: [PATCH net-next 1/2] net: quack: rework rx, part 1', messageId: 'cr@x', inReplyTo: 'x1-1@example.com', references: ['x1-0@example.com', 'x1-1@example.com'], body: 'Please split the refactoring from the fix.', minutes: 60 });
    writeFileSync(join(dir, 'monday.mbox'), mbox([...v1, change]));
    writeFileSync(join(dir, 'tuesday.mbox'), mbox(v2));
    const monday = await triage(join(dir, 'monday.mbox'));
    expect(monday.report.series).toHaveLength(1);
    expect(monday.report.series[0]).toMatchObject({ verdict: 'changes-requested', replies: { changeRequests: ['Jane Developer <jane@example.com>'] } });
    const tuesday = await triage(join(dir, 'tuesday.mbox'));
    // v2 is new; v1 comes back because its standing changed: the request is answered now.
    const [old, fresh] = [bySubject(tuesday.report.series, 'rework rx', 1), bySubject(tuesday.report.series, 'rework rx', 2)];
    expect(fresh.previousVersion).toMatchObject({ id: 'x1-0@example.com', version: 1 });
    expect(old.supersededBy).toMatchObject({ id: 'x2-0@example.com' });
    expect(old.verdict).toBe('ready');
  });

  it('a late reply in a later run updates the series it answers', async () => {
    const s = series({ prefix: 'PATCH net-next', title: 'net: quack: count rx drops', total: 1, id: 'l' });
    writeFileSync(join(dir, 'a.mbox'), mbox(s));
    writeFileSync(join(dir, 'b.mbox'), mbox([mail({ subject: 'Re: [PATCH net-next] net: quack: count rx drops', messageId: 'nak@x', inReplyTo: 'l-1@example.com', body: 'NAK, this breaks the other users.' })]));
    expect((await triage(join(dir, 'a.mbox'))).report.series[0]!.verdict).toBe('ready');
    const later = await triage(join(dir, 'b.mbox'));
    expect(later.report.series.map((x) => [x.id, x.verdict])).toEqual([['l-1@example.com', 'changes-requested']]);
  });

  it('netdev/net-next-closed reads the configured closed windows', async () => {
    const config = ConfigSchema.parse({ netdev: { closedWindows: [{ from: '2025-06-01', to: '2025-06-14' }] } });
    const { report } = await triage(fixture, { config });
    const quack = bySubject(report.series, 'quack: convert the rx path');
    expect(quack.findings.filter((f) => f.rule === 'netdev/net-next-closed').map((f) => f.messageId)).toEqual([quack.id]);
    expect(quack.verdict).toBe('needs-human');
    expect(bySubject(report.series, 'honk: reset the ring', 2).findings.map((f) => f.rule)).not.toContain('netdev/net-next-closed');
  });

  it('--since, --until and --limit choose the messages', async () => {
    const since = await triage(fixture, { filter: { since: new Date('2025-06-05T00:00:00Z') } });
    expect(since.report.run.messages).toBe(6);
    expect(since.report.series.map((s) => s.subject)).toEqual(['[PATCH net-next v2 0/2] net: oink: add XDP support', '[PATCH net-next] net: moo: remove the legacy ioctl']);
    rmSync(join(dir, 'history.sqlite'));
    const until = await triage(fixture, { filter: { until: new Date('2025-06-02T23:59:59Z') } });
    expect(until.report.series).toHaveLength(3);
    rmSync(join(dir, 'history.sqlite'));
    const newest = await triage(fixture, { filter: { limit: 2 } });
    expect(newest.report.run.messages).toBe(2);
  });

  it('reads an mbox from stdin', async () => {
    const text = mbox(series({ prefix: 'PATCH net-next', title: 'net: quack: rework rx', total: 2, id: 's' }));
    const { report } = await triage('-', { stdin: Readable.from([Buffer.from(text)]) });
    expect(report.series).toHaveLength(1);
    expect(report.series[0]).toMatchObject({ received: 2, expected: 2, verdict: 'ready' });
    expect(report.archive).toBe('-');
  });

  it('refuses what is not an archive, naming it', async () => {
    writeFileSync(join(dir, 'picture.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const refusal = async (input: string) => {
      const error = await triage(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      return (error as UsageError).oneLine();
    };
    expect(await refusal(join(dir, 'picture.png'))).toMatch(/picture\.png: not an mbox/);
    expect(await refusal(join(dir, 'nope.mbox'))).toMatch(/nope\.mbox: no such file or directory/);
    expect(await refusal(dir)).toMatch(/not an archive: neither an mbox, a Maildir/);
  });
});
