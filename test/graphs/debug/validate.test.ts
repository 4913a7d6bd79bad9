import { describe, expect, it } from 'vitest';
import { commandUnusable, baselineFails } from '../../../src/graphs/debug/nodes/prepare.js';
import { buildReport } from '../../../src/graphs/debug/nodes/report.js';
import { candidateTimeoutMs, isTestFile, type DebugState } from '../../../src/graphs/debug/state.js';
import { FixReportSchema } from '../../../src/model/fix-report.js';
import { run, tc } from '../../support/test-run.js';

const baseline = run([tc('a', 'passed'), tc('b', 'failed'), tc('c', 'passed'), tc('flaky', 'failed')]);

describe('prepare helpers', () => {
  it('recognises a command the shell cannot find', () => {
    expect(commandUnusable(run([], { exitCode: 127, output: '/bin/sh: 1: nosuch: not found' }))).toBe('command not found');
    expect(commandUnusable(run([], { exitCode: 5 }))).toBe('no tests were collected');
    expect(commandUnusable(baseline)).toBeNull();
  });

  it('sees something to fix in failures, crashes and hangs only', () => {
    expect(baselineFails(baseline)).toBe(true);
    expect(baselineFails(run([tc('a', 'passed')]))).toBe(false);
    expect(baselineFails(run([], { timedOut: true, exitCode: null }))).toBe(true);
    expect(baselineFails(run([], { exitCode: 1 }))).toBe(true);
  });
});

describe('state helpers', () => {
  it('never treats sources as tests, always tests as tests', () => {
    for (const f of ['tests/test_x.py', 'test_x.py', 'x_test.py', 'conftest.py', 'test/a.test.js', 'src/a.spec.ts', '__tests__/a.js']) {
      expect(isTestFile(f), f).toBe(true);
    }
    for (const f of ['gcd.py', 'src/calc.js', 'lib/testing_utils.py', 'contest.py']) expect(isTestFile(f), f).toBe(false);
  });

  it('keeps candidate runs short next to a fast baseline, and leashes a hung one', () => {
    const input = { repo: '/r', testCommand: 'pytest', maxSeconds: 120, testTimeoutMs: 30_000 };
    const now = 1000;
    expect(candidateTimeoutMs({ input, startedAt: now, baseline: run([], { durationMs: 400 }), healthyRunMs: null }, false, now)).toBe(5000);
    const hung = run([], { timedOut: true, durationMs: 30_000 });
    expect(candidateTimeoutMs({ input, startedAt: now, baseline: hung, healthyRunMs: 600 }, true, now)).toBe(3300);
    expect(candidateTimeoutMs({ input, startedAt: now, baseline: hung, healthyRunMs: null }, true, now)).toBe(5000);
    expect(candidateTimeoutMs({ input, startedAt: now, baseline: hung, healthyRunMs: 600 }, false, now)).toBe(30_000);
    // Two candidates at once share the cores: each run gets twice the time the baseline alone needed.
    expect(candidateTimeoutMs({ input, startedAt: now, baseline: run([], { durationMs: 2000 }), healthyRunMs: null, concurrency: 2 }, true, now)).toBe(16_000);
    expect(candidateTimeoutMs({ input, startedAt: now, baseline: hung, healthyRunMs: 600, concurrency: 2 }, true, now)).toBe(6600);
  });
});

describe('report', () => {
  it('builds a schema-valid FixReport for a run that found nothing', () => {
    const state: DebugState = {
      input: { repo: '/r', testCommand: 'pytest', maxSeconds: 10, testTimeoutMs: 5000 },
      startedAt: 0,
      language: 'python',
      runner: 'pytest',
      workspace: null,
      baseline,
      runEnv: {},
      failing: baseline.tests.filter((t) => t.status === 'failed'),
      outcome: null,
      error: null,
      ranked: [],
      suspects: [{ file: 'a.py', line: 3, score: 0.7, why: 'executed by 1 of 1 failing test', functionName: 'f' }],
      suspectFunctions: [],
      trace: null,
      passingTrace: null,
      coverage: null,
      queue: [],
      batch: [],
      repairRounds: ['mutation:top', 'mutation:wide'],
      repairExhausted: true,
      produced: 0,
      seen: [],
      tried: [],
      healthyRunMs: null,
      best: null,
      passing: [],
      selection: null,
      alternatives: [],
      partialFixes: [],
      fallbackBest: null,
      disputed: null,
      explainerRoundTrips: 0,
      explanation: 'x',
      fixReport: null,
      notes: [],
    };
    const r = buildReport(state, { llmCalls: 0, promptTokens: 0, completionTokens: 0 }, 1500);
    expect(FixReportSchema.parse(r)).toEqual(r);
    expect(r.outcome).toBe('not-fixed');
    expect(r.patch).toBe('');
    expect(r.seconds).toBe(1.5);
    expect(r.tests.after).toEqual(r.tests.before);
    expect(r.suspects[0]!.why).toContain('in f');
  });
});

describe('FixReportSchema', () => {
  const report = {
    outcome: 'fixed' as const,
    patch: '--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n',
    suspects: [],
    explanation: '',
    tests: { before: { passed: 2, failed: 1 }, after: { passed: 3, failed: 0 } },
    usage: { llmCalls: 0, promptTokens: 0, completionTokens: 0 },
    seconds: 1,
  };

  it('takes a fixed report with no failing test after the patch', () => {
    expect(FixReportSchema.safeParse(report).success).toBe(true);
  });

  it('rejects "fixed" with failing tests after the patch, or without a patch', () => {
    const failing = FixReportSchema.safeParse({ ...report, tests: { ...report.tests, after: { passed: 3, failed: 1 } } });
    expect(failing.success).toBe(false);
    expect(failing.error?.issues[0]?.message).toContain('1 failing test');
    expect(FixReportSchema.safeParse({ ...report, patch: '' }).success).toBe(false);
    expect(FixReportSchema.safeParse({ ...report, outcome: 'not-fixed', tests: { ...report.tests, after: { passed: 3, failed: 1 } } }).success).toBe(true);
  });
});
