/**
 * runDebug, the debug graph's one runner: events out, the validated report back, its resources
 * released, the test environment under the caller's control.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDebug, type DebugEvent } from '../../../src/graphs/debug/run.js';
import { FixReportSchema, type FixReport } from '../../../src/model/fix-report.js';
import { gitIn, makeRepoFrom, removeRepo } from '../../support/git.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) removeRepo(d);
});

/** Run `body` with os.tmpdir() pointing at a fresh folder; returns what is left in it afterwards. */
async function inPrivateTmp(body: () => Promise<void>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-rundebug-tmp-'));
  made.push(dir);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    await body();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  return readdirSync(dir);
}

const task = (repo: string, maxSeconds = 60) => ({ repo, testCommand: 'python3 -m pytest -q', maxSeconds, testTimeoutMs: 20_000 });

describe('runDebug', () => {
  it('streams progress events and returns the validated report; nothing is left behind', { timeout: 150_000 }, async () => {
    const repo = makeRepoFrom('py-gcd');
    made.push(repo);
    const events: DebugEvent[] = [];
    let report!: FixReport;
    const left = await inPrivateTmp(async () => {
      report = await runDebug(task(repo), { llm: null }, (e) => events.push(e));
    });
    expect(left).toEqual([]);
    expect(FixReportSchema.parse(report)).toEqual(report);
    expect(report.outcome).toBe('fixed');
    expect(report.patch).toContain('gcd(b, a % b)');
    expect(new Set(events.map((e) => e.stage))).toEqual(new Set(['prepare', 'localize', 'repair', 'validate', 'explain', 'report']));
    expect(events.some((e) => e.stage === 'validate' && e.current === 1 && (e.total ?? 0) >= 1)).toBe(true);
    expect(gitIn(repo, ['status', '--porcelain'])).toBe('');
  });

  it('an abort stops the run, and the workspace goes with it', async () => {
    const repo = makeRepoFrom('py-pascal');
    made.push(repo);
    const controller = new AbortController();
    const started = Date.now();
    const stages: string[] = [];
    const left = await inPrivateTmp(async () => {
      const run = runDebug(task(repo), { llm: null, signal: controller.signal }, (e) => {
        stages.push(e.stage);
        if (e.stage === 'localize') controller.abort();
      });
      await expect(run).rejects.toBeDefined();
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(stages).not.toContain('validate');
    expect(left).toEqual([]);
    expect(gitIn(repo, ['status', '--porcelain'])).toBe('');
  });

  it('testEnv removes a variable from every run of the tests (a bot removes its secrets)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-rundebug-env-'));
    made.push(dir);
    const probe = join(dir, 'probe.txt');
    writeFileSync(join(dir, 'calc.py'), 'def double(x):\n    return x + x + 1\n');
    writeFileSync(
      join(dir, 'test_calc.py'),
      `import os\nfrom calc import double\n\ndef test_double():\n    with open(${JSON.stringify(probe)}, "a") as f:\n        f.write(repr(os.environ.get("RD_TEST_SECRET")) + "\\n")\n    assert double(2) == 4\n`,
    );
    const repo = makeRepoFrom(dir);
    made.push(repo);
    process.env.RD_TEST_SECRET = 'hunter2';
    try {
      const report = await runDebug({ ...task(repo, 40), testCommand: 'python3 -m pytest -q test_calc.py' }, { llm: null, testEnv: { RD_TEST_SECRET: undefined } });
      expect(report.outcome).toBe('fixed');
    } finally {
      delete process.env.RD_TEST_SECRET;
    }
    const seen = readFileSync(probe, 'utf8').trim().split('\n');
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set(['None']));
    rmSync(probe);
  });
});
