import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReviewGraph, routeAfterRules, routeToRules } from '../../../src/graphs/review/index.js';
import { mergeNode } from '../../../src/graphs/review/nodes/merge.js';
import { runReview, type ReviewEvent } from '../../../src/graphs/review/run.js';
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
    request: { inputs: [], version: '0.0.0' },
    config: defaultConfig(),
    llm: null,
    changeset: null,
    findings: [],
    notes: [],
    merged: [],
    reviewReport: null,
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
  it('runs end to end on a hand-built change set and returns the validated report', async () => {
    const patch = makePatch({ kind: 'diff', subject: 'app.diff', files: [{ path: 'src/app.ts', added: ['<<<<<<< HEAD', 'const x = 1;'] }] });
    const changeset = makeChangeSet([patch], 'diff');
    const report = await runReview({ kind: 'changeset', changeset });
    expect(ReviewReportSchema.parse(report)).toEqual(report);
    expect(report.findings.map((f) => f.rule)).toContain('generic/conflict-marker');
    expect(report.totals.errors).toBeGreaterThan(0);
  });

  it('visits each step once per unit, and llmReview only with a model, in the graph and in the sequential run alike', async () => {
    const changeset = makeChangeSet([makePatch(), makePatch({ index: 1 })]);
    const base = { request: { inputs: ['x'], version: '0.0.0' }, config: defaultConfig(), changeset };
    const viaGraph = async (llm: LlmClient | null): Promise<Record<string, number>> => {
      const seen: Record<string, number> = {};
      for await (const update of await buildReviewGraph().stream({ ...base, llm }, { streamMode: 'updates' })) {
        for (const node of Object.keys(update)) seen[node] = (seen[node] ?? 0) + 1;
      }
      return seen;
    };
    const viaRunner = async (llm: LlmClient | null, engine: 'graph' | 'sequential'): Promise<Record<string, number>> => {
      const seen: Record<string, number> = {};
      await runReview({ kind: 'changeset', changeset }, { llm, engine }, (event) => {
        if (event.type === 'step') seen[event.step] = (seen[event.step] ?? 0) + 1;
      });
      return seen;
    };
    const offline = await viaGraph(null);
    expect(offline).toEqual({ patchRules: 2, seriesRules: 1, merge: 1, fixSuggestions: 1, report: 1 });
    expect(await viaRunner(null, 'graph')).toEqual(offline);
    expect(await viaRunner(null, 'sequential')).toEqual(offline);
    const online = await viaGraph(fakeLlm);
    expect(online).toEqual({ patchRules: 2, seriesRules: 1, llmReview: 1, merge: 1, fixSuggestions: 1, report: 1 });
    expect(await viaRunner(fakeLlm, 'sequential')).toEqual(online);
  });

  it('the sequential run and the LangGraph run give the same report', async () => {
    const inputs = [join(fixtures, 'netdev-bad-fixes.eml'), join(fixtures, '../review-llm/series.mbox'), join(fixtures, '../parse/heron-v2-series.mboxrd.mbox')];
    const viaGraph = await runReview({ kind: 'sources', inputs }, { engine: 'graph' });
    const sequential = await runReview({ kind: 'sources', inputs }, { engine: 'sequential' });
    expect(sequential).toEqual(viaGraph);
    expect(viaGraph.findings.length).toBeGreaterThan(3);
    // Offline, auto is the sequential run.
    const events: ReviewEvent[] = [];
    await runReview({ kind: 'sources', inputs: [inputs[0]!] }, {}, (e) => events.push(e));
    expect(events[0]).toEqual({ type: 'start', engine: 'sequential' });
    expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
  });

  it('reviews the demo fixture: malformed Fixes and reverse xmas tree', async () => {
    const report = await runReview({ kind: 'sources', inputs: [join(fixtures, 'netdev-bad-fixes.eml')] });
    const rules = report.findings.map((f) => f.rule);
    expect(rules).toContain('kernel/fixes-format');
    expect(rules).toContain('netdev/reverse-xmas-tree');
    expect(report.inputs).toEqual([join(fixtures, 'netdev-bad-fixes.eml')]);
  });

  it('a stream of change sets: one unit each, patch indices running on, findings out per unit', async () => {
    const units = [
      makeChangeSet([makePatch({ kind: 'diff', subject: 'a.diff', files: [{ path: 'src/a.ts', added: ['<<<<<<< HEAD'] }] })], 'diff'),
      makeChangeSet([makePatch({ kind: 'diff', subject: 'b.diff', input: 'b.diff', files: [{ path: 'src/b.ts', added: ['ok'] }, { path: 'src/c.ts', added: ['>>>>>>> theirs'] }] })], 'diff'),
    ];
    async function* stream() {
      yield* units;
    }
    const seen: Extract<ReviewEvent, { type: 'unit' }>[] = [];
    const report = await runReview({ kind: 'changesets', changesets: stream(), inputs: ['a.diff', 'b.diff'] }, {}, (e) => {
      if (e.type === 'unit') seen.push(e);
    });
    expect(seen.map((e) => [e.unit, e.firstPatch, e.report.patches.length])).toEqual([
      [0, 0, 1],
      [1, 1, 1],
    ]);
    // Unit reports keep their own indices; the run's report renumbers.
    expect(seen[1]!.report.findings.every((f) => f.patch === 0)).toBe(true);
    expect(report.patches.map((p) => p.index)).toEqual([0, 1]);
    expect(report.findings.filter((f) => f.rule === 'generic/conflict-marker').map((f) => f.patch)).toEqual([0, 1]);
    expect(report.totals.errors).toBe(2);
  });

  it('an aborted signal stops the run between units with its reason', async () => {
    const controller = new AbortController();
    const units = [makeChangeSet([makePatch()]), makeChangeSet([makePatch({ index: 1 })]), makeChangeSet([makePatch({ index: 2 })])];
    let reviewed = 0;
    const run = runReview({ kind: 'changesets', changesets: units }, { signal: controller.signal }, (e) => {
      if (e.type !== 'unit') return;
      reviewed++;
      controller.abort(new Error('stop here'));
    });
    await expect(run).rejects.toThrow('stop here');
    expect(reviewed).toBe(1);
  });
});
