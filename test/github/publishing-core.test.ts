/** The pure parts of the publishing core: anchoring, fingerprints, bodies, limits, event routing. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { routeEvent } from '../../src/github/events.js';
import { patchToSuggestions } from '../../src/github/fix-job.js';
import { fingerprintIn, fingerprintOf, numberFingerprints, SUMMARY_MARKER } from '../../src/github/markers.js';
import { buildPullDiff, DiffLines, type PullFile } from '../../src/github/pr-diff.js';
import { findRefused } from '../../src/github/publish.js';
import { parseRepoConfigText } from '../../src/github/repo-config.js';
import { annotationsOf, batches, checkOutput, MAX_CHECK_TEXT, planReview, summaryBody } from '../../src/github/review-plan.js';
import { isSecretName, takeSecrets } from '../../src/github/settings.js';
import { UsageError } from '../../src/model/errors.js';

const MODIFIED: PullFile = {
  filename: 'src/a.c',
  status: 'modified',
  additions: 2,
  deletions: 1,
  changes: 3,
  patch: ['@@ -10,4 +10,5 @@ int f(void)', ' int a;', '-int b;', '+int b = 0;', '+int c;', ' return a;', '@@ -40,2 +41,2 @@', ' x();', '-y();', '+z();'].join('\n'),
};

function finding(rule: string, file: string, line: number, extra: Partial<Finding> = {}): Finding {
  return { rule, severity: 'warning', message: `${rule} here`, source: 'rule', location: { kind: 'diff', file, line, side: 'new' }, ...extra };
}

async function linesOf(files: PullFile[]): Promise<DiffLines> {
  const diff = await buildPullDiff(files, { name: 'o/r#1' });
  return new DiffLines(diff.changeset.patches[0]?.files ?? []);
}

describe('anchoring inside the diff', () => {
  it('knows which lines of each side GitHub accepts, and in which hunk', async () => {
    const lines = await linesOf([MODIFIED]);
    expect(lines.text('src/a.c', 10)).toBe('int a;');
    expect(lines.text('src/a.c', 11)).toBe('int b = 0;');
    expect(lines.text('src/a.c', 11, 'LEFT')).toBe('int b;');
    expect(lines.text('src/a.c', 20)).toBeUndefined(); // between the hunks
    expect(lines.inOneHunk('src/a.c', 10, 13)).toBe(true);
    expect(lines.inOneHunk('src/a.c', 13, 41)).toBe(false);
    expect(lines.anchor('src/a.c', 12, 'RIGHT', 11)).toEqual({ path: 'src/a.c', line: 12, side: 'RIGHT', startLine: 11 });
    expect(lines.anchor('other.c', 1)).toBeUndefined();
  });

  it('places findings inline, with suggestion blocks for fixes, and the rest in the summary', async () => {
    const lines = await linesOf([MODIFIED]);
    const fix: Finding['fix'] = { description: 'initialise both', target: { kind: 'diff', file: 'src/a.c', startLine: 11, endLine: 12, lines: ['int b = 0;', 'int c = 0;'] } };
    const plan = planReview(
      [finding('x/fixable', 'src/a.c', 12, { fix }), finding('x/outside', 'src/a.c', 25), { ...finding('x/subject', 'src/a.c', 1), location: { kind: 'subject' } }],
      lines,
      'error',
    );
    expect(plan.inline).toHaveLength(1);
    expect(plan.inline[0]!.anchor).toEqual({ path: 'src/a.c', line: 12, side: 'RIGHT', startLine: 11 });
    expect(plan.inline[0]!.body).toContain('```suggestion\nint b = 0;\nint c = 0;\n```');
    expect(fingerprintIn(plan.inline[0]!.body)).toBe(plan.inline[0]!.fingerprint);
    expect(plan.elsewhere.map((f) => f.rule)).toEqual(['x/outside', 'x/subject']);
    expect(plan.conclusion).toBe('success');
    expect(planReview([finding('x/e', 'src/a.c', 10, { severity: 'error' })], lines, 'error').conclusion).toBe('failure');
  });

  it('uses a longer fence when the suggested code holds backticks', async () => {
    const lines = await linesOf([MODIFIED]);
    const fix: Finding['fix'] = { description: 'd', target: { kind: 'diff', file: 'src/a.c', startLine: 11, endLine: 11, lines: ['s = "```";'] } };
    const body = planReview([finding('x/f', 'src/a.c', 11, { fix })], lines, 'error').inline[0]!.body;
    expect(body).toContain('````suggestion\ns = "```";\n````');
  });
});

describe('fingerprints', () => {
  it('depend on rule, path and content, not on the line number; repeats are numbered', () => {
    expect(fingerprintOf('r', 'a', '  x = 1;')).toBe(fingerprintOf('r', 'a', 'x = 1;  '));
    expect(fingerprintOf('r', 'a', 'x')).not.toBe(fingerprintOf('r', 'b', 'x'));
    expect(fingerprintOf('r', 'a', 'x')).not.toBe(fingerprintOf('s', 'a', 'x'));
    const [one, two, other] = numberFingerprints([
      { rule: 'r', path: 'a', text: 'dup' },
      { rule: 'r', path: 'a', text: 'dup' },
      { rule: 'r', path: 'a', text: 'other' },
    ]);
    expect(two).toBe(`${one}-2`);
    expect(fingerprintIn(`text <!-- rubberduck:fingerprint=${two} -->`)).toBe(two);
    expect(other).not.toContain('-');
    expect(fingerprintIn('no marker')).toBeUndefined();
  });
});

describe("GitHub's limits", () => {
  const many = Array.from({ length: 2000 }, (_, i) => finding('x/long', `f${i}.c`, 1, { message: 'm'.repeat(100) }));

  it('at most maxInline comments, the most severe first, the rest in the summary with their fingerprints unchanged', async () => {
    const lines = await linesOf([MODIFIED]);
    const found = [finding('x/w1', 'src/a.c', 10), finding('x/e1', 'src/a.c', 11, { severity: 'error' }), finding('x/w2', 'src/a.c', 12), finding('x/e2', 'src/a.c', 13, { severity: 'error' })];
    const all = planReview(found, lines, 'error');
    const capped = planReview(found, lines, 'error', 2);
    expect(capped.inline.map((c) => c.finding.rule)).toEqual(['x/e1', 'x/e2']);
    expect(capped.elsewhere.map((f) => f.rule)).toEqual(['x/w1', 'x/w2']);
    const fingerprintOf = (plan: typeof all, rule: string) => plan.inline.find((c) => c.finding.rule === rule)!.fingerprint;
    expect(fingerprintOf(capped, 'x/e2')).toBe(fingerprintOf(all, 'x/e2'));
    expect(planReview(found, lines, 'error', 0).inline).toEqual([]);
  });

  it('annotations go 50 per request', () => {
    const groups = batches(annotationsOf(many));
    expect(groups).toHaveLength(40);
    expect(groups.every((g) => g.length <= 50)).toBe(true);
  });

  it('the check text and the summary stay under their limits and say what was left out', async () => {
    const plan = planReview(many, await linesOf([]), 'error');
    const output = checkOutput(plan, 'a'.repeat(40));
    expect(output.text.length).toBeLessThan(MAX_CHECK_TEXT);
    expect(output.text).toMatch(/… and \d+ more/);
    const summary = summaryBody({ plan, headSha: 'a'.repeat(40), refused: [], unreviewed: [], version: '0' });
    expect(summary.length).toBeLessThanOrEqual(65_536);
    expect(summary.startsWith(SUMMARY_MARKER)).toBe(true);
    expect(summary).toMatch(/… and \d+ more/);
  });
});

describe('findRefused', () => {
  it('finds the refused items by bisection with few probes', async () => {
    const items = Array.from({ length: 16 }, (_, i) => i);
    const bad = new Set([3, 11]);
    let probes = 0;
    const refused = await findRefused(items, async (subset) => {
      probes++;
      return !subset.some((i) => bad.has(i));
    });
    expect(refused).toEqual([3, 11]);
    expect(probes).toBeLessThan(16);
    expect(await findRefused([], async () => false)).toEqual([]);
  });
});

describe('a validated patch as suggestions', () => {
  it('replaces the deleted head lines; insertions repeat the line above; lines outside the PR diff stay in the body', async () => {
    const lines = await linesOf([MODIFIED]);
    const patch = [
      '--- a/src/a.c',
      '+++ b/src/a.c',
      '@@ -10,3 +10,3 @@',
      ' int a;',
      '-int b = 0;',
      '+int b = 1;',
      ' int c;',
      '@@ -13,1 +13,2 @@',
      ' return a;',
      '+/* done */',
      '@@ -30,1 +31,1 @@',
      '-far();',
      '+near();',
      '',
    ].join('\n');
    const { inline, outside } = patchToSuggestions(patch, lines);
    expect(inline).toEqual([
      { anchor: { path: 'src/a.c', line: 11, side: 'RIGHT' }, lines: ['int b = 1;'] },
      { anchor: { path: 'src/a.c', line: 13, side: 'RIGHT' }, lines: ['return a;', '/* done */'] },
    ]);
    expect(outside).toHaveLength(1);
    expect(outside[0]).toContain('far();');
  });
});

