import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { seriesPageName } from '../../src/mail/dashboard.js';
import { patchChecks, writeDashboard, writeDrafts } from '../../src/mail/outputs.js';
import { jsonChunks } from '../../src/mail/table.js';
import { TriageReportSchema } from '../../src/mail/schema.js';
import { PatchworkClient } from '../../src/mail/patchwork.js';
import { sendDrafts } from '../../src/mail/smtp.js';
import { runTriage, type TriageResult } from '../../src/mail/triage.js';
import { UsageError } from '../../src/model/errors.js';
import { closedPort } from '../support/openai-stub.js';
import { startFakePatchwork } from '../support/fake-patchwork.js';

const fixture = join(import.meta.dirname, '../../fixtures/patches/triage/netdev-week.mbox');
let dir: string;
let result: TriageResult;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rd-outputs-'));
  const config = { ...defaultConfig(), reviewer: { name: 'Paolo Reviewer', email: 'paolo@example.org' } };
  result = await runTriage({ input: fixture, db: ':memory:', config, now: new Date('2025-06-07T09:00:00Z') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the JSON report', () => {
  it('comes out piece by piece as the same document, valid against the schema', () => {
    const text = [...jsonChunks(result.report)].join('');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(result.report)));
    expect(TriageReportSchema.parse(JSON.parse(text)).series).toHaveLength(9);
    const empty = [...jsonChunks({ ...result.report, series: [] })].join('');
    expect(JSON.parse(empty).series).toEqual([]);
  });
});

describe('reply drafts', () => {
  it('are RFC 5322 messages an email client reads, threaded under the series, bottom-posted', async () => {
    const written = writeDrafts(join(dir, 'replies'), result.report, result.drafts);
    expect(written.map((p) => p.split('/').pop())).toEqual(['0001-net-honk-fix-the-rx-refill-leak.eml']);
    const raw = readFileSync(written[0]!);
    expect(raw.includes('\r\n')).toBe(true);
    const mail = await simpleParser(raw);
    expect((mail.from as AddressObject).value[0]).toMatchObject({ name: 'Paolo Reviewer', address: 'paolo@example.org' });
    expect((mail.to as AddressObject).value[0]!.address).toBe('bo.tanaka@example.net');
    expect(mail.subject).toBe('Re: [PATCH net] net: honk: fix the rx refill leak');
    expect(mail.inReplyTo).toBe('<20250604120000.6000-1-bo.tanaka@example.net>');
    expect(mail.references).toBe('<20250604120000.6000-1-bo.tanaka@example.net>');
    const text = mail.text ?? '';
    expect(text.indexOf('On ')).toBe(0);
    expect(text).toMatch(/^> Fixes: Commit 4b1c2d3e4f5a/m);
    expect(text).toMatch(/^ERROR: kernel\/missing-signoff: /m);
  });
});

