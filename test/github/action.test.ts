/**
 * The BUILT `rubberduck action` with an event file, as GitHub Actions runs it, against the fake
 * GitHub as GITHUB_API_URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_MARKER } from '../../src/github/markers.js';
import { startFakeGitHub, type FakeGitHub } from '../support/fake-github.js';
import { parse as parseYaml } from 'yaml';
import { CLI, issueCommentEvent, pullRequestEvent, REPO_ROOT } from '../support/fake-github-events.js';
import { gitIn } from '../support/git.js';
import { addedFile, fixPrRepo, sha, type FixtureRepo } from '../support/pr-builders.js';

let fake: FakeGitHub;
let work: string;
let fixRepo: FixtureRepo;
const TOKEN = 'ghs_action_token';
const FORK_TOKEN = 'ghs_fork_read_only';
const BLIND_TOKEN = 'ghs_other_repo_only';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rd-action-'));
  fake = await startFakeGitHub();
  fake.addRepo({ owner: 'octo', name: 'demo', permissions: { maria: 'write' } });
  fixRepo = fixPrRepo();
  // bot.fix stays off here: in the Action the workflow's runner runs the PR's code, so it is allowed.
  fake.addRepo({ owner: 'octo', name: 'mathlib', files: { '.github/rubberduck.yml': 'bot:\n  test: python3 -m pytest -q\n', 'tests/conftest.py': '' }, permissions: { maria: 'write' }, archive: (ref) => fixRepo.archive(ref) });
  fake.addToken(TOKEN, { repos: ['octo/demo', 'octo/mathlib'] });
  fake.addToken(FORK_TOKEN, { readOnly: true, repos: ['octo/demo'] });
  fake.addToken(BLIND_TOKEN, { repos: ['octo/elsewhere'] });
});

afterAll(async () => {
  await fake?.close();
  rmSync(work, { recursive: true, force: true });
  if (fixRepo) rmSync(fixRepo.dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
}

let runs = 0;
function action(event: string, payload: unknown, env: Record<string, string> = {}, args: string[] = []): Promise<Run> {
  const dir = join(work, `run-${++runs}`);
  const eventPath = join(work, `event-${runs}.json`);
  const summaryPath = join(work, `summary-${runs}.md`);
  writeFileSync(eventPath, JSON.stringify(payload));
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? work, GITHUB_EVENT_PATH: eventPath, GITHUB_EVENT_NAME: event, GITHUB_REPOSITORY: 'octo/demo', GITHUB_TOKEN: TOKEN, GITHUB_API_URL: fake.url, GITHUB_STEP_SUMMARY: summaryPath, GITHUB_RUN_ID: String(runs), RUBBERDUCK_GITHUB_PACING: 'off' };
  void dir;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'action', ...args], { env: { ...base, ...env }, cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, summary: existsSync(summaryPath) ? readFileSync(summaryPath, 'utf8') : '' }));
  });
}

const CONFLICT = ['fn main() {', '<<<<<<< HEAD', '    old();', '=======', '    new();', '>>>>>>> feature', '}'];

describe('rubberduck action', () => {
  it('reviews the pull request of the event, writes the job summary, exits 1 on an error; a re-run posts nothing twice', async () => {
    fake.addPull('octo/demo', { number: 1, headSha: sha(1), files: [addedFile('src/main.rs', CONFLICT)] });
    const first = await action('pull_request', pullRequestEvent({ number: 1, headSha: sha(1) }));
    expect(first.stderr).toContain('reviewed:');
    expect(first.code).toBe(1);
    const comments = fake.commentsOn('octo/demo', 1);
    expect(comments.length).toBeGreaterThan(0);
    expect(comments.every((c) => c.user.login === 'github-actions[bot]')).toBe(true);
    expect(first.summary).toContain(SUMMARY_MARKER);
    expect(first.summary).toContain('error');
    expect(fake.checkRunsFor('octo/demo', sha(1))[0]!.conclusion).toBe('failure');

    const again = await action('pull_request', pullRequestEvent({ number: 1, headSha: sha(1), action: 'synchronize' }));
    expect(again.code).toBe(1);
    expect(fake.commentsOn('octo/demo', 1)).toHaveLength(comments.length);
    expect(fake.reviewsOn('octo/demo', 1)).toHaveLength(1);
    expect(fake.checkRunsFor('octo/demo', sha(1))).toHaveLength(1);
    expect(fake.issueCommentsOn('octo/demo', 1)).toHaveLength(1);
    expect(again.stderr).toContain(`${comments.length} kept`);
  });

  it('--fail-on warning fails on warnings; clean means exit 0', async () => {
    fake.addPull('octo/demo', { number: 2, headSha: sha(2), files: [addedFile('notes.txt', ['trailing  '])] });
    expect((await action('pull_request', pullRequestEvent({ number: 2, headSha: sha(2) }))).code).toBe(0);
    fake.push('octo/demo', 2, sha(3), [addedFile('notes.txt', ['still trailing  '])]);
    expect((await action('pull_request', pullRequestEvent({ number: 2, headSha: sha(3) }), { 'INPUT_FAIL-ON': 'warning' })).code).toBe(1);
  });

  it("a fork PR's read-only token: the result goes to the job summary and the log, no crash", async () => {
    fake.addPull('octo/demo', { number: 3, headSha: sha(33), headRepo: 'mallory/demo', files: [addedFile('src/main.rs', CONFLICT)] });
    const run = await action('pull_request', pullRequestEvent({ number: 3, headSha: sha(33), fork: 'mallory/demo' }), { GITHUB_TOKEN: FORK_TOKEN });
    expect(run.code).toBe(1);
    expect(run.summary).toContain('Could not write to this pull request');
    expect(run.summary).toContain('Resource not accessible by integration');
    expect(run.summary).toContain('generic/conflict-marker');
    expect(run.stdout).toContain('generic/conflict-marker');
    expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(fake.commentsOn('octo/demo', 3)).toHaveLength(0);
    expect(fake.requests.some((r) => r.status === 403)).toBe(true);
  });

  it('reviews a file GitHub sent no patch for from the workflow checkout', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'rd-action-checkout-'));
    try {
      gitIn(repo, ['init', '-q', '-b', 'main']);
      writeFileSync(join(repo, 'a.txt'), 'a\n');
      gitIn(repo, ['add', '-A']);
      gitIn(repo, ['commit', '-q', '-m', 'base']);
      const base = gitIn(repo, ['rev-parse', 'HEAD']).trim();
      writeFileSync(join(repo, 'big.txt'), 'fine\nmerge leftover below\n<<<<<<< HEAD\n');
      gitIn(repo, ['add', '-A']);
      gitIn(repo, ['commit', '-q', '-m', 'head']);
      const head = gitIn(repo, ['rev-parse', 'HEAD']).trim();
      fake.addPull('octo/demo', { number: 4, headSha: head, baseSha: base, files: [{ filename: 'big.txt', status: 'added', additions: 3, deletions: 0 }] });
      const run = await action('pull_request', pullRequestEvent({ number: 4, headSha: head }), { GITHUB_WORKSPACE: repo });
      expect(run.code).toBe(1);
      expect(run.summary).toContain('reviewed from the local checkout');
      expect(run.summary).toContain('generic/conflict-marker');
      expect(run.summary).not.toContain('Not reviewed');
      // Without the checkout the file is named as not reviewed.
      fake.push('octo/demo', 4, sha(44), [{ filename: 'big.txt', status: 'added', additions: 3, deletions: 0 }]);
      const blind = await action('pull_request', pullRequestEvent({ number: 4, headSha: sha(44) }));
      expect(blind.code).toBe(0);
      expect(blind.summary).toContain('Not reviewed (1)');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('/rubberduck fix in the Action runs on the runner (no bot.fix needed) and posts the suggestion', async () => {
    fake.addPull('octo/mathlib', { number: 1, headSha: fixRepo.headSha, baseSha: fixRepo.baseSha, files: fixRepo.files });
    const comment = fake.addIssueComment('octo/mathlib', 1, 'maria', '/rubberduck fix');
    const run = await action('issue_comment', issueCommentEvent({ repo: 'mathlib', number: 1, commentId: comment.id, body: comment.body, login: 'maria' }), { GITHUB_REPOSITORY: 'octo/mathlib' });
    expect(run.stderr).toContain('fix: fixed');
    expect(run.code).toBe(0);
    expect(fake.commentsOn('octo/mathlib', 1).some((c) => c.body.includes('return gcd(b, a % b)'))).toBe(true);
    expect(run.summary).toContain('Rubberduck fix: fixed');
  }, 180_000); // a whole debugger run: minutes on a loaded machine

  it('unusable input: one line, exit 2', async () => {
    const missing = await action('pull_request', {}, { GITHUB_TOKEN: '', GITHUB_REPOSITORY: '' });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('rubberduck: action: missing GITHUB_REPOSITORY, GITHUB_TOKEN (run inside GitHub Actions, or set them)');

    const badPath = await action('pull_request', {}, { GITHUB_EVENT_PATH: join(work, 'nope.json') });
    expect(badPath.code).toBe(2);
    expect(badPath.stderr.trim().split('\n')).toEqual([`rubberduck: GITHUB_EVENT_PATH=${join(work, 'nope.json')}: cannot read the event file (ENOENT)`]);

    fake.addPull('octo/demo', { number: 5, headSha: sha(5), files: [addedFile('x.txt', ['x'])] });
    const blind = await action('pull_request', pullRequestEvent({ number: 5, headSha: sha(5) }), { GITHUB_TOKEN: BLIND_TOKEN });
    expect(blind.code).toBe(2);
    expect(blind.stderr.trim().split('\n')).toHaveLength(1);
    expect(blind.stderr).toContain('rubberduck: octo/demo#5: the token cannot read this pull request (404');

    const badSeverity = await action('pull_request', {}, {}, ['--fail-on', 'fatal']);
    expect(badSeverity.code).toBe(2);
    expect(badSeverity.stderr.trim()).toBe('rubberduck: --fail-on fatal: unknown severity (use error, warning or info)');
  });

  it('waits out a rate limit (throttling plugin) and retries a server error (retry plugin) instead of failing', async () => {
    fake.addPull('octo/demo', { number: 6, headSha: sha(6), files: [addedFile('r.txt', ['r'])] });
    fake.rateLimitNext(1);
    // …and a server error is retried (retry plugin).
    fake.failNext('GET', /^\/repos\/octo\/demo\/pulls\/6\/files$/, 502, 'Bad Gateway');
    const run = await action('pull_request', pullRequestEvent({ number: 6, headSha: sha(6) }));
    expect(run.code).toBe(0);
    expect(fake.requests.filter((r) => r.path === '/repos/octo/demo/pulls/6/files').map((r) => r.status)).toEqual([502, 200]);
    expect(run.stderr).toMatch(/rate limit on GET \/repos\/\{owner\}\/\{repo\}\/pulls\/\{pull_number\}: waiting \d+ s/);
    expect(fake.checkRunsFor('octo/demo', sha(6))).toHaveLength(1);
  });

  it('skips events it does not handle, with exit 0', async () => {
    const run = await action('push', { repository: { name: 'demo', owner: { login: 'octo' } } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('push: event not handled');
  });

  it('action.yml is a composite action whose last step runs `rubberduck action` with the inputs', () => {
    const action = parseYaml(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; runs: { using: string; steps: { run?: string; env?: Record<string, string> }[] } };
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(['fail-on', 'github-token']);
    const last = action.runs.steps.at(-1)!;
    expect(last.env).toMatchObject({ GITHUB_TOKEN: '${{ inputs.github-token }}', RUBBERDUCK_FAIL_ON: '${{ inputs.fail-on }}' });
    // The step's script, run as the runner would: the fail-on input reaches --fail-on.
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', last.run!], { env: { PATH: process.env.PATH ?? '', GITHUB_ACTION_PATH: REPO_ROOT, RUBBERDUCK_FAIL_ON: 'fatal' }, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('rubberduck: --fail-on fatal: unknown severity (use error, warning or info)');
  });
});
