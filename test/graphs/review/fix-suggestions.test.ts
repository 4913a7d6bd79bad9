import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReview } from '../../../src/graphs/review/run.js';
import { fixSuggestionsNode, subjectWithTree } from '../../../src/graphs/review/nodes/fix-suggestions.js';
import type { ReviewStateType } from '../../../src/graphs/review/state.js';
import { applyFixes } from '../../../src/model/apply-fixes.js';
import type { ChangeSet } from '../../../src/model/changeset.js';
import { defaultConfig } from '../../../src/config/schema.js';
import type { Finding } from '../../../src/model/finding.js';
import { parsePatchEmail, parseSubject } from '../../../src/parse/index.js';
import { gitIn } from '../../support/git.js';

/** A netdev patch email (drivers/net, so the netdev pack applies) with the given subject and trailers. */
function eml(subject: string, trailers: string[]): string {
  return [
    'From: Jane Developer <jane@example.com>',
    'To: netdev@vger.kernel.org',
    `Subject: ${subject}`,
    'Date: Tue, 3 Jun 2025 10:15:00 +0200',
    'Message-Id: <fix-suggestions-1@example.com>',
    '',
    'foo_rx() leaks the skb when the ring is full: the packet is dropped',
    'but never freed, and the leak grows until the host runs out of memory.',
    '',
    'Free it before returning.',
    '',
    ...trailers,
    'Signed-off-by: Jane Developer <jane@example.com>',
    '---',
    ' drivers/net/ethernet/foo/foo_main.c | 1 +',
    ' 1 file changed, 1 insertion(+)',
    '',
    'diff --git a/drivers/net/ethernet/foo/foo_main.c b/drivers/net/ethernet/foo/foo_main.c',
    'index 1111111111aa..2222222222bb 100644',
    '--- a/drivers/net/ethernet/foo/foo_main.c',
    '+++ b/drivers/net/ethernet/foo/foo_main.c',
    '@@ -40,6 +40,7 @@ static int foo_rx(struct foo_priv *priv, struct sk_buff *skb)',
    ' 	if (foo_ring_full(priv)) {',
    ' 		priv->stats.rx_dropped++;',
    '+		dev_kfree_skb_any(skb);',
    ' 		return -ENOBUFS;',
    ' 	}',
    ' ',
    '',
  ].join('\n');
}

async function changesetOf(text: string): Promise<ChangeSet> {
  const patch = await parsePatchEmail(text, { input: 'test.eml', index: 0 });
  return { inputs: ['test.eml'], patches: [patch], series: [{ id: 's', version: 1, total: 1, patches: [0], origin: 'mailing-list' }] };
}

async function findingsFor(text: string, repo?: string): Promise<Finding[]> {
  return (await runReview({ kind: 'changeset', changeset: await changesetOf(text) }, repo ? { repo } : {})).findings;
}

describe('subjectWithTree', () => {
  it.each([
    ['[PATCH] net: foo: fix a leak', 'net', '[PATCH net] net: foo: fix a leak'],
    ['[PATCH v2 1/3] net: foo: fix a leak', 'net-next', '[PATCH net-next v2 1/3] net: foo: fix a leak'],
    ['[RFC PATCH v2 1/3] net: foo: fix a leak', 'net-next', '[RFC PATCH net-next v2 1/3] net: foo: fix a leak'],
    ['[PATCH RESEND] net: foo: fix a leak', 'net', '[PATCH RESEND net] net: foo: fix a leak'],
    ['[Intel-wired-lan] [PATCH v3] ice: fix a leak', 'net', '[Intel-wired-lan] [PATCH net v3] ice: fix a leak'],
    ['[PATCHv2 1/3] net: foo: fix a leak', 'net-next', '[PATCH net-next v2 1/3] net: foo: fix a leak'],
    ['[RFC] net: foo: fix a leak', 'net-next', '[RFC net-next] net: foo: fix a leak'],
    ['net: foo: fix a leak', 'net-next', '[PATCH net-next] net: foo: fix a leak'],
    ['  net: foo: fix a leak', 'net', '[PATCH net] net: foo: fix a leak'],
  ])('%s + %s → %s', (raw, tree, expected) => {
    expect(subjectWithTree(raw, tree)).toBe(expected);
    // The parser reads the tree back out of the new subject, and keeps version and counter.
    const before = parseSubject(raw, defaultConfig().netdev.trees);
    const after = parseSubject(expected, defaultConfig().netdev.trees);
    expect(after.tree).toBe(tree);
    expect([after.version, after.counter, after.total, after.rfc, after.summary]).toEqual([before.version, before.counter, before.total, before.rfc, before.summary]);
  });
});