describe('SMTP (a local smtp-server)', () => {
  let server: SMTPServer;
  let url = '';
  const received: { from: string; to: string[]; data: string }[] = [];
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
        stream.on('end', () => {
          received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('--dry-run says what it would send and connects to nothing', async () => {
    const lines: string[] = [];
    const sent = await sendDrafts(url, [...result.drafts.values()], { from: 'paolo@example.org', dryRun: true, log: (l) => lines.push(l) });
    expect(lines).toEqual(['would send "Re: [PATCH net] net: honk: fix the rx refill leak" to bo.tanaka@example.net, netdev@vger.kernel.org, andrew@lunn.ch']);
    expect(sent.sent).toHaveLength(1);
    expect(received).toHaveLength(0);
  });

  it('sends each draft as drafted, to its To and Cc', async () => {
    const sent = await sendDrafts(url, [...result.drafts.values()], { from: 'paolo@example.org', dryRun: false, log: () => {} });
    expect(sent).toEqual({ sent: [{ subject: 'Re: [PATCH net] net: honk: fix the rx refill leak', to: ['bo.tanaka@example.net', 'netdev@vger.kernel.org', 'andrew@lunn.ch'] }], failed: [] });
    expect(received).toHaveLength(1);
    expect(received[0]!.from).toBe('paolo@example.org');
    expect(received[0]!.to).toEqual(['bo.tanaka@example.net', 'netdev@vger.kernel.org', 'andrew@lunn.ch']);
    const mail = await simpleParser(received[0]!.data);
    expect(mail.inReplyTo).toBe('<20250604120000.6000-1-bo.tanaka@example.net>');
  });

  it('an unreachable server is one UsageError', async () => {
    const port = await closedPort();
    const error = await sendDrafts(`smtp://127.0.0.1:${port}`, [...result.drafts.values()], { from: 'p@x', dryRun: false, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).oneLine()).toMatch(/^rubberduck: smtp:\/\/127\.0\.0\.1:\d+\/?: cannot reach the SMTP server/);
  });
});

describe('patchwork checks (a local fake patchwork over HTTP)', () => {
  it('posts one check per patch, found by Message-ID, with state, context, description and target_url', async () => {
    const refill = result.report.series.find((s) => s.subject.includes('honk: fix the rx refill leak'))!;
    const quack = result.report.series.find((s) => s.subject.includes('quack: convert the rx path'))!;
    const known = [...quack.messages.filter((m) => !m.cover).map((m) => m.messageId), refill.messages[0]!.messageId];
    const patchwork = await startFakePatchwork('s3cret', known);
    try {
      const checks = patchChecks(result.report, 'https://ci.example.org/triage/');
      expect(checks.length).toBe(result.report.series.reduce((n, s) => n + s.messages.filter((m) => !m.cover).length, 0));
      const outcome = await new PatchworkClient(patchwork.url, 's3cret').postChecks(checks);
      expect(outcome.posted).toBe(4);
      expect(outcome.unknown.length).toBe(checks.length - 4);
      expect(outcome.failed).toEqual([]);
      const refillCheck = patchwork.checks.find((c) => c.patch === patchwork.patches.get(refill.messages[0]!.messageId))!;
      expect(refillCheck.authorization).toBe('Token s3cret');
      expect(refillCheck.body).toEqual({
        state: 'fail',
        context: 'rubberduck',
        description: expect.stringMatching(/^changes-requested: .*kernel\/fixes-format/),
        target_url: `https://ci.example.org/triage/${seriesPageName(refill.id)}`,
      });
      expect(patchwork.checks.filter((c) => c.body.state === 'success')).toHaveLength(3);
      expect(patchwork.requests[0]).toMatch(/^GET \/api\/patches\/\?msgid=/);
    } finally {
      await patchwork.close();
    }
  });

  it('a wrong token, or a patchwork that cannot be reached, is one UsageError', async () => {
    const patchwork = await startFakePatchwork('right', ['x@y']);
    try {
      const wrong = await new PatchworkClient(patchwork.url, 'wrong').postChecks([{ messageId: 'x@y', state: 'success', description: 'ok' }]).catch((e: unknown) => e);
      expect((wrong as UsageError).oneLine()).toMatch(/refused the token \(HTTP 401\)/);
    } finally {
      await patchwork.close();
    }
    const port = await closedPort();
    const down = await new PatchworkClient(`http://127.0.0.1:${port}`, 't').postChecks([{ messageId: 'x@y', state: 'success', description: 'ok' }]).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(UsageError);
    expect((down as UsageError).oneLine()).toMatch(/^rubberduck: http:\/\/127\.0\.0\.1:\d+: patchwork is unreachable \(ECONNREFUSED\)$/);
  });
});

/** Debian's chromium (installed by .ci/run); the browser tests say why they are skipped without it. */
const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);

function dumpDom(file: string): string {
  const r = spawnSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage', '--user-data-dir=' + join(dir, 'chromium-profile'), '--dump-dom', `file://${file}`], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`chromium failed: ${r.stderr}`);
  return r.stdout;
}

describe('the HTML dashboard', () => {
  it('writes an index and a page per series', () => {
    const index = writeDashboard(join(dir, 'html'), result.report);
    expect(existsSync(index)).toBe(true);
    expect(readdirSync(join(dir, 'html', 'series'))).toHaveLength(result.report.series.length);
    const html = readFileSync(index, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<svg');
  });

  it.skipIf(!chromium)('is readable in headless Chromium: the series table and a series page with its checks', () => {
    const index = join(dir, 'html', 'index.html');
    if (!existsSync(index)) writeDashboard(join(dir, 'html'), result.report);
    const dom = dumpDom(index);
    const rows = [...dom.matchAll(/<tr><td><span class="verdict"[^>]*>([^<]+)<\/span><\/td>.*?<a href="(series\/[0-9a-f]+\.html)">([^<]+)<\/a>/g)];
    expect(rows).toHaveLength(result.report.series.length);
    expect(rows.map((r) => r[3])).toContain('[PATCH net] net: honk: fix the rx refill leak');
    expect(dom).toMatch(/<rect [^>]*fill="#c62828"/);
    const refill = rows.find((r) => r[3] === '[PATCH net] net: honk: fix the rx refill leak')!;
    expect(refill[1]).toBe('changes requested');
    const page = dumpDom(join(dir, 'html', refill[2]!));
    expect(page).toContain('<h1>[PATCH net] net: honk: fix the rx refill leak</h1>');
    expect(page).toMatch(/<td>trailers<\/td><td [^>]*>fail<\/td>/);
    expect(page).toMatch(/<code>kernel\/fixes-format<\/code>/);
  });
});
