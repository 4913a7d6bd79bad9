/**
 * End to end: signed webhook deliveries over real HTTP to the BUILT `rubberduck serve` (embedded
 * SQLite queue), which talks to the stateful fake GitHub on 127.0.0.1 through GITHUB_API_URL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintIn, RESOLVED_MARKER, SUMMARY_MARKER } from '../../src/github/markers.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { appEnv, CLI, deliver, issueCommentEvent, pullRequestEvent, startCli, waitFor, type Started } from '../support/fake-github-events.js';
import { addedFile, fixPrRepo, sha, type FixtureRepo } from '../support/pr-builders.js';

const REPO = 'octo/demo';
let fake: FakeGitHub;
let serve: Started;
let work: string;
let fixRepo: FixtureRepo;
const envDump = () => join(work, 'env-dump.txt');

function serveEnv(): Record<string, string> {
  return appEnv(fake, {
    RUBBERDUCK_QUEUE_FILE: join(work, 'queue.sqlite'),
    RUBBERDUCK_ENV_DUMP: envDump(),
    // Must never reach a PR's tests:
    GITHUB_TOKEN: 'ghp_must_not_leak',
    SOME_SERVICE_PASSWORD: 'hunter2',
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rd-serve-'));
  fake = await startFakeGitHub();
  fake.addInstallation(1, [REPO, 'octo/mathlib', 'octo/badconf']);
  fake.addRepo({ owner: 'octo', name: 'demo', permissions: { maria: 'write', rita: 'read' } });
  fake.addRepo({ owner: 'octo', name: 'badconf', files: { '.github/rubberduck.yml': 'rules:\n  generic/no-such-rule: off\n' } });
  fixRepo = fixPrRepo();
  fake.addRepo({ owner: 'octo', name: 'mathlib', files: fixRepo.defaultFiles, permissions: { maria: 'admin', rita: 'read' }, archive: (ref) => fixRepo.archive(ref) });
  serve = await startCli('serve', serveEnv(), work);
});

afterAll(async () => {
  await serve?.stop();
  await fake?.close();
  rmSync(work, { recursive: true, force: true });
  if (fixRepo) rmSync(fixRepo.dir, { recursive: true, force: true });
});

const STATS_V1 = ['export function mean(xs) {  ', '  console.log(xs);', '  const total = xs.reduce((a, b) => a + b, 0);', '  debugger;', '  return total / xs.length;', '}'];
// The trailing whitespace and the debugger statement are gone; a comment line moves console.log down.
const STATS_V2 = ['// The arithmetic mean.', 'export function mean(xs) {', '  console.log(xs);', '  const total = xs.reduce((a, b) => a + b, 0);', '  return total / xs.length;', '}'];

const checkDone = (repo: string, head: string) => () => fake.checkRunsFor(repo, head).find((r) => r.status === 'completed');

describe('rubberduck serve', () => {
  it('answers /healthz and refuses unknown routes', async () => {
    const health = await fetch(`${serve.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, queue: 'sqlite' });
    expect((await fetch(`${serve.url}/nope`)).status).toBe(404);
    expect((await fetch(`${serve.url}/api/github/webhooks`)).status).toBe(405);
  });

  it('reviews a PR, then on a push posts no duplicate, edits the summary and resolves or deletes stale comments', async () => {
    fake.addPull(REPO, { number: 1, headSha: sha(1), files: [addedFile('src/stats.js', STATS_V1)] });
    const first = await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 1, headSha: sha(1) }));
    expect(first.status).toBe(200);
    const check1 = await waitFor(checkDone(REPO, sha(1)), 'the first check run');
    await waitFor(() => fake.issueCommentsOn(REPO, 1).length === 1, 'the summary');

    const reviews = fake.reviewsOn(REPO, 1);
    expect(reviews).toHaveLength(1);
    const comments = fake.commentsOn(REPO, 1);
    expect(comments.map((c) => [c.path, c.line, c.side])).toEqual([
      ['src/stats.js', 1, 'RIGHT'],
      ['src/stats.js', 2, 'RIGHT'],
      ['src/stats.js', 4, 'RIGHT'],
    ]);
    expect(comments.every((c) => fingerprintIn(c.body))).toBe(true);
    const whitespace = comments.find((c) => c.body.includes('generic/trailing-whitespace'))!;
    expect(whitespace.body).toContain('```suggestion\nexport function mean(xs) {\n```');
    expect(check1.conclusion).toBe('success'); // warnings only; bot.failOn defaults to error
    expect(check1.annotations).toHaveLength(3);
    const summary = fake.issueCommentsOn(REPO, 1)[0]!;
    expect(summary.body).toContain(SUMMARY_MARKER);
    expect(summary.body).toContain('3 warnings');

    // Someone answers the debugger comment: it will be resolved, not deleted.
    const debuggerComment = comments.find((c) => c.body.includes('debugger'))!;
    fake.reply(REPO, 1, debuggerComment.id, 'alice', 'I will remove it.');
    const consoleComment = comments.find((c) => c.body.includes('console.log'))!;

    fake.push(REPO, 1, sha(2), [addedFile('src/stats.js', STATS_V2)]);
    expect((await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 1, headSha: sha(2), action: 'synchronize' }))).status).toBe(200);
    await waitFor(checkDone(REPO, sha(2)), 'the second check run');
    await waitFor(() => fake.issueCommentsOn(REPO, 1)[0]!.edits === 1, 'the summary edit');

    expect(fake.reviewsOn(REPO, 1)).toHaveLength(1); // nothing new to say: no second review
    const after = fake.commentsOn(REPO, 1).filter((c) => !c.in_reply_to_id);
    expect(after.map((c) => c.id).sort()).toEqual([consoleComment.id, debuggerComment.id].sort());
    expect(fake.reviewComments.get(consoleComment.id)!.body).toBe(consoleComment.body); // same finding, moved to line 3: kept
    expect(fake.reviewComments.get(debuggerComment.id)!.body).toContain(RESOLVED_MARKER);
    expect(fake.resolvedThreads.has(debuggerComment.id)).toBe(true);
    expect(fake.reviewComments.has(whitespace.id)).toBe(false); // nobody replied: deleted
    expect(fake.issueCommentsOn(REPO, 1)).toHaveLength(1);
    expect(fake.issueCommentsOn(REPO, 1)[0]!.body).toContain('1 warning');
  });

  it('acknowledges a redelivery and does nothing with it', async () => {
    const id = 'redelivered-0001';
    fake.addPull(REPO, { number: 6, headSha: sha(6), files: [addedFile('a.txt', ['one  '])] });
    expect((await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 6, headSha: sha(6) }), { id })).status).toBe(200);
    await waitFor(checkDone(REPO, sha(6)), 'the check run');
    await waitFor(() => fake.issueCommentsOn(REPO, 6).length === 1, 'the summary');
    const writes = fake.writes().length;
    expect((await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 6, headSha: sha(6) }), { id })).status).toBe(200);
    await waitFor(() => serve.log().includes(`delivery ${id} pull_request: redelivery, ignored`), 'the redelivery log line');
    // Another delivery of the same (PR, head, command): the job exists, nothing is queued.
    expect((await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 6, headSha: sha(6), action: 'reopened' }))).status).toBe(200);
    await waitFor(() => /pull_request: already queued octo\/demo#6@/.test(serve.log()), 'the duplicate log line');
    expect(fake.writes().length).toBe(writes);
    expect(fake.reviewsOn(REPO, 6)).toHaveLength(1);
  });

  it('refuses unsigned and tampered deliveries with 401, and GitHub hears nothing of them', async () => {
    fake.addPull(REPO, { number: 7, headSha: sha(7), files: [addedFile('b.txt', ['two  '])] });
    const before = fake.requests.length;
    const unsigned = await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 7, headSha: sha(7) }), { signature: null });
    const tampered = await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 7, headSha: sha(7) }), { tamper: true });
    const wrongSecret = await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 7, headSha: sha(7) }), { secret: 'not-the-secret' });
    expect([unsigned.status, tampered.status, wrongSecret.status]).toEqual([401, 401, 401]);
    expect(unsigned.body).toContain('X-Hub-Signature-256');
    // A valid delivery afterwards is the first thing the fake hears about PR 7.
    expect((await deliver(serve.url, 'ping', { zen: 'Keep it logically awesome.', repository: { name: 'demo', owner: { login: 'octo' } } })).status).toBe(200);
    await waitFor(() => serve.log().includes('ping: event not handled'), 'the ping');
    expect(fake.requests.slice(before)).toEqual([]);
    expect(serve.log()).toContain('refused, no X-Hub-Signature-256');
    expect(serve.log()).toContain('refused, X-Hub-Signature-256 does not match the body');
  });

  it('reviews a fork PR (the App token writes to the base repository)', async () => {
    fake.addPull(REPO, { number: 2, headSha: sha(22), headRepo: 'mallory/demo', user: { login: 'mallory' }, files: [addedFile('fork.py', ['print("hi")  '])] });
    await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 2, headSha: sha(22), fork: 'mallory/demo', user: { login: 'mallory', type: 'User' } }));
    await waitFor(checkDone(REPO, sha(22)), 'the check run');
    expect(fake.commentsOn(REPO, 2)).toHaveLength(1);
  });

  it('moves a comment GitHub refuses (422) into the summary and posts the rest', async () => {
    fake.addPull(REPO, { number: 3, headSha: sha(33), refusePaths: ['generated.txt'], files: [addedFile('ok.txt', ['fine  ']), addedFile('generated.txt', ['refused  '])] });
    await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 3, headSha: sha(33) }));
    await waitFor(() => fake.issueCommentsOn(REPO, 3).length === 1, 'the summary');
    const posted = fake.commentsOn(REPO, 3);
    expect(posted.map((c) => c.path)).toEqual(['ok.txt']);
    expect(fake.reviewsOn(REPO, 3).filter((r) => r.state !== 'PENDING')).toHaveLength(1);
    expect(fake.reviewsOn(REPO, 3).some((r) => r.state === 'PENDING')).toBe(false); // probes cleaned up
    const summary = fake.issueCommentsOn(REPO, 3)[0]!.body;
    expect(summary).toContain('`generated.txt:1`');
    expect(serve.log()).toContain('GitHub refused the review (422');
  });

  it('reviews a PR of 350 files (list-files paginated), names the files GitHub sent no patch for, caps the inline comments and sends annotations 50 at a time', async () => {
    const files = Array.from({ length: 350 }, (_, i) => addedFile(`pkg/file${String(i).padStart(3, '0')}.txt`, [`line ${i}  `]));
    files[340] = { filename: 'pkg/huge.bin.txt', status: 'modified', additions: 40000, deletions: 0 };
    fake.addPull(REPO, { number: 4, headSha: sha(44), files });
    await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 4, headSha: sha(44) }));
    const check = await waitFor(checkDone(REPO, sha(44)), 'the check run', 60_000);
    await waitFor(() => fake.issueCommentsOn(REPO, 4).length === 1, 'the summary');
    const pages = fake.requests.filter((r) => r.path === '/repos/octo/demo/pulls/4/files');
    expect(pages.length).toBe(4); // 100 per page
    // 349 findings on the diff: the first 25 inline (bot.maxInlineComments), every one annotated.
    expect(fake.commentsOn(REPO, 4)).toHaveLength(25);
    expect(fake.commentsOn(REPO, 4).some((c) => c.path === 'pkg/file024.txt')).toBe(true);
    expect(fake.commentsOn(REPO, 4).some((c) => c.path === 'pkg/file320.txt')).toBe(false);
    expect(check.annotations).toHaveLength(349);
    expect(Math.max(...check.annotationRequests)).toBeLessThanOrEqual(50);
    expect(check.annotationRequests.length).toBe(7);
    expect((check.output.text ?? '').length).toBeLessThan(65_535);
    const summary = fake.issueCommentsOn(REPO, 4)[0]!.body;
    expect(summary).toContain('Not reviewed (1)');
    expect(summary).toContain('`pkg/huge.bin.txt`');
  });

  it('skips drafts and PRs opened by bots, and says so', async () => {
    await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 8, headSha: sha(88), draft: true }));
    await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 9, headSha: sha(99), user: { login: 'dependabot[bot]', type: 'Bot' } }));
    await waitFor(() => serve.log().includes('octo/demo#8: draft pull request, skipped'), 'the draft line');
    await waitFor(() => serve.log().includes('octo/demo#9: opened by a bot (dependabot[bot]), skipped'), 'the bot line');
  });

  it('reports a bad configuration on the default branch in the summary and a failed check', async () => {
    fake.addPull('octo/badconf', { number: 1, headSha: sha(101), files: [addedFile('x.txt', ['x'])] });
    await deliver(serve.url, 'pull_request', pullRequestEvent({ repo: 'badconf', number: 1, headSha: sha(101) }));
    const check = await waitFor(checkDone('octo/badconf', sha(101)), 'the check run');
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain('unknown rule "generic/no-such-rule"');
    expect(fake.issueCommentsOn('octo/badconf', 1)[0]!.body).toContain('Configuration error');
    // The configuration is read from the default branch, never from the PR's head.
    const reads = fake.requests.filter((r) => r.path.startsWith('/repos/octo/badconf/contents/'));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.search.includes('ref=main'))).toBe(true);
  });

  it('/rubberduck fix by a reader: a polite refusal, nothing runs', async () => {
    fake.addPull('octo/mathlib', { number: 1, headSha: fixRepo.headSha, baseSha: fixRepo.baseSha, files: fixRepo.files });
    const comment = fake.addIssueComment('octo/mathlib', 1, 'rita', '/rubberduck fix');
    await deliver(serve.url, 'issue_comment', issueCommentEvent({ repo: 'mathlib', number: 1, commentId: comment.id, body: comment.body, login: 'rita' }));
    await waitFor(() => fake.issueCommentsOn('octo/mathlib', 1).find((c) => c.user.login === fake.botLogin), 'the reply');
    const reply = fake.issueCommentsOn('octo/mathlib', 1).find((c) => c.user.login === fake.botLogin)!;
    expect(reply.body).toContain('@rita');
    expect(reply.body).toContain('write access');
    expect(fake.reactions.filter((r) => r.commentId === comment.id).map((r) => r.content)).toEqual(['eyes']);
    expect(fake.requests.some((r) => r.path.includes('/tarball/'))).toBe(false);
  });

  it('/rubberduck fix is off in serve unless the default branch turns it on', async () => {
    fake.addPull(REPO, { number: 10, headSha: sha(110), files: [addedFile('c.txt', ['c'])] });
    const comment = fake.addIssueComment(REPO, 10, 'maria', '/rubberduck fix');
    await deliver(serve.url, 'issue_comment', issueCommentEvent({ number: 10, commentId: comment.id, body: comment.body, login: 'maria' }));
    const reply = await waitFor(() => fake.issueCommentsOn(REPO, 10).find((c) => c.user.login === fake.botLogin), 'the reply');
    expect(reply.body).toContain('is off for this repository');
    await waitFor(() => fake.reactions.some((r) => r.commentId === comment.id && r.content === 'confused'), 'the confused reaction');
  });

  it('/rubberduck fix by a writer: runs the tests on the PR head without secrets and posts the validated patch as a suggestion', async () => {
    const comment = fake.addIssueComment('octo/mathlib', 1, 'maria', '/rubberduck fix please');
    await deliver(serve.url, 'issue_comment', issueCommentEvent({ repo: 'mathlib', number: 1, commentId: comment.id, body: comment.body, login: 'maria' }));
    await waitFor(() => fake.reactions.some((r) => r.commentId === comment.id && (r.content === 'rocket' || r.content === 'confused')), 'the final reaction', 120_000);
    expect(fake.reactions.filter((r) => r.commentId === comment.id).map((r) => r.content)).toEqual(['eyes', 'rocket']);
    const review = fake.reviewsOn('octo/mathlib', 1).find((r) => r.body.includes('Rubberduck fix: validated'))!;
    expect(review).toBeDefined();
    const suggestion = fake.commentsOn('octo/mathlib', 1).find((c) => c.pull_request_review_id === review.id)!;
    expect(suggestion.path).toBe('mathutil.py');
    expect(suggestion.line).toBe(5);
    expect(suggestion.body).toContain('```suggestion\n    return gcd(b, a % b)\n```');
    expect(review.body).toContain('What fails');

    // The PR's tests ran, and saw none of the bot's secrets.
    expect(existsSync(envDump())).toBe(true);
    const seen = readFileSync(envDump(), 'utf8').split(/\s+/);
    for (const secret of ['GITHUB_TOKEN', 'PRIVATE_KEY', 'WEBHOOK_SECRET', 'SOME_SERVICE_PASSWORD', 'OPENAI_API_KEY']) expect(seen).not.toContain(secret);
    expect(seen).toContain('PATH');

    // Asked again on the same head: it does not run twice.
    const again = fake.addIssueComment('octo/mathlib', 1, 'maria', '/rubberduck fix');
    await deliver(serve.url, 'issue_comment', issueCommentEvent({ repo: 'mathlib', number: 1, commentId: again.id, body: again.body, login: 'maria' }));
    await waitFor(() => fake.issueCommentsOn('octo/mathlib', 1).find((c) => c.body.includes('already ran')), 'the already-ran reply');
  }, 180_000); // a whole debugger run: minutes on a loaded machine

  it('picks up a job after a crash: serve killed mid-job, restarted on the same queue file', async () => {
    fake.addPull(REPO, { number: 5, headSha: sha(55), files: [addedFile('crash.txt', ['crash  '])] });
    const gate = fake.hold('GET', /^\/repos\/octo\/demo\/pulls\/5\/files$/);
    await deliver(serve.url, 'pull_request', pullRequestEvent({ number: 5, headSha: sha(55) }));
    await gate.seen;
    await serve.stop('SIGKILL');
    gate.release();
    expect(fake.checkRunsFor(REPO, sha(55))).toHaveLength(0);
    serve = await startCli('serve', serveEnv(), work);
    await waitFor(checkDone(REPO, sha(55)), 'the check run after the restart');
    expect(fake.reviewsOn(REPO, 5)).toHaveLength(1);
  });
});

describe('rubberduck serve: unusable configuration', () => {
  it('names every missing setting on one line and exits 2', () => {
    const result = spawnSync(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['rubberduck: serve: missing settings APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET (set in the environment)']);
  });

  it('refuses an unreadable private key at start', () => {
    const result = spawnSync(process.execPath, [CLI, 'serve'], { env: { PATH: process.env.PATH ?? '', APP_ID: '1', WEBHOOK_SECRET: 's', PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^rubberduck: PRIVATE_KEY: the private key cannot be read/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says when REDIS_URL cannot be reached', () => {
    const result = spawnSync(process.execPath, [CLI, 'worker'], { env: { PATH: process.env.PATH ?? '', APP_ID: '1', PRIVATE_KEY_PATH: '/nonexistent.pem', REDIS_URL: 'redis://127.0.0.1:1' }, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('PRIVATE_KEY_PATH=/nonexistent.pem: cannot read the private key (ENOENT)');
  });
});
