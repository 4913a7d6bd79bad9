/**
 * `rubberduck fix` must never say "fixed" (exit 0) while the user's own test command fails:
 * real runs of the built CLI on projects whose test command stops at the first failure (pytest
 * -x, mocha --bail in the npm script, a home-made runner that bails out), and on a mocha project
 * where breaking a require would make the failing test vanish.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FixReportSchema, type FixReport } from '../../src/model/fix-report.js';
import { gitIn, linkOwnNodeModules, makeRepoFrom, removeRepo, VALIDATION_DIR } from '../support/git.js';

const cli = join(import.meta.dirname, '../../dist/src/cli/index.js');
const made: string[] = [];
afterAll(() => {
  for (const d of made) removeRepo(d);
});

function project(name: string, opts: { nodeModules?: boolean } = {}): string {
  const dir = makeRepoFrom(join(VALIDATION_DIR, name));
  made.push(dir);
  if (opts.nodeModules) linkOwnNodeModules(dir);
  return dir;
}

function fix(dir: string, test: string, maxSeconds: number): { status: number | null; stderr: string; report: FixReport } {
  const out = join(mkdtempSync(join(tmpdir(), 'rd-fix-complete-')), 'report.json');
  made.push(join(out, '..'));
  const r = spawnSync(process.execPath, [cli, 'fix', '--repo', dir, '--test', test, '--offline', '--json', out, '--max-seconds', String(maxSeconds)], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
    timeout: 170_000,
  });
  return { status: r.status, stderr: r.stderr, report: FixReportSchema.parse(JSON.parse(readFileSync(out, 'utf8'))) };
}

/**
 * The promise itself: exit 0 only when the patch, applied to a clean copy, makes the user's
 * command exactly as given succeed; the summary line never reads "fixed" otherwise.
 */
function expectHonest(dir: string, test: string, r: { status: number | null; stderr: string; report: FixReport }): void {
  const copy = mkdtempSync(join(tmpdir(), 'rd-fix-honest-'));
  made.push(copy);
  gitIn(copy, ['clone', '-q', dir, '.']);
  if (r.report.outcome === 'fixed') {
    expect(r.status, r.stderr).toBe(0);
    gitIn(copy, ['apply'], r.report.patch);
    const nodeModules = join(dir, 'node_modules');
    spawnSync('sh', ['-c', `[ -e ${nodeModules} ] && ln -s ${nodeModules} node_modules; true`], { cwd: copy });
    const run = spawnSync('sh', ['-c', test], { cwd: copy, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, `${test} under the patch:\n${run.stdout}${run.stderr}`).toBe(0);
    expect(r.report.tests.after.failed).toBe(0);
  } else {
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/rubberduck fix: fixed/);
  }
}

describe('rubberduck fix: no "fixed" while the tests fail', () => {
  it('pytest -x: the baseline is complete and a one-test fix is not a fix', () => {
    const test = 'python3 -m pytest -q -x -p no:cacheprovider tests/test_grades.py';
    const dir = project('py-exitfirst');
    const r = fix(dir, test, 25);
    expect(r.report.tests.before).toEqual({ passed: 2, failed: 2 });
    expectHonest(dir, test, r);
  });

  it('mocha --bail inside `npm test`: the tool sees both failures and stays honest', () => {
    const dir = project('js-mocha-bail', { nodeModules: true });
    const r = fix(dir, 'npm test', 25);
    expect(r.report.tests.before).toEqual({ passed: 1, failed: 2 });
    expectHonest(dir, 'npm test', r);
  });

  it('a runner the tool does not know, which bails out: never fixed while the command fails', () => {
    const test = 'python3 tests/run_checks.py';
    const dir = project('py-own-runner');
    const r = fix(dir, test, 15);
    expectHonest(dir, test, r);
    expect(r.report.outcome).not.toBe('fixed');
  });

  it('mocha: the require stays, the real bug is fixed', () => {
    const dir = project('js-mocha-require', { nodeModules: true });
    const r = fix(dir, 'npm test', 60);
    expectHonest(dir, 'npm test', r);
    expect(r.report.outcome).toBe('fixed');
    expect(r.report.patch).toContain("if (!(from in units) || !(to in units))");
    expect(r.report.patch).not.toMatch(/^[-+].*require/m);
  });
});
