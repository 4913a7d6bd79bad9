import { describe, expect, it } from 'vitest';
import { afterExplain, afterLocalize, afterPrepare, afterRepair, afterValidate, buildDebugGraph, MIN_TRY_MS } from '../../../src/graphs/debug/index.js';
import type { DebugInput, PassingPatch } from '../../../src/graphs/debug/state.js';
import type { Candidate } from '../../../src/debug/types.js';

const input: DebugInput = { repo: '/r', testCommand: 'pytest', maxSeconds: 60, testTimeoutMs: 10_000 };
const t0 = 1_000_000;
const cand: Candidate = { file: 'a.py', operator: 'swap-comparison', description: "line 3: '<' → '<='", line: 3, newSource: 'x', priority: 1 };
const best: PassingPatch = { candidate: cand, patch: 'diff', after: { passed: 3, failed: 0 } };

describe('debug graph routing', () => {
  it('prepare → report when nothing fails, else → localize', () => {
    expect(afterPrepare({ outcome: 'no-failing-test' })).toBe('report');
    expect(afterPrepare({ outcome: null })).toBe('localize');
  });

  it('localize → repair, or → explain after an error', () => {
    expect(afterLocalize({ outcome: null })).toBe('repair');
    expect(afterLocalize({ outcome: 'error' })).toBe('explain');
  });

  it('repair → validate with a batch and time left, else → explain', () => {
    expect(afterRepair({ batch: [cand], input, startedAt: t0 }, t0 + 1000)).toBe('validate');
    expect(afterRepair({ batch: [], input, startedAt: t0 }, t0 + 1000)).toBe('explain');
    expect(afterRepair({ batch: [cand], input, startedAt: t0 }, t0 + 60_000 - MIN_TRY_MS + 1)).toBe('explain');
  });

  it('validate → repair while no fix, candidates and budget last; → explain otherwise', () => {
    const base = { best: null, outcome: null, repairExhausted: false, input, startedAt: t0 };
    expect(afterValidate(base, t0 + 5000)).toBe('repair');
    expect(afterValidate({ ...base, best }, t0 + 5000)).toBe('explain');
    expect(afterValidate({ ...base, repairExhausted: true }, t0 + 5000)).toBe('explain');
    expect(afterValidate(base, t0 + 59_500)).toBe('explain');
    expect(afterValidate(base, t0 + 120_000)).toBe('explain');
    expect(afterValidate({ ...base, outcome: 'error' }, t0 + 5000)).toBe('explain');
  });

  it('passing patches waiting for the choice go on to more candidates, then to validate to be chosen', () => {
    const base = { best: null, outcome: null, repairExhausted: true, input, startedAt: t0 };
    expect(afterValidate({ ...base, passing: [best] }, t0 + 5000)).toBe('repair');
    expect(afterValidate({ ...base, passing: [] }, t0 + 5000)).toBe('explain');
    // Nothing left to validate: validate makes the choice with an empty batch.
    expect(afterRepair({ batch: [], passing: [best], best: null, input, startedAt: t0 }, t0 + 1000)).toBe('validate');
    expect(afterRepair({ batch: [], passing: [best], best, input, startedAt: t0 }, t0 + 1000)).toBe('explain');
    expect(afterRepair({ batch: [cand], passing: [best], best: null, input, startedAt: t0 }, t0 + 60_000)).toBe('validate');
  });

  it('explain → localize once when the explainer disputes the patch and time is left; else → report', () => {
    const disputed = { file: 'a.py', line: 9, reason: 'the table is wrong' };
    const base = { disputed: null, explainerRoundTrips: 0, outcome: null, input, startedAt: t0 };
    expect(afterExplain(base, t0 + 5000)).toBe('report');
    expect(afterExplain({ ...base, disputed }, t0 + 5000)).toBe('localize');
    expect(afterExplain({ ...base, disputed, explainerRoundTrips: 1 }, t0 + 5000)).toBe('report');
    expect(afterExplain({ ...base, disputed }, t0 + 59_500)).toBe('report');
    expect(afterExplain({ ...base, disputed, outcome: 'error' }, t0 + 5000)).toBe('report');
  });

  it('wires prepare → localize → repair ⇄ validate → explain → report', async () => {
    const g = await buildDebugGraph().getGraphAsync();
    const edges = g.edges.map((e) => `${e.source}->${e.target}`).sort();
    expect(edges).toEqual(
      [
        '__start__->prepare',
        'prepare->localize',
        'prepare->report',
        'localize->repair',
        'localize->explain',
        'repair->validate',
        'repair->explain',
        'validate->repair',
        'validate->explain',
        'explain->report',
        'explain->localize',
        'report->__end__',
      ].sort(),
    );
  });
});
