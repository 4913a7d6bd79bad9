/**
 * The debug graph with a model (a hand-written LlmClient answering per agent), on the py-roman
 * fixture (beyond mutation): the vote among the passing patches of a model round, and the
 * explainer → localizer round trip when the explainer blames a line the patch does not touch.
 * Real test runs in a real isolated workspace; only the model is scripted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildDebugGraph, RECURSION_LIMIT } from '../../../src/graphs/debug/index.js';
import type { DebugState } from '../../../src/graphs/debug/state.js';
import type { Workspace } from '../../../src/debug/types.js';
import type { LlmClient, StructuredRequest } from '../../../src/llm/types.js';
import { chooseAmongPassing, validatesWholeBatch } from '../../../src/graphs/debug/nodes/validate.js';
import { makeRepoFrom, removeRepo } from '../../support/git.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) removeRepo(d);
});

const OLD_TABLE = '    (1000, "M"),\n    (500, "D"),\n    (100, "C"),\n    (50, "L"),\n    (10, "X"),\n    (5, "V"),\n    (1, "I"),\n';
/** Passes the tests with three of the six subtractive pairs: small, but not the whole fix. */
const PARTIAL =
  '    (1000, "M"),\n    (900, "CM"),\n    (500, "D"),\n    (100, "C"),\n    (90, "XC"),\n    (50, "L"),\n    (10, "X"),\n    (5, "V"),\n    (4, "IV"),\n    (1, "I"),\n';
/** The whole fix (the fixture's expected one). */
const FULL =
  '    (1000, "M"),\n    (900, "CM"),\n    (500, "D"),\n    (400, "CD"),\n    (100, "C"),\n    (90, "XC"),\n    (50, "L"),\n    (40, "XL"),\n    (10, "X"),\n    (9, "IX"),\n    (5, "V"),\n    (4, "IV"),\n    (1, "I"),\n';

/** Wrong: IV only, so to_roman(1994) still fails. */
const IV_ONLY = OLD_TABLE.replace('    (1, "I"),\n', '    (4, "IV"),\n    (1, "I"),\n');

const repairAnswer = (replace: string, reasoning: string) => ({ reasoning, edits: [{ file: 'roman.py', search: OLD_TABLE, replace }] });
const explainAnswer = (blamed: { file: string; line: number } | null) => ({
  whatFails: 'to_roman(4) gives IIII instead of IV.',
  where: 'roman.py, the NUMERALS table.',
  why: 'The table lacks the subtractive pairs.',
  whatChanged: 'Pairs added to the table.',
  whyItFixes: 'The greedy loop now picks them.',
  blamed,
});

/** A fake model: answers per agent from a script (the last answer repeats), recording the requests. */
function scriptedModel(scripts: Record<string, unknown[]>): LlmClient & { requests: StructuredRequest<unknown>[] } {
  const requests: StructuredRequest<unknown>[] = [];
  const cursor = new Map<string, number>();
  return {
    model: 'fake',
    baseUrl: 'http://127.0.0.1:1/v1',
    requests,
    async structured<T>(req: StructuredRequest<T>): Promise<T | null> {
      requests.push(req as StructuredRequest<unknown>);
      const script = scripts[req.agent] ?? [];
      const i = cursor.get(req.agent) ?? 0;
      cursor.set(req.agent, i + 1);
      const answer = script[Math.min(i, script.length - 1)];
      return answer === undefined ? null : req.schema.parse(answer);
    },
    usage: () => ({ llmCalls: requests.length, promptTokens: 0, completionTokens: 0 }),
    exhausted: () => false,
    notes: () => [],
  };
}

async function runGraph(fixture: string, llm: LlmClient): Promise<DebugState> {
  const repo = makeRepoFrom(fixture);
  made.push(repo);
  let workspace: Workspace | null = null;
  try {
    const state = await buildDebugGraph().invoke(
      { input: { repo, testCommand: 'python3 -m pytest -q', maxSeconds: 240, testTimeoutMs: 20_000 }, startedAt: Date.now() },
      { configurable: { rubberduck: { llm, onWorkspace: (ws: Workspace) => (workspace = ws) } }, recursionLimit: RECURSION_LIMIT },
    );
    return state as DebugState;
  } finally {
    await (workspace as Workspace | null)?.dispose().catch(() => undefined);
  }
}

