/**
 * Validation in parallel copies (nodes/validate.ts): with two jobs the run still says
 * "candidate n of m" for every candidate in order, every passing candidate is confirmed with the
 * exact command, the choice among several passing patches is reported with the others as
 * alternatives, and no copy or temp folder is left behind.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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

describe('validation pool', () => {
  it('two jobs: candidates in order, the choice among passing patches, alternatives with reasons, nothing left', { timeout: 240_000 }, async () => {
    const src = mkdtempSync(join(tmpdir(), 'rd-pool-src-'));
    made.push(src);
    writeFileSync(join(src, 'age.py'), 'def is_adult(age):\n    return age > 18\n');
    writeFileSync(
      join(src, 'test_age.py'),
      'from age import is_adult\n\n\ndef test_eighteen():\n    assert is_adult(18)\n\n\ndef test_thirty():\n    assert is_adult(30)\n\n\ndef test_child():\n    assert not is_adult(3)\n',
    );
    const repo = makeRepoFrom(src);
    made.push(repo);
    const tmp = mkdtempSync(join(tmpdir(), 'rd-pool-tmp-'));
    made.push(tmp);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const events: DebugEvent[] = [];
    let report!: FixReport;
    try {
      report = await runDebug({ repo, testCommand: 'python3 -m pytest -q test_age.py', maxSeconds: 200, testTimeoutMs: 30_000, jobs: 2 }, { llm: null }, (e) => events.push(e));
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    expect(FixReportSchema.parse(report)).toEqual(report);
    expect(report.outcome).toBe('fixed');
    // The boundary fix, found first among several that pass (`> 17` passes too).
    expect(report.patch).toContain('+    return age >= 18');
    expect(report.operator).toBe('swap-comparison');
    expect(report.alternatives?.length ?? 0).toBeGreaterThan(0);
    for (const a of report.alternatives ?? []) {
      expect(a.reason.length).toBeGreaterThan(10);
      expect(a.patch).toMatch(/^--- a\/age\.py$/m);
    }
    expect(report.explanation).toMatch(/other candidates? passed the tests too; not chosen/);
    // "candidate n of m": every n once, in order, whatever copy ran it.
    const started = events.filter((e) => e.stage === 'validate' && e.current !== undefined).map((e) => e.current);
    expect(started).toEqual(Array.from({ length: started.length }, (_, i) => i + 1));
    expect(started.length).toBe(report.candidates?.tried);
    expect(events.some((e) => /2 candidates at a time/.test(e.message))).toBe(true);
    // Every passing candidate was confirmed with the exact command: all of them count as passing.
    expect(report.candidates?.passing).toBe((report.alternatives?.length ?? 0) + 1);
    expect(readdirSync(tmp)).toEqual([]);
    expect(gitIn(repo, ['status', '--porcelain'])).toBe('');
  });
});
