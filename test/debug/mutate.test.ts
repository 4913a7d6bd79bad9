import { describe, expect, it } from 'vitest';
import { hasSyntaxError } from '../../src/debug/ast.js';
import { generateCandidates } from '../../src/debug/mutate.js';
import type { Candidate, Language } from '../../src/debug/types.js';

async function allParse(lang: Language, cands: Candidate[]): Promise<void> {
  for (const c of cands) expect(await hasSyntaxError(lang, c.newSource, c.file), c.description).toBe(false);
}

function lineOf(src: string, needle: string): number {
  return src.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

describe('generateCandidates', () => {
  it('produces the < → <= fix first for a boundary bug (Python)', async () => {
    const src = 'def count_in_range(xs, lo, hi):\n    n = 0\n    for x in xs:\n        if lo <= x < hi:\n            n += 1\n    return n\n';
    const fixed = src.replace('x < hi', 'x <= hi');
    const line = lineOf(src, 'x < hi');
    const cands = await generateCandidates({ file: 'calc.py', lang: 'python', source: src, lines: [{ line, score: 1 }], maxCandidates: 50 });
    expect(cands.length).toBeGreaterThan(3);
    const idx = cands.findIndex((c) => c.newSource === fixed);
    expect(idx).toBeGreaterThanOrEqual(0);
    expect(idx).toBeLessThan(4);
    expect(cands[idx]!.operator).toBe('swap-comparison');
    await allParse('python', cands);
    expect(new Set(cands.map((c) => c.newSource)).size).toBe(cands.length);
    expect(cands.every((c) => c.newSource !== src)).toBe(true);
  });

  it('fixes an off-by-one in range() (Python)', async () => {
    const src = 'def squares(n):\n    out = []\n    for i in range(1, n):\n        out.append(i * i)\n    return out\n';
    const fixed = src.replace('range(1, n)', 'range(1, n + 1)');
    const cands = await generateCandidates({ file: 'sq.py', lang: 'python', source: src, lines: [{ line: 3, score: 0.9 }], maxCandidates: 40 });
    const hit = cands.find((c) => c.newSource === fixed);
    expect(hit?.operator).toBe('off-by-one');
    await allParse('python', cands);
  });

  it('swaps ^= to &= (JavaScript)', async () => {
    const src = 'function mask(flags, m) {\n  let f = flags;\n  f ^= m;\n  return f;\n}\nmodule.exports = { mask };\n';
    const fixed = src.replace('f ^= m', 'f &= m');
    const cands = await generateCandidates({ file: 'mask.js', lang: 'javascript', source: src, lines: [{ line: 3, score: 1 }], maxCandidates: 30 });
    expect(cands.find((c) => c.newSource === fixed)?.operator).toBe('swap-arithmetic');
    await allParse('javascript', cands);
  });

  it('swaps and/or (Python) and &&/|| (TypeScript)', async () => {
    const py = 'def ok(a, b):\n    return a > 0 or b > 0\n';
    const c1 = await generateCandidates({ file: 'ok.py', lang: 'python', source: py, lines: [{ line: 2, score: 1 }], maxCandidates: 30 });
    expect(c1.find((c) => c.newSource === py.replace(' or ', ' and '))?.operator).toBe('swap-boolean');
    await allParse('python', c1);
    const ts = 'export function ok(a: number, b: number): boolean {\n  return a > 0 || b > 0;\n}\n';
    const c2 = await generateCandidates({ file: 'ok.ts', lang: 'typescript', source: ts, lines: [{ line: 2, score: 1 }], maxCandidates: 30 });
    expect(c2.find((c) => c.newSource === ts.replace('||', '&&'))?.operator).toBe('swap-boolean');
    await allParse('typescript', c2);
  });

  it('orders by line suspiciousness first, respects maxCandidates, and adds a missing return', async () => {
    const src = 'def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n\n\ndef pick(a, b):\n    if a < b:\n        return a\n    return b\n';
    const cands = await generateCandidates({
      file: 't.py',
      lang: 'python',
      source: src,
      lines: [
        { line: 4, score: 0.5 },
        { line: 8, score: 1 },
      ],
      maxCandidates: 100,
    });
    expect(cands[0]!.line).toBe(8);
    const ret = cands.find((c) => c.operator === 'add-return');
    expect(ret?.newSource).toContain('        s += x\n    return s\n');
    await allParse('python', cands);
    const few = await generateCandidates({ file: 't.py', lang: 'python', source: src, lines: [{ line: 8, score: 1 }], maxCandidates: 3 });
    expect(few).toHaveLength(3);
    for (let i = 1; i < cands.length; i++) expect(cands[i]!.priority).toBeGreaterThanOrEqual(cands[i - 1]!.priority);
  });

  it('adds a base case to a recursive function (JavaScript)', async () => {
    const src = 'function fib(n) {\n  return fib(n - 1) + fib(n - 2);\n}\nmodule.exports = { fib };\n';
    const cands = await generateCandidates({ file: 'fib.js', lang: 'javascript', source: src, lines: [{ line: 2, score: 1 }], maxCandidates: 200 });
    expect(cands.some((c) => c.operator === 'add-base-case' && c.newSource.includes('if (n <= 1) return n;'))).toBe(true);
    await allParse('javascript', cands);
  });

  it('prefers similar names, returns a dropped value, unwraps a call, deletes a whole line', async () => {
    const kth = 'function kth(arr, k) {\n  const numLess = 1;\n  const numLessOrEq = 2;\n  if (k >= numLessOrEq) return kth(arr, k - numLess);\n  return arr[0];\n}\n';
    const c1 = await generateCandidates({ file: 'k.js', lang: 'javascript', source: kth, lines: [{ line: 4, score: 1 }], maxCandidates: 200 });
    const ids = c1.filter((c) => c.operator === 'replace-identifier');
    expect(ids.find((c) => c.description.includes("'numLess' → "))?.description).toContain("'numLess' → 'numLessOrEq'");

    const ps = 'function powerset(arr) {\n  return arr.map((subset) => {\n    [arr[0], ...subset];\n  });\n}\n';
    const c2 = await generateCandidates({ file: 'p.js', lang: 'javascript', source: ps, lines: [{ line: 3, score: 1 }], maxCandidates: 200 });
    expect(c2.some((c) => c.operator === 'add-return' && c.newSource.includes('    return [arr[0], ...subset];\n'))).toBe(true);

    const fl = 'def flatten(arr):\n    for x in arr:\n        if isinstance(x, list):\n            yield from flatten(x)\n        else:\n            yield flatten(x)\n';
    const c3 = await generateCandidates({ file: 'f.py', lang: 'python', source: fl, lines: [{ line: 6, score: 1 }], maxCandidates: 200 });
    expect(c3.find((c) => c.newSource === fl.replace('yield flatten(x)\n', 'yield x\n'))?.operator).toBe('unwrap-call');
    await allParse('python', c3);

    const ms = 'function f(a) {\n  let i = 0;\n  let j = 0;\n  j++;\n  i++;\n  return i + j + a;\n}\n';
    const c4 = await generateCandidates({ file: 'm.js', lang: 'javascript', source: ms, lines: [{ line: 5, score: 1 }], maxCandidates: 200 });
    expect(c4.find((c) => c.operator === 'remove-statement')?.newSource).toBe(ms.replace('  i++;\n', ''));
    await allParse('javascript', c4);
  });
});

describe('module loading is never mutated', () => {
  const untouched = (src: string, cands: Candidate[], needles: string[]) => {
    for (const c of cands) for (const n of needles) expect(c.newSource, c.description).toContain(n);
    expect(cands.length).toBeGreaterThan(0);
  };

  it('JavaScript: require(), import, export … from and import() stay as written', async () => {
    const src = [
      "const mime = require('connect').mime;",
      "const qs = require('qs');",
      "import { join } from 'node:path';",
      "export { helper } from './helper.js';",
      'export async function load(n) {',
      "  const m = await import('./plugin.js');",
      '  return m.run(qs.parse(mime), join(n, 1 + 1));',
      '}',
      '',
    ].join('\n');
    const lines = [1, 2, 3, 4, 6, 7].map((line) => ({ line, score: 1 }));
    const cands = await generateCandidates({ file: 'app.mjs', lang: 'javascript', source: src, lines, maxCandidates: 500 });
    untouched(src, cands, ["require('connect').mime", "require('qs')", "import { join } from 'node:path';", "export { helper } from './helper.js';", "import('./plugin.js')"]);
  });

  it('Python: import, from … import and importlib stay as written', async () => {
    const src = [
      'import os',
      'from collections import deque',
      'import importlib',
      'plugin = importlib.import_module("plugins.core")',
      '',
      'def run(n):',
      '    q = deque([n + 1])',
      '    return os.path.join(plugin.name, str(q.pop()))',
      '',
    ].join('\n');
    const lines = [1, 2, 3, 4, 7, 8].map((line) => ({ line, score: 1 }));
    const cands = await generateCandidates({ file: 'app.py', lang: 'python', source: src, lines, maxCandidates: 500 });
    untouched(src, cands, ['import os\n', 'from collections import deque', 'importlib.import_module("plugins.core")']);
  });
});