const calls = (llm: { requests: StructuredRequest<unknown>[] }, agent: string) => llm.requests.filter((r) => r.agent === agent).length;

describe('ranking among passing model patches', () => {
  it('validates a whole model batch only', () => {
    const c = { file: 'a.py', line: 1, newSource: '', priority: 0, description: '' };
    expect(validatesWholeBatch([{ ...c, operator: 'llm' }, { ...c, operator: 'llm' }])).toBe(true);
    expect(validatesWholeBatch([{ ...c, operator: 'swap-comparison' }])).toBe(false);
    expect(validatesWholeBatch([])).toBe(false);
  });

  it('weighs each passing patch by its votes, then prefers the smallest', () => {
    const pass = (patch: string, votes?: number) => ({
      candidate: { file: 'a.py', line: 1, newSource: '', priority: 0, description: '', operator: 'llm', ...(votes ? { votes } : {}) },
      patch,
      after: { passed: 1, failed: 0 },
    });
    const small = pass('--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n');
    const big = pass('--- a/a.py\n+++ b/a.py\n@@ -1 +1,2 @@\n-x = 1\n+x = 2\n+y = 3\n', 2);
    expect(chooseAmongPassing([small, big])).toBe(big);
    expect(chooseAmongPassing([small, { ...big, candidate: { ...big.candidate, votes: 1 } }])).toBe(small);
    expect(chooseAmongPassing([])).toBeUndefined();
  });

  it('a model round on py-roman: after a failed first answer, every sample validated, the majority patch wins over the first and smaller one', async () => {
    const llm = scriptedModel({
      localizer: [{ reasoning: 'The table lacks the subtractive pairs.', locations: [{ file: 'roman.py', line: 2, reason: 'no (900, "CM") after (1000, "M")' }] }],
      repairer: [
        repairAnswer(IV_ONLY, 'Add IV.'),
        repairAnswer(PARTIAL, 'Add the pairs the tests need.'),
        repairAnswer(FULL, 'Add all six subtractive pairs.'),
        repairAnswer(FULL, 'Add all six subtractive pairs.'),
      ],
      explainer: [explainAnswer({ file: 'roman.py', line: 3 })],
    });
    const state = await runGraph('py-roman', llm);
    expect(state.outcome ?? (state.best ? 'fixed' : 'not-fixed')).toBe('fixed');
    const byModel = state.tried.filter((t) => t.operator === 'llm');
    // llm:1 asks for one answer (it fails); llm:2 for three samples, both distinct patches ran
    expect(byModel.map((t) => t.verdict)).toEqual(['still-failing', 'passed', 'passed']);
    expect(state.best?.candidate.votes).toBe(2);
    expect(state.best?.patch).toContain('(400, "CD")');
    expect(calls(llm, 'repairer')).toBe(1 + 3);
    expect(state.explainerRoundTrips).toBe(0); // the explainer agreed
    // the model came in after one batch of mutations, not after all of them
    expect(state.tried.findIndex((t) => t.operator === 'llm')).toBeLessThanOrEqual(8);
  }, 300_000);
});

