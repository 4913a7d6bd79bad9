import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReviewGraph, routeAfterRules, routeToRules, runReview } from '../../../src/graphs/review/index.js';
import { mergeNode } from '../../../src/graphs/review/nodes/merge.js';
import type { ReviewStateType } from '../../../src/graphs/review/state.js';
import type { LlmClient } from '../../../src/llm/types.js';
import { defaultConfig } from '../../../src/config/schema.js';
import { ReviewReportSchema, type Finding } from '../../../src/model/finding.js';
import { changeset as makeChangeSet, finding, patch as makePatch } from '../../support/changeset.js';

const fixtures = join(import.meta.dirname, '../../../fixtures/patches/cli');

const fakeLlm: LlmClient = {
  model: 'stub',
  baseUrl: 'http://127.0.0.1:1',
  structured: async () => null,
  usage: () => ({ llmCalls: 0, promptTokens: 0, completionTokens: 0 }),
  exhausted: () => false,
  notes: () => [],
};

function state(partial: Partial<ReviewStateType>): ReviewStateType {
  return {
    request: { inputs: [], format: 'text', failOn: 'error', version: '0.0.0' },
    config: defaultConfig(),
    llm: null,
    changeset: null,
    findings: [],
    notes: [],
    merged: [],
    reviewReport: null,
    output: '',
    ...partial,
  };
}

describe('review graph routing', () => {
  it('fans out one Send per patch plus one series task', () => {
    const changeset = makeChangeSet([makePatch(), makePatch({ index: 1 }), makePatch({ index: 2 })]);
    const sends = routeToRules(state({ changeset }));
    expect(sends.map((s) => s.node)).toEqual(['patchRules', 'patchRules', 'patchRules', 'seriesRules']);
    expect(sends.slice(0, 3).map((s) => (s.args as { patchIndex: number }).patchIndex)).toEqual([0, 1, 2]);
    // Each payload is the node's whole input: it carries the change set and the config.
    expect(sends[0]!.args).toMatchObject({ changeset, config: defaultConfig() });
  });

  it('skips the LLM reviewer when no model is configured', () => {
    expect(routeAfterRules(state({ llm: null }))).toBe('merge');
    expect(routeAfterRules(state({ llm: fakeLlm }))).toBe('llmReview');
  });
});

describe('merge', () => {
  it('keeps the deterministic finding over the LLM one at the same place, sorted', () => {
    const place = { kind: 'diff' as const, file: 'drivers/net/foo.c', line: 11, side: 'new' as const };
    const findings: Finding[] = [
      finding({ rule: 'netdev/reverse-xmas-tree', source: 'llm', message: 'from llm', location: place }),
      finding({ rule: 'kernel/missing-signoff', severity: 'error', location: { kind: 'message', line: 1, part: 'message' } }),
      finding({ rule: 'netdev/reverse-xmas-tree', message: 'from rule', location: place }),
      finding({ rule: 'netdev/fix-explains-why', source: 'llm', severity: 'info', location: { kind: 'message', line: 2, part: 'message' } }),
    ];
    const { merged } = mergeNode(state({ findings }));
    expect((merged as Finding[]).map((f) => `${f.rule}:${f.source}`)).toEqual([
      'kernel/missing-signoff:rule',
      'netdev/fix-explains-why:llm',
      'netdev/reverse-xmas-tree:rule',
    ]);
  });
});

describe('runReview', () => {
  it('runs end to end on a hand-built change set', async () => {
    const patch = makePatch({ kind: 'diff', subject: 'app.diff', files: [{ path: 'src/app.ts', added: ['<<<<<<< HEAD', 'const x = 1;'] }] });
    const changeset = makeChangeSet([patch], 'diff');
    const result = await runReview({ changeset, format: 'json' });
    const report = ReviewReportSchema.parse(JSON.parse(result.output));
    expect(report.findings.map((f) => f.rule)).toContain('generic/conflict-marker');
    expect(result.exitCode).toBe(1);
    expect(result.report.totals.errors).toBeGreaterThan(0);
  });

  it('visits each step once, and llmReview only with a model', async () => {
    const changeset = makeChangeSet([makePatch(), makePatch({ index: 1 })]);
    const base = {
      request: { inputs: ['x'], format: 'text' as const, failOn: 'error' as const, version: '0.0.0' },
      config: defaultConfig(),
      changeset,
    };
    const count = async (llm: LlmClient | null): Promise<Record<string, number>> => {
      const seen: Record<string, number> = {};
      for await (const update of await buildReviewGraph().stream({ ...base, llm }, { streamMode: 'updates' })) {
        for (const node of Object.keys(update)) seen[node] = (seen[node] ?? 0) + 1;
      }
      return seen;
    };
    const offline = await count(null);
    expect(offline).toMatchObject({ parse: 1, patchRules: 2, seriesRules: 1, merge: 1, fixSuggestions: 1, report: 1 });
    expect(offline.llmReview).toBeUndefined();
    const online = await count(fakeLlm);
    expect(online).toMatchObject({ llmReview: 1, merge: 1, report: 1 });
  });

  it('reviews the demo fixture: malformed Fixes and reverse xmas tree, exit 1', async () => {
    const result = await runReview({ inputs: [join(fixtures, 'netdev-bad-fixes.eml')], format: 'text' });
    const rules = result.report.findings.map((f) => f.rule);
    expect(rules).toContain('kernel/fixes-format');
    expect(rules).toContain('netdev/reverse-xmas-tree');
    expect(result.exitCode).toBe(1);
    expect(result.output).toMatch(/^total: \d+ errors, \d+ warnings, \d+ infos, \d+ lines checked$/m);
  });

  it('honours failOn: a warning-only review passes at error and fails at warning', async () => {
    const patch = makePatch({ kind: 'diff', subject: 'app.diff', files: [{ path: 'src/app.ts', added: ['const x = 1; '] }] });
    const changeset = makeChangeSet([patch], 'diff');
    const atError = await runReview({ changeset });
    expect(atError.report.findings.map((f) => f.severity)).toEqual(['warning']);
    expect(atError.exitCode).toBe(0);
    expect((await runReview({ changeset, failOn: 'warning' })).exitCode).toBe(1);
  });
});
