import { join } from 'node:path';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { runReview } from '../../src/graphs/review/run.js';
import type { ChangeSet } from '../../src/model/changeset.js';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import type { Finding } from '../../src/model/finding.js';
import { loadChangeSet } from '../../src/parse/index.js';
import { formatEmailReplies, formatEmailReply } from '../../src/report/email.js';

const root = join(import.meta.dirname, '../..');
const demoPath = join(root, 'fixtures/patches/cli/netdev-bad-fixes.eml');
const cleanPath = join(root, 'fixtures/patches/cli/netdev-clean.eml');
const seriesPath = join(root, 'fixtures/patches/review-llm/series.mbox');

const reviewer = { name: 'Paolo Reviewer', email: 'paolo@example.org' };
const config: Config = { ...defaultConfig(), reviewer };
const now = new Date('2025-06-06T12:00:00Z');

async function review(path: string): Promise<{ changeset: ChangeSet; findings: Finding[]; output: string; exitCode: number }> {
  const changeset = await loadChangeSet([path], { config });
  const report = await runReview({ kind: 'changeset', changeset }, { config });
  const output = formatEmailReplies(changeset, report.findings, { reviewer: config.reviewer, version: report.version });
  return { changeset, findings: report.findings, output, exitCode: report.totals.errors > 0 ? 1 : 0 };
}

function fromOf(mail: ParsedMail): { name: string; address?: string } | undefined {
  return (mail.from as AddressObject | undefined)?.value[0];
}

function referencesOf(mail: ParsedMail): string[] {
  const refs = mail.references;
  return refs === undefined ? [] : Array.isArray(refs) ? refs : refs.split(/\s+/);
}

/** The mbox split into messages (each reply begins with a `From ` separator line). */
function splitMbox(text: string): string[] {
  return text
    .split(/^From rubberduck .*\n/m)
    .filter((part) => part.trim())
    .map((part) => part.replace(/^>(>*From )/gm, '$1'));
}

/** Checks one reply to one patch: threading, sender, interleaved quoting. */
async function checkReply(raw: string, patch: ChangeSet['patches'][number], findings: Finding[]): Promise<ParsedMail> {
  const mail = await simpleParser(raw);
  expect(mail.subject).toBe(`Re: ${patch.subject.raw}`);
  expect(mail.inReplyTo).toBe(`<${patch.messageId}>`);
  expect(referencesOf(mail).at(-1)).toBe(`<${patch.messageId}>`);
  expect(fromOf(mail)).toEqual({ name: reviewer.name, address: reviewer.email });
  const to = (mail.to as AddressObject).value[0]!;
  expect(to.address).toBe(patch.from!.email);

  const body = mail.text!.split('\n');
  // Attribution line first, then the quote: nothing is top-posted.
  expect(body[0]).toMatch(/^On .+, .+ wrote:$/);
  expect(body[0]).toContain(patch.author!.name);
  expect(body[1]).toMatch(/^> /);
  const firstComment = body.findIndex((l) => /^(ERROR|WARNING|INFO): /.test(l));
  const firstQuote = body.findIndex((l) => l.startsWith('>'));
  expect(firstQuote).toBeGreaterThan(0);
  expect(firstComment).toBeGreaterThan(firstQuote);
  // Every finding's comment comes after its offending line.
  for (const finding of findings) {
    const comment = body.findIndex((l) => l.includes(`: ${finding.rule}: ${finding.message}`));
    expect(comment, finding.rule).toBeGreaterThan(0);
    if (finding.evidence) {
      const evidence = finding.evidence.replace(/^\+/, '').trimEnd();
      const quote = body.findIndex((l) => l.startsWith('>') && l.includes(evidence));
      expect(quote, `${finding.rule} quote`).toBeGreaterThan(0);
      expect(quote).toBeLessThan(comment);
      // The closest quoted line above the comment is the offending one.
      const above = body.slice(0, comment).findLastIndex((l) => l.startsWith('>'));
      expect(body[above]).toContain(evidence);
    }
  }
  return mail;
}

describe('--format email', () => {
  it('answers the demo patch in thread, quoting the offending lines with each comment under its line', async () => {
    const { changeset, findings, output, exitCode } = await review(demoPath);
    expect(exitCode).toBe(1);
    expect(findings.map((f) => f.rule).sort()).toEqual(['kernel/fixes-format', 'netdev/reverse-xmas-tree']);
    expect(output.startsWith('From: ')).toBe(true);
    const patch = changeset.patches[0]!;
    expect(patch.messageId).toBe('20250603081500.12345-1-jane@example.com');
    const mail = await checkReply(output, patch, findings);
    expect(mail.text).toContain('> Fixes: Commit 3f518509dedc ("mvpp2: Add support for the Marvell PPv2 network controller")');
    expect(mail.text).toContain('> +\tint err;');
    // The mechanical fix is offered under the comment.
    const body = mail.text!.split('\n');
    const comment = body.findIndex((l) => l.startsWith('ERROR: kernel/fixes-format:'));
    expect(body.slice(comment, comment + 5).join('\n')).toContain('Suggested:\n    Fixes: 3f518509dedc ("mvpp2: Add support for the Marvell PPv2 network controller")');
    // The authors and the list stay in the loop.
    expect(mail.cc && (mail.cc as AddressObject).value.map((a) => a.address)).toEqual(['netdev@vger.kernel.org', 'andrew+netdev@lunn.ch', 'kuba@kernel.org']);
  });

  it('several patches with findings: an mbox of replies, each threading under its own patch', async () => {
    const { changeset, findings, output } = await review(seriesPath);
    const withFindings = [...new Set(findings.map((f) => f.patch))].sort();
    expect(withFindings).toEqual([1, 2]);
    expect(output.startsWith('From rubberduck ')).toBe(true);
    const replies = splitMbox(output);
    expect(replies).toHaveLength(2);
    const mails = await Promise.all(replies.map((raw, i) => checkReply(raw, changeset.patches[i + 1]!, findings.filter((f) => f.patch === i + 1))));
    // Each reply references the cover letter, then its own patch.
    for (const [i, mail] of mails.entries()) {
      expect(referencesOf(mail)).toEqual(['<20250605080000.1000-0-jane@example.com>', `<20250605080000.1000-${i + 1}-jane@example.com>`]);
    }
    expect(mails[0]!.messageId).not.toBe(mails[1]!.messageId);
    expect(mails[1]!.text).toContain('> +\t\treturn -ENOTSUPP;');
    expect(mails[1]!.text).not.toContain('trailing whitespace');
  });

  it('a clean patch gets no reply: empty output and exit 0', async () => {
    const { findings, output, exitCode } = await review(cleanPath);
    expect(findings).toEqual([]);
    expect(output).toBe('');
    expect(exitCode).toBe(0);
  });
});