describe('netdev/tree-missing fix', () => {
  it('names net when the patch carries a Fixes tag', async () => {
    const findings = await findingsFor(eml('[PATCH] net: foo: free the skb when the ring is full', ['Fixes: 0123456789ab ("net: foo: add the foo driver")']));
    const tree = findings.find((f) => f.rule === 'netdev/tree-missing');
    expect(tree?.fix?.target).toEqual({ kind: 'subject', subject: '[PATCH net] net: foo: free the skb when the ring is full' });
    expect(tree?.fix?.description).toMatch(/net tree/);
  });

  it('names net-next when it does not, and keeps version and counters', async () => {
    const findings = await findingsFor(eml('[PATCH v2 1/1] net: foo: free the skb when the ring is full', []));
    const tree = findings.find((f) => f.rule === 'netdev/tree-missing');
    expect(tree?.fix?.target).toEqual({ kind: 'subject', subject: '[PATCH net-next v2 1/1] net: foo: free the skb when the ring is full' });
  });

  it('a patch with no prefix at all gets one', async () => {
    const findings = await findingsFor(eml('net: foo: free the skb when the ring is full', []));
    const tree = findings.find((f) => f.rule === 'netdev/tree-missing');
    expect(tree?.fix?.target).toEqual({ kind: 'subject', subject: '[PATCH net-next] net: foo: free the skb when the ring is full' });
  });

  it('the fixed subject passes the tree rule when re-reviewed', async () => {
    const text = eml('[PATCH] net: foo: free the skb when the ring is full', ['Fixes: 0123456789ab ("net: foo: add the foo driver")']);
    const changeset = await changesetOf(text);
    const findings = (await runReview({ kind: 'changeset', changeset })).findings;
    const fixed = applyFixes(changeset.patches[0]!, findings).patch;
    const again = await findingsFor(text.replace(/^Subject: .*$/m, `Subject: ${fixed.subject.raw}`));
    expect(again.map((f) => f.rule)).not.toContain('netdev/tree-missing');
  });
});