describe('event routing', () => {
  const repository = { name: 'r', owner: { login: 'o' } };
  const pr = (extra: Record<string, unknown> = {}) => ({ number: 3, state: 'open', draft: false, user: { login: 'alice', type: 'User' }, head: { sha: 'a'.repeat(40) }, ...extra });

  it('reviews opened/synchronize/reopened/ready_for_review; skips drafts, bots, closed PRs and other actions', () => {
    expect(routeEvent('pull_request', { action: 'synchronize', repository, installation: { id: 9 }, pull_request: pr() }, 'd1')).toEqual({
      job: { kind: 'review', owner: 'o', repo: 'r', number: 3, headSha: 'a'.repeat(40), action: 'synchronize', deliveryId: 'd1', installationId: 9 },
    });
    expect(routeEvent('pull_request', { action: 'opened', repository, pull_request: pr({ draft: true }) }, 'd')).toEqual({ skip: 'o/r#3: draft pull request, skipped until it is ready for review' });
    expect(routeEvent('pull_request', { action: 'opened', repository, pull_request: pr({ user: { login: 'renovate[bot]', type: 'Bot' } }) }, 'd')).toMatchObject({ skip: expect.stringContaining('opened by a bot') });
    expect(routeEvent('pull_request', { action: 'labeled', repository, pull_request: pr() }, 'd')).toMatchObject({ skip: expect.stringContaining('is not reviewed') });
    expect(routeEvent('pull_request', { action: 'reopened', repository, pull_request: pr({ state: 'closed' }) }, 'd')).toMatchObject({ skip: 'o/r#3: closed' });
  });

  it('takes /rubberduck fix from a new comment on a pull request only', () => {
    const comment = (body: string, user = { login: 'maria', type: 'User' }) => ({ action: 'created', repository, issue: { number: 3, pull_request: {} }, comment: { id: 77, body, user } });
    expect(routeEvent('issue_comment', comment('/rubberduck fix'), 'd')).toMatchObject({ job: { kind: 'fix', number: 3, commentId: 77, commenter: 'maria' } });
    expect(routeEvent('issue_comment', comment('please /rubberduck fix'), 'd')).toMatchObject({ skip: expect.stringContaining('without a command') });
    expect(routeEvent('issue_comment', comment('/rubberduck fix', { login: 'x[bot]', type: 'Bot' }), 'd')).toMatchObject({ skip: expect.stringContaining('bot') });
    expect(routeEvent('issue_comment', { ...comment('/rubberduck fix'), issue: { number: 3 } }, 'd')).toMatchObject({ skip: expect.stringContaining('not a pull request') });
    expect(routeEvent('issue_comment', { ...comment('/rubberduck fix'), action: 'edited' }, 'd')).toMatchObject({ skip: expect.stringContaining('only new comments') });
  });
});

