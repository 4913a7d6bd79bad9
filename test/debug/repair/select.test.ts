/**
 * What the traced values say (values.ts) and the choice among passing patches (select.ts).
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { behaviourDiff, choosePreferred, editSize, specialCaseLiterals, testLiterals, type Contender } from '../../../src/debug/repair/select.js';
import { shapeOf, traceFacts, typeOf } from '../../../src/debug/repair/values.js';
import type { Candidate, VariableTrace } from '../../../src/debug/types.js';

const step = (line: number, locals: Record<string, string>, fn = 'f'): VariableTrace['steps'][number] => ({ file: 'a.py', function: fn, line, locals });
const trace = (steps: VariableTrace['steps']): VariableTrace => ({ test: 't', steps, truncated: false });

describe('typeOf / shapeOf', () => {
  it('reads Python reprs and inspector previews', () => {
    expect(['None', 'undefined', 'null'].map(typeOf)).toEqual(['none', 'none', 'none']);
    expect(['3', '-2', '2.5', "'ab'", '"x"', '[1, 2]', '(1,)', "{'a': 1}", '{1, 2}', 'set()', 'Map(1) {1}'].map(typeOf)).toEqual([
      'int', 'int', 'float', 'str', 'str', 'list', 'tuple', 'dict', 'set', 'set', 'dict',
    ]);
    expect(typeOf("Employee(name='a', title='b')")).toBe('obj:Employee');
    expect(typeOf('<ledger.Account object at 0x7f>')).toBe('obj:Account');
    expect(typeOf('RunningStats')).toBe('obj:RunningStats');
    expect(['[]', "''", '0', '-1', '5', 'deque([])', 'Map(0)'].map(shapeOf)).toEqual(['list:empty', 'str:empty', 'num:zero', 'num:neg', 'num:pos', 'list:empty', 'dict:empty']);
  });
});

describe('traceFacts', () => {
  it('finds the first value class the failing run met and no passing run did, line by line', () => {
    const failing = trace([step(2, { item: 'undefined', sku: '"x"' }), step(3, { item: 'undefined', sku: '"x"' })]);
    // Before its assignment (line 2) the passing runs saw undefined too: no evidence there.
    const passing = trace([step(2, { item: 'undefined', sku: '"a"' }), step(3, { item: '{available: 1}', sku: '"a"' })]);
    const facts = traceFacts(failing, passing);
    expect(facts.differing).toHaveLength(1);
    expect(facts.differing[0]).toMatchObject({ name: 'item', kind: 'none', line: 3 });
    expect(facts.comparedWithPassing).toBe(true);
    expect([...facts.typesIn('a.py', 1, 5, 'sku')]).toEqual(['str']);
  });

  it('finds an order between two integers that only the failing run broke', () => {
    const failing = trace([step(5, { i: '5', count: '3' })]);
    const passing = trace([step(5, { i: '0', count: '3' }), step(5, { i: '2', count: '3' })]);
    const d = traceFacts(failing, passing).differing.find((x) => x.kind === 'relation');
    expect(d).toMatchObject({ name: 'i', other: 'count', op: '>=' });
  });

  it('says nothing without a passing trace', () => {
    expect(traceFacts(trace([step(1, { x: 'None' })]), null).differing).toEqual([]);
  });
});

const cand = (newSource: string, edits?: Candidate['edits']): Candidate => ({ file: 'a.js', operator: 'x', description: 'd', line: 1, newSource, priority: 0, ...(edits ? { edits } : {}) });

describe('specialCaseLiterals', () => {
  it('flags a comparison with a constant of the tests that the source does not have', () => {
    const original = 'function reserve(sku) {\n  return go(sku);\n}\n';
    const literals = new Set(['GHOST-1', '127']);
    const special = cand(original.replace('  return', "  if (sku === 'GHOST-1') return false;\n  return"));
    expect(specialCaseLiterals(original, special, literals)).toEqual(['GHOST-1']);
    const clean = cand(original.replace('  return', '  if (sku === undefined) return false;\n  return'));
    expect(specialCaseLiterals(original, clean, literals)).toEqual([]);
    // A constant already in the source is no special case.
    const withConst = 'function f(n) {\n  return n * 127;\n}\n';
    expect(specialCaseLiterals(withConst, cand(withConst.replace('return', 'if (n > 127) return 0;\n  return')), literals)).toEqual([]);
  });

  it('reads the test files’ literals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-literals-'));
    try {
      mkdirSync(join(dir, 'tests'));
      writeFileSync(join(dir, 'tests', 'test_a.py'), 'def test_a():\n    assert f("GHOST-1", 137) == 3\n    assert f("", 1) == 0\n');
      const lits = await testLiterals(dir, ['tests/test_a.py']);
      expect([...lits].sort()).toEqual(['137', '3', 'GHOST-1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('behaviourDiff', () => {
  it('counts the snapshots that differ, ignoring line numbers', () => {
    const before = trace([step(1, { a: '1' }), step(2, { a: '1', b: '2' }), step(3, { '<return>': '2' })]);
    const shifted = trace([step(2, { a: '1' }), step(3, { a: '1', b: '2' }), step(4, { '<return>': '2' })]);
    expect(behaviourDiff(before, shifted)).toBe(0);
    const changed = trace([step(1, { a: '1' }), step(2, { a: '1', b: '3' }), step(3, { '<return>': '3' })]);
    expect(behaviourDiff(before, changed)).toBe(4);
  });
});

describe('choosePreferred', () => {
  const c = (order: number, extra: Partial<Contender>): Contender => ({ candidate: cand(`x${order}`), order, specialCase: [], size: 5, ...extra });

  it('puts a special case last, then more changed behaviour, then a larger edit, then the later candidate; says why', () => {
    const special = c(0, { specialCase: ['GHOST-1'], behaviourChanges: 0, size: 1 });
    const noisy = c(1, { behaviourChanges: 4, size: 1 });
    const big = c(2, { behaviourChanges: 0, size: 30 });
    const best = c(3, { behaviourChanges: 0, size: 5 });
    const later = c(4, { behaviourChanges: 0, size: 5 });
    const choice = choosePreferred([special, noisy, big, best, later])!;
    expect(choice.best).toBe(best);
    const why = new Map(choice.others.map((o) => [o.contender, o.reason]));
    expect(why.get(special)).toMatch(/constant of the tests \(GHOST-1\)/);
    expect(why.get(noisy)).toMatch(/4 traced values differ, 0 for the chosen patch/);
    expect(why.get(big)).toMatch(/larger edit/);
    expect(why.get(later)).toMatch(/later in the candidate order/);
  });

  it('an unmeasured patch goes behind the measured ones', () => {
    const a = c(0, {});
    const b = c(1, { behaviourChanges: 2 });
    expect(choosePreferred([a, b])!.best).toBe(b);
    expect(editSize('a < b', cand('a > b', [{ start: 2, end: 3, text: '>' }]))).toBe(1);
    expect(editSize('a || b', cand('a && b'))).toBe(1);
    expect(editSize('f(x)', cand('f(x + 1)'))).toBe(2);
  });
});