describe('explainer → localizer, once', () => {
  it('a disputed patch sends the run back: the blamed line tops the suspects, the model round finds a patch that agrees', async () => {
    const llm = scriptedModel({
      localizer: [{ reasoning: 'The table.', locations: [{ file: 'roman.py', line: 2, reason: 'missing pairs' }] }],
      repairer: [repairAnswer(PARTIAL, 'Add three pairs.'), repairAnswer(FULL, 'Add all six pairs.')],
      explainer: [explainAnswer({ file: 'roman.py', line: 18 }), explainAnswer({ file: 'roman.py', line: 3 })],
    });
    const state = await runGraph('py-roman', llm);
    expect(state.explainerRoundTrips).toBe(1);
    expect(state.suspects[0]).toMatchObject({ file: 'roman.py', line: 18 });
    expect(state.suspects[0]!.why).toContain('blamed by the explainer');
    expect(state.repairRounds).toContain('llm:recheck');
    expect(calls(llm, 'localizer')).toBe(1); // the round trip re-ranks, it does not measure again
    expect(calls(llm, 'repairer')).toBe(2); // llm:1's one answer, then the re-check round's
    expect(calls(llm, 'explainer')).toBe(2);
    // the re-check's prompt leads with the blamed line
    const recheck = llm.requests.filter((r) => r.agent === 'repairer')[1]!;
    expect(recheck.user).toMatch(/roman\.py:18\s+`while n >= value:`/);
    expect(state.best?.patch).toContain('(400, "CD")');
    expect(state.explanation).not.toContain('still blames');
  }, 300_000);

  it('the second time it only notes the disagreement; with no new passing patch the first one stands', async () => {
    const llm = scriptedModel({
      localizer: [{ reasoning: 'The table.', locations: [{ file: 'roman.py', line: 2, reason: 'missing pairs' }] }],
      repairer: [repairAnswer(PARTIAL, 'Add three pairs.')],
      explainer: [explainAnswer({ file: 'roman.py', line: 18 })],
    });
    const state = await runGraph('py-roman', llm);
    expect(state.explainerRoundTrips).toBe(1);
    expect(calls(llm, 'explainer')).toBe(2); // not a third time
    expect(calls(llm, 'repairer')).toBe(2);
    expect(state.best?.patch).toContain('(900, "CM")');
    expect(state.best?.patch).not.toContain('(400, "CD")');
    expect(state.fixReport?.outcome).toBe('fixed');
    expect(state.fixReport?.patch).toBe(state.best?.patch);
    expect(state.explanation).toContain('still blames roman.py:18');
  }, 300_000);
});

describe('repairer scheduling with a model (pure)', () => {
  const c = (operator: string) => ({ file: 'a.py', line: 1, newSource: operator, priority: 0, description: operator, operator });
  const t = (operator: string, verdict: 'passed' | 'still-failing' = 'still-failing', output?: string) => ({
    file: 'a.py',
    line: 1,
    operator,
    description: operator,
    verdict,
    detail: 'x still fails',
    ms: 1,
    ...(output ? { output } : {}),
  });

  it('a model round cuts in after the first mutation batch, and again right after its patches failed', async () => {
    const { modelRoundDue } = await import('../../../agents/repairer/index.js');
    const queue = [c('swap'), c('swap')];
    expect(modelRoundDue({ tried: [] }, queue, 'llm:1', true, ['mutation:top'])).toBe(false); // nothing validated yet
    expect(modelRoundDue({ tried: [t('swap')] }, queue, 'llm:1', true, ['mutation:top'])).toBe(true);
    expect(modelRoundDue({ tried: [t('swap')] }, queue, 'llm:1', false, ['mutation:top'])).toBe(false); // offline
    expect(modelRoundDue({ tried: [t('swap')] }, [c('llm'), ...queue], 'llm:2', true, ['mutation:top', 'llm:1'])).toBe(false); // model patches still queued
    expect(modelRoundDue({ tried: [t('swap'), t('llm')] }, queue, 'llm:2', true, ['mutation:top', 'llm:1'])).toBe(true); // feedback round
    expect(modelRoundDue({ tried: [t('swap')] }, queue, 'llm:2', true, ['mutation:top', 'llm:1'])).toBe(false); // llm:1 gave nothing: wait
    expect(modelRoundDue({ tried: [t('swap')] }, queue, 'mutation:wide', true, ['mutation:top'])).toBe(false);
  });

  it('a batch never mixes model and mutation candidates', async () => {
    const { nextBatch } = await import('../../../agents/repairer/index.js');
    const { batch, rest } = nextBatch([c('llm'), c('llm'), c('swap'), c('llm')]);
    expect(batch.map((x) => x.operator)).toEqual(['llm', 'llm']);
    expect(rest).toHaveLength(2);
    expect(nextBatch(Array.from({ length: 10 }, () => c('swap'))).batch).toHaveLength(8);
  });

  it('feeds the failed attempts back, the model ones last with their test output', async () => {
    const { previousAttempts } = await import('../../../agents/repairer/index.js');
    const attempts = previousAttempts([t('llm', 'still-failing', "assert 'IIII' == 'IV'"), t('swap'), t('swap'), t('ok', 'passed')]);
    expect(attempts).toHaveLength(3);
    expect(attempts[2]!.testOutput).toContain("assert 'IIII' == 'IV'");
    expect(attempts.some((a) => a.edits.includes('ok'))).toBe(false);
  });
});