describe('configuration from the default branch', () => {
  it('reads YAML with the same strict schema as .rubberduck.json', () => {
    const config = parseRepoConfigText('bot:\n  fix: true\n  test: npm test\nrules:\n  generic/debug-leftover: off\n', '.github/rubberduck.yml', 'o/r:.github/rubberduck.yml@main');
    expect(config.bot).toMatchObject({ fix: true, test: 'npm test', failOn: 'error' });
    expect(config.rules['generic/debug-leftover']).toBe('off');
    expect(() => parseRepoConfigText('bot: [1, 2\n', '.github/rubberduck.yml', 'n')).toThrow(UsageError);
    expect(() => parseRepoConfigText('bots: {}\n', '.github/rubberduck.yml', 'n')).toThrow(/unknown key "bots"/);
    expect(() => parseRepoConfigText('- a\n', '.github/rubberduck.yml', 'n')).toThrow(/must be a mapping/);
    expect(parseRepoConfigText('', '.github/rubberduck.yml', 'n').bot.fix).toBe(false);
  });
});

describe('secrets', () => {
  it('are taken out of the environment the PR tests inherit', () => {
    const env: NodeJS.ProcessEnv = { GITHUB_TOKEN: 't', PRIVATE_KEY: 'k', WEBHOOK_SECRET: 's', OPENAI_API_KEY: 'o', REDIS_URL: 'redis://:pw@h', ACTIONS_RUNTIME_TOKEN: 'r', PATH: '/bin', OPENAI_BASE_URL: 'http://x', APP_ID: '1' };
    const snapshot = takeSecrets(env);
    expect(Object.keys(env).sort()).toEqual(['APP_ID', 'OPENAI_BASE_URL', 'PATH']);
    expect(snapshot.GITHUB_TOKEN).toBe('t');
    expect(isSecretName('INPUT_GITHUB-TOKEN')).toBe(true);
  });
});