describe('formatEmailReply', () => {
  it('puts subject findings under the quoted subject and whole-patch findings after the quotes', async () => {
    const changeset = await loadChangeSet([demoPath], { config });
    const patch = changeset.patches[0]!;
    const subject: Finding = {
      rule: 'netdev/tree-missing',
      severity: 'warning',
      message: 'no tree in the subject',
      source: 'rule',
      patch: 0,
      location: { kind: 'subject' },
      fix: { description: 'name the tree', target: { kind: 'subject', subject: '[PATCH net] net: mvpp2: fix it' } },
    };
    const whole: Finding = { rule: 'review/code-bug', severity: 'info', message: 'the patch as a whole', source: 'llm', patch: 0, location: { kind: 'patch' } };
    const raw = formatEmailReply(patch, [whole, subject], { reviewer, now, version: '9.9.9' });
    const mail = await simpleParser(raw);
    expect(mail.date?.toISOString()).toBe(now.toISOString());
    expect(mail.headers.get('x-mailer')).toBe('rubberduck 9.9.9');
    const body = mail.text!.split('\n');
    expect(body[1]).toBe(`> Subject: ${patch.subject.raw}`);
    const subjectComment = body.findIndex((l) => l.startsWith('WARNING: netdev/tree-missing:'));
    expect(subjectComment).toBeGreaterThan(1);
    expect(body.slice(2, subjectComment).every((l) => l === '')).toBe(true);
    expect(body).toContain('Suggested subject: [PATCH net] net: mvpp2: fix it');
    const wholeComment = body.findIndex((l) => l.startsWith('INFO: review/code-bug:'));
    expect(wholeComment).toBeGreaterThan(body.findLastIndex((l) => l.startsWith('>')));
    // Same input and clock: the same Message-ID (reproducible output).
    expect(formatEmailReply(patch, [whole, subject], { reviewer, now })).toContain(`Message-ID: ${mail.messageId}`);
  });

  it('one reply is a plain message, several replies an mbox; no findings, no output', async () => {
    const changeset = await loadChangeSet([seriesPath], { config });
    expect(formatEmailReplies(changeset, [], { reviewer, now })).toBe('');
    const one: Finding = { rule: 'netdev/enotsupp', severity: 'warning', message: 'x', source: 'rule', patch: 2, location: { kind: 'subject' } };
    expect(formatEmailReplies(changeset, [one], { reviewer, now }).startsWith('From: ')).toBe(true);
    // A series-wide finding (no patch) goes to the cover letter.
    const series: Finding = { rule: 'series/numbering', severity: 'warning', message: 'y', source: 'rule', location: { kind: 'series' } };
    const out = formatEmailReplies(changeset, [one, series], { reviewer, now });
    const replies = splitMbox(out);
    expect(replies).toHaveLength(2);
    const first = await simpleParser(replies[0]!);
    expect(first.inReplyTo).toBe('<20250605080000.1000-0-jane@example.com>');
    expect(first.subject).toBe('Re: [PATCH net-next 0/2] net: foo: tidy the rx path');
  });

  it('Cc: every recipient once, the addressee and the reviewer left out, folded between addresses', async () => {
    const [patch] = (await loadChangeSet([demoPath], { config })).patches;
    const headers = {
      ...patch!.headers,
      to: 'netdev@vger.kernel.org,\n        "Doe, John" <john@example.com>, Paolo Reviewer <PAOLO@example.org>',
      cc: `${patch!.from!.email}, john@example.com, linux-kernel@vger.kernel.org, davem@davemloft.net, edumazet@google.com, kuba@kernel.org`,
    };
    const raw = formatEmailReply({ ...patch!, headers }, [], { reviewer, now });
    const head = raw.slice(0, raw.indexOf('\n\n'));
    const ccLines = head.split('\n').filter((line, i, all) => line.startsWith('Cc:') || (line.startsWith(' ') && all.slice(0, i).some((l) => l.startsWith('Cc:'))));
    expect(ccLines.length).toBeGreaterThan(1);
    expect(ccLines.every((line) => line.length <= 78)).toBe(true);
    const mail = await simpleParser(raw);
    const cc = (Array.isArray(mail.cc) ? mail.cc : [mail.cc!]).flatMap((a) => a.value.map((v) => v.address));
    expect(cc).toEqual(['netdev@vger.kernel.org', 'john@example.com', 'linux-kernel@vger.kernel.org', 'davem@davemloft.net', 'edumazet@google.com', 'kuba@kernel.org']);
  });
});