describe('kernel/fixes-format fix with --repo', () => {
  let repo: string;
  let hash: string;
  const subject = 'net: foo: add the foo driver';

  beforeAll(() => {
    repo = realpathSync(mkdtempSync(join(tmpdir(), 'rd-fixes-')));
    gitIn(repo, ['init', '-q', '-b', 'main']);
    writeFileSync(join(repo, 'README'), 'foo\n');
    gitIn(repo, ['add', '-A']);
    gitIn(repo, ['commit', '-q', '-m', subject]);
    writeFileSync(join(repo, 'README'), 'foo bar\n');
    gitIn(repo, ['commit', '-q', '-am', 'net: foo: later work']);
    hash = gitIn(repo, ['rev-parse', 'HEAD~1']).trim();
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('rewrites the tag with the 12-character hash and the subject from git', async () => {
    const short = hash.slice(0, 8);
    const findings = await findingsFor(eml('[PATCH net] net: foo: free the skb when the ring is full', [`Fixes: ${short} (add the driver)`]), repo);
    const fixes = findings.find((f) => f.rule === 'kernel/fixes-format');
    expect(fixes).toBeDefined();
    expect(fixes!.fix?.target).toEqual({ kind: 'message', startLine: 6, endLine: 6, lines: [`Fixes: ${hash.slice(0, 12)} ("${subject}")`] });
    expect(hash.slice(0, 12)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('uses git even when the rule had a fix of its own (wrong subject, upper-case hash)', async () => {
    const findings = await findingsFor(eml('[PATCH net] net: foo: free the skb when the ring is full', [`Fixes: commit ${hash.slice(0, 12).toUpperCase()} ("wrong subject")`]), repo);
    const fixes = findings.find((f) => f.rule === 'kernel/fixes-format');
    expect(fixes!.fix?.target).toMatchObject({ kind: 'message', lines: [`Fixes: ${hash.slice(0, 12)} ("${subject}")`] });
  });

  it('leaves the finding alone when the repository does not have the commit, or without --repo', async () => {
    const text = eml('[PATCH net] net: foo: free the skb when the ring is full', ['Fixes: Commit deadbeefcafe ("net: foo: add the foo driver")']);
    const withRepo = (await findingsFor(text, repo)).find((f) => f.rule === 'kernel/fixes-format');
    const without = (await findingsFor(text)).find((f) => f.rule === 'kernel/fixes-format');
    expect(withRepo?.fix).toEqual(without?.fix);
    expect(without?.fix?.target).toMatchObject({ lines: ['Fixes: deadbeefcafe ("net: foo: add the foo driver")'] });
  });
});

describe('fixSuggestionsNode', () => {
  it('does not touch LLM findings or a tree finding that already has a fix', async () => {
    const changeset = await changesetOf(eml('[PATCH] net: foo: free the skb when the ring is full', []));
    const own = { description: 'mine', target: { kind: 'subject' as const, subject: '[PATCH bpf] x' } };
    const merged: Finding[] = [
      { rule: 'netdev/tree-missing', severity: 'warning', message: 'm', source: 'llm', patch: 0, location: { kind: 'subject' } },
      { rule: 'netdev/tree-missing', severity: 'warning', message: 'm', source: 'rule', patch: 0, location: { kind: 'subject' }, fix: own },
      { rule: 'netdev/tree-missing', severity: 'warning', message: 'm', source: 'rule', patch: 0, location: { kind: 'headers' } },
    ];
    const state = { request: { inputs: [], version: '0' }, config: defaultConfig(), changeset, merged } as unknown as ReviewStateType;
    const out = (await fixSuggestionsNode(state)).merged as Finding[];
    expect(out[0]!.fix).toBeUndefined();
    expect(out[1]!.fix).toBe(own);
    expect(out[2]!.fix?.target).toEqual({ kind: 'subject', subject: '[PATCH net-next] net: foo: free the skb when the ring is full' });
  });
});

describe('kernel/fixes-target with --repo (a real repository)', () => {
  let repo: string;
  let fixed: string;
  let side: string;
  const subject = 'net: foo: add the foo driver';
  const target = (text: string) => findingsFor(eml('[PATCH net] net: foo: free the skb when the ring is full', [text]), repo).then((f) => f.filter((x) => x.rule === 'kernel/fixes-target'));

  beforeAll(() => {
    repo = realpathSync(mkdtempSync(join(tmpdir(), 'rd-target-')));
    gitIn(repo, ['init', '-q', '-b', 'main']);
    writeFileSync(join(repo, 'README'), 'foo\n');
    gitIn(repo, ['add', '-A']);
    gitIn(repo, ['commit', '-q', '-m', subject]);
    fixed = gitIn(repo, ['rev-parse', 'HEAD']).trim();
    gitIn(repo, ['checkout', '-q', '-b', 'side']);
    writeFileSync(join(repo, 'README'), 'side\n');
    gitIn(repo, ['commit', '-q', '-am', 'net: foo: work that never reached main']);
    side = gitIn(repo, ['rev-parse', 'HEAD']).trim();
    gitIn(repo, ['checkout', '-q', 'main']);
    writeFileSync(join(repo, 'README'), 'foo bar\n');
    gitIn(repo, ['commit', '-q', '-am', 'net: foo: later work']);
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('is quiet when the commit exists, is an ancestor and the subject matches (or is cut with an ellipsis)', async () => {
    expect(await target(`Fixes: ${fixed.slice(0, 12)} ("${subject}")`)).toEqual([]);
    expect(await target(`Fixes: ${fixed.slice(0, 12)} ("net: foo: add the...")`)).toEqual([]);
  });

  it('flags a subject that differs and suggests the one the repository has', async () => {
    const [f] = await target(`Fixes: ${fixed.slice(0, 12)} ("net: foo: add a driver")`);
    expect(f?.severity).toBe('error');
    expect(f?.message).toContain(`"${subject}"`);
    expect(f?.location).toMatchObject({ kind: 'message', line: 6 });
    expect(f?.fix?.target).toEqual({ kind: 'message', startLine: 6, endLine: 6, lines: [`Fixes: ${fixed.slice(0, 12)} ("${subject}")`] });
  });

  it('flags a hash the repository does not have, and one that is not an ancestor of HEAD', async () => {
    expect((await target('Fixes: 0123456789ab ("net: foo: add the foo driver")'))[0]?.message).toMatch(/does not have/);
    expect((await target(`Fixes: ${side.slice(0, 12)} ("net: foo: work that never reached main")`))[0]?.message).toMatch(/not an ancestor of HEAD/);
  });

  it('needs the repository: without --repo it says nothing', async () => {
    const findings = await findingsFor(eml('[PATCH net] net: foo: free the skb when the ring is full', ['Fixes: 0123456789ab ("net: foo: add a driver")']));
    expect(findings.map((f) => f.rule)).not.toContain('kernel/fixes-target');
  });
});
