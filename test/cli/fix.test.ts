/**
 * End to end: the BUILT CLI (`node dist/src/cli/index.js fix …`) on fixtures copied into temp git
 * repositories. Kept to a few fixtures with short budgets; the full set runs in `npm run bench:fix`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FixReportSchema, type FixReport } from '../../src/model/fix-report.js';
import { gitIn, makeRepoFrom, removeRepo } from '../support/git.js';

const cli = join(import.meta.dirname, '../../dist/src/cli/index.js');
const PYTEST = 'python3 -m pytest -q';
const made: string[] = [];

function repo(fixture: string): string {
  const dir = makeRepoFrom(fixture);
  made.push(dir);
  return dir;
}

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-fix-test-'));
  made.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of made) removeRepo(d);
});

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function fix(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Result {
  const started = Date.now();
  const r = spawnSync(process.execPath, [cli, 'fix', ...args], {
    cwd: opts.cwd ?? process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...opts.env },
    timeout: 170_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

function readReport(file: string): FixReport {
  return FixReportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** Everything that says "the user's repository as it is": status, HEAD, stash, index, file contents. */
function snapshot(dir: string): string {
  const files = gitIn(dir, ['ls-files', '-co', '--exclude-standard']).split('\n').filter(Boolean).sort();
  return JSON.stringify({
    status: gitIn(dir, ['status', '--porcelain', '--ignored']),
    head: gitIn(dir, ['rev-parse', 'HEAD']),
    branches: gitIn(dir, ['branch', '-a']),
    stash: gitIn(dir, ['stash', 'list']),
    index: gitIn(dir, ['ls-files', '-s']),
    files: files.map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  });
}

describe('rubberduck fix (built CLI, offline)', () => {
  it('fixes a Python fixture, writes a valid report and leaves the repository untouched', () => {
    const dir = repo('py-sieve');
    const before = snapshot(dir);
    const out = join(scratch(), 'report.json');
    const r = fix(['--repo', dir, '--test', PYTEST, '--offline', '--json', out, '--max-seconds', '90']);
    expect(r.status, r.stderr).toBe(0);
    const report = readReport(out);
    expect(report.outcome).toBe('fixed');
    expect(report.tests.before.failed).toBeGreaterThan(0);
    expect(report.tests.after.failed).toBe(0);
    expect(report.suspects[0]?.file).toBe('sieve.py');
    expect(report.explanation).toContain('## 5. Why that fixes it');
    // Progress on stderr, the diff and the explanation on stdout.
    expect(r.stderr).toMatch(/\[validate\] candidate 1 of \d+/);
    expect(r.stdout).toContain('--- a/sieve.py');
    expect(r.stdout).toContain('## 1. What fails');
    // The user's repository is exactly as it was; the patch applies to it.
    expect(snapshot(dir)).toBe(before);
    const patchFile = join(scratch(), 'fix.patch');
    writeFileSync(patchFile, report.patch);
    expect(spawnSync('git', ['apply', '--check', patchFile], { cwd: dir }).status).toBe(0);
  }, 180_000);

  it('fixes a JavaScript fixture', () => {
    const dir = repo('js-parens');
    const out = join(scratch(), 'report.json');
    const r = fix(['--repo', dir, '--test', 'node --test', '--offline', '--json', out, '--max-seconds', '90']);
    expect(r.status, r.stderr).toBe(0);
    const report = readReport(out);
    expect(report.outcome).toBe('fixed');
    expect(report.patch).toContain('parens.js');
    expect(report.tests.after.failed).toBe(0);
  }, 180_000);

  it('--apply writes the validated patch into the working tree', () => {
    const dir = repo('py-gcd');
    const r = fix(['--test', PYTEST, '--offline', '--apply', '--max-seconds', '90'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(gitIn(dir, ['status', '--porcelain'])).toBe(' M gcd.py\n');
    expect(r.stderr).toContain('patch applied');
    expect(spawnSync('python3', ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'], { cwd: dir }).status).toBe(0);
  }, 180_000);

  it('terminates on an infinite loop within its budget', () => {
    const dir = repo('py-bitcount');
    const out = join(scratch(), 'report.json');
    const r = fix(['--repo', dir, '--test', PYTEST, '--offline', '--json', out, '--max-seconds', '20', '--test-timeout', '3']);
    expect([0, 1]).toContain(r.status);
    expect(r.ms).toBeLessThan(35_000);
    const report = readReport(out);
    expect(['fixed', 'not-fixed']).toContain(report.outcome);
    expect(report.seconds).toBeLessThan(25);
  }, 120_000);

  it('ends not-fixed (exit 1) on a bug beyond single mutations', () => {
    const dir = repo('py-roman');
    const before = snapshot(dir);
    const out = join(scratch(), 'report.json');
    const r = fix(['--repo', dir, '--test', PYTEST, '--offline', '--json', out, '--max-seconds', '15', '--apply']);
    expect(r.status, r.stderr).toBe(1);
    const report = readReport(out);
    expect(report.outcome).toBe('not-fixed');
    expect(report.patch).toBe('');
    expect(report.explanation).toContain('## 4. What was tried');
    expect(snapshot(dir)).toBe(before); // --apply without a fix applies nothing
  }, 120_000);

  describe('unusable input: exit 2, one line on stderr', () => {
    const oneLine = (r: Result) => {
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^rubberduck: /);
    };

    it('not a git repository', () => {
      const r = fix(['--repo', scratch(), '--test', PYTEST]);
      oneLine(r);
      expect(r.stderr).toContain('not a git repository');
    });

    it('a test command that does not exist', () => {
      const r = fix(['--repo', repo('py-gcd'), '--test', 'no-such-test-runner-xyz --all']);
      oneLine(r);
      expect(r.stderr).toContain('not found');
    }, 60_000);

    it('a test command that passes', () => {
      const dir = repo('py-gcd');
      const r = fix(['--repo', dir, '--test', `${PYTEST} -k test_b_zero`]);
      oneLine(r);
      expect(r.stderr).toContain('nothing to fix');
    }, 60_000);

    it('a missing --test and a bad number', () => {
      oneLine(fix(['--repo', '.']));
      oneLine(fix(['--test', 'x', '--max-seconds', 'soon']));
    });
  });

  it('an interrupted run (SIGINT) leaves the repository as it was and no temp dir behind', async () => {
    const dir = repo('py-pascal');
    const before = snapshot(dir);
    const tmp = scratch();
    const child = spawn(process.execPath, [cli, 'fix', '--repo', dir, '--test', PYTEST, '--offline'], {
      env: { ...process.env, TMPDIR: tmp, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/\[(localize|repair|validate)\]/.test(stderr)) resolve();
      });
      child.on('exit', () => resolve());
    });
    const sentAt = Date.now();
    child.kill('SIGINT');
    const code = await done;
    expect(code, stderr).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect(snapshot(dir)).toBe(before);
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  }, 120_000);
});
