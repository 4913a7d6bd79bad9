import { describe, expect, it } from 'vitest';
import { candidateKey, linesForRound, orderCandidates } from '../../agents/repairer/index.js';
import type { Candidate, RankedLine } from '../../src/debug/types.js';

const r = (file: string, line: number, score: number): RankedLine => ({ file, line, score, failedCover: 1, passedCover: 0 });
const c = (file: string, line: number, priority: number, text = `${file}${line}${priority}`): Candidate => ({
  file,
  line,
  priority,
  operator: 'swap-comparison',
  description: `line ${line}`,
  newSource: text,
});

describe('repairer offline', () => {
  const ranked = [r('a.py', 3, 1), r('b.py', 7, 0.7), r('tests/test_a.py', 4, 1), r('a.py', 9, 0.2)];

  it('never works on test files', () => {
    const lines = linesForRound('mutation:wide', ranked, []);
    expect([...lines.keys()].sort()).toEqual(['a.py', 'b.py']);
  });

  it('widens from the top lines to every ranked line and the suspect functions', () => {
    const many = Array.from({ length: 20 }, (_, i) => r('a.py', i + 1, 1 - i / 40));
    const top = linesForRound('mutation:top', many, []);
    expect(top.get('a.py')!.length).toBe(12);
    const wide = linesForRound('mutation:wide', many, [{ file: 'a.py', name: 'f', startLine: 30, endLine: 32, signature: 'def f()' }]);
    expect(wide.get('a.py')!.length).toBe(23);
  });

  it('orders candidates by the line score across files, then by the mutator priority', () => {
    const ordered = orderCandidates([c('a.py', 9, 100), c('b.py', 7, 300), c('a.py', 3, 10_200), c('a.py', 3, 10_100)], ranked);
    expect(ordered.map((x) => `${x.file}:${x.line}:${x.priority}`)).toEqual(['a.py:3:10100', 'a.py:3:10200', 'b.py:7:300', 'a.py:9:100']);
  });

  it('keys candidates by file and content', () => {
    expect(candidateKey(c('a.py', 1, 1, 'x'))).toBe(candidateKey(c('a.py', 2, 5, 'x')));
    expect(candidateKey(c('a.py', 1, 1, 'x'))).not.toBe(candidateKey(c('b.py', 1, 1, 'x')));
  });
});

describe('repairer: the model round (LLM seam)', () => {
  it('asks repairWithModel after the top mutations and queues its edit as an llm candidate', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { repair } = await import('../../agents/repairer/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'rd-repair-llm-'));
    try {
      writeFileSync(join(dir, 'calc.py'), 'def add(a, b):\n    return a - b\n');
      const requests: string[] = [];
      const tools: string[][] = [];
      const llm = {
        model: 'stub',
        baseUrl: 'http://127.0.0.1:1/v1',
        async structured<T>(req: { agent: string; tools?: { tools: { name: string }[]; maxCalls: number } }): Promise<T | null> {
          requests.push(req.agent);
          tools.push(req.tools?.tools.map((t) => t.name) ?? []);
          return { reasoning: 'subtracts instead of adding.', edits: [{ file: 'calc.py', search: '    return a - b\n', replace: '    return a + b\n' }] } as T;
        },
        usage: () => ({ llmCalls: requests.length, promptTokens: 0, completionTokens: 0 }),
        exhausted: () => false,
        notes: () => [],
      };
      const state = {
        input: { repo: dir, testCommand: 'pytest', maxSeconds: 60, testTimeoutMs: 10_000 },
        startedAt: Date.now(),
        workspace: { origin: dir, dir, language: 'python', runner: 'pytest', reset: async () => {}, diff: async () => '', dispose: async () => {} },
        baseline: null,
        failing: [],
        ranked: [r('calc.py', 2, 1)],
        suspects: [{ file: 'calc.py', line: 2, score: 1, why: 'executed by 1 of 1 failing test' }],
        suspectFunctions: [{ file: 'calc.py', name: 'add', startLine: 1, endLine: 2, signature: 'def add(a, b)' }],
        trace: null,
        queue: [],
        batch: [],
        repairRounds: ['mutation:top'],
        repairExhausted: false,
        produced: 5,
        seen: [],
        tried: [],
      } as never;
      const update = await repair(state, { configurable: { rubberduck: { llm } } });
      // one answer first: a first answer that is right costs one call; the read-only tools come along
      expect(requests).toEqual(['repairer']);
      expect(tools).toEqual([['search_code', 'show_function', 'show_lines', 'tests_covering']]);
      expect(update.repairRounds).toEqual(['mutation:top', 'llm:1']);
      expect(update.batch).toHaveLength(1);
      expect((update.batch as Candidate[])[0]).toMatchObject({ file: 'calc.py', operator: 'llm', line: 2, newSource: 'def add(a, b):\n    return a + b\n' });
      expect(update.produced).toBe(6);

      // Offline the model rounds are skipped.
      const offline = await repair(state, { configurable: { rubberduck: { llm: null } } });
      expect(offline.repairRounds).toEqual(['mutation:top', 'llm:1', 'llm:2', 'mutation:wide']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('repairer: two-edit candidates from partial fixes', () => {
  it('pairs candidates of one file that fix different failing tests, most failures covered first', async () => {
    const { pairsOfPartialFixes } = await import('../../agents/repairer/index.js');
    const source = 'def c2f(c):\n    return c * 5 / 9 + 32\n\n\ndef f2c(f):\n    return (f - 32) * 9 / 5\n';
    const edit = (from: string, to: string): Candidate => {
      const start = source.indexOf(from);
      return { file: 'u.py', line: 1, priority: 0, cost: 600, operator: 'swap-operands', description: `${from} → ${to}`, newSource: source.replace(from, to), edits: [{ start, end: start + from.length, text: to }] };
    };
    const a = { candidate: edit('c * 5 / 9', 'c * 9 / 5'), fixes: ['t::c2f'] };
    const b = { candidate: edit('* 9 / 5', '* 5 / 9'), fixes: ['t::f2c'] };
    const same = { candidate: edit('+ 32', '- 32'), fixes: ['t::c2f'] };
    const pairs = await pairsOfPartialFixes([a, b, same], new Map([['u.py', source]]));
    expect(pairs[0]!.newSource).toBe('def c2f(c):\n    return c * 9 / 5 + 32\n\n\ndef f2c(f):\n    return (f - 32) * 5 / 9\n');
    expect(pairs[0]!.operator).toBe('two-edits');
    // a and `same` fix the same test: never paired.
    expect(pairs.some((p) => p.description.includes('+ 32 → - 32') && p.description.includes('c * 5 / 9'))).toBe(false);
  });
});
