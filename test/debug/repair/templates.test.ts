/**
 * Each repair template on a small source: the intended fix is among the candidates, it parses,
 * and (where the trace decides) it comes early. The programs are ours.
 */
import { describe, expect, it } from 'vitest';
import { hasSyntaxError } from '../../../src/debug/ast.js';
import { combineEdits, generateCandidates } from '../../../src/debug/mutate.js';
import { traceFacts } from '../../../src/debug/repair/values.js';
import type { Candidate, Language, VariableTrace } from '../../../src/debug/types.js';

const lineOf = (src: string, needle: string) => src.split('\n').findIndex((l) => l.includes(needle)) + 1;
const allLines = (src: string) => src.split('\n').map((_, i) => ({ line: i + 1, score: 1 }));

async function gen(file: string, lang: Language, source: string, opts: { lines?: { line: number; score: number }[]; facts?: ReturnType<typeof traceFacts>; families?: string[] } = {}): Promise<Candidate[]> {
  const cands = await generateCandidates({
    file,
    lang,
    source,
    lines: opts.lines ?? allLines(source),
    maxCandidates: 2000,
    ...(opts.facts ? { facts: opts.facts } : {}),
    ...(opts.families ? { families: opts.families } : {}),
  });
  for (const c of cands) expect(await hasSyntaxError(lang, c.newSource, file), c.description).toBe(false);
  return cands;
}

function step(file: string, fn: string, line: number, locals: Record<string, string>): VariableTrace['steps'][number] {
  return { file, function: fn, line, locals };
}
const trace = (steps: VariableTrace['steps'], outcome?: string): VariableTrace => ({ test: 't', steps, truncated: false, ...(outcome ? { outcome } : {}) });

describe('insert-guard', () => {
  const py = [
    'def skip_level(emp):',
    '    boss = emp.manager',
    '    grand = boss.manager',
    '    return grand.name if grand is not None else None',
    '',
  ].join('\n');

  it('guards the value the failing test saw as None and no passing test did (Python), first', async () => {
    const failing = trace([step('org.py', 'skip_level', 3, { emp: 'Employee(name=\'a\')', boss: 'None' })], "AttributeError: 'NoneType' object has no attribute 'manager'");
    const passing = trace([step('org.py', 'skip_level', 3, { emp: 'Employee(name=\'b\')', boss: 'Employee(name=\'c\')' })]);
    const facts = traceFacts(failing, passing);
    expect(facts.differing[0]).toMatchObject({ name: 'boss', kind: 'none', line: 3 });
    const cands = await gen('org.py', 'python', py, { lines: [{ line: 3, score: 1 }], facts });
    const fixed = py.replace('    grand = boss.manager', '    if boss is None:\n        return None\n    grand = boss.manager');
    const idx = cands.findIndex((c) => c.newSource === fixed);
    expect(idx).toBeGreaterThanOrEqual(0);
    expect(cands[idx]!.operator).toBe('insert-guard');
    expect(idx).toBeLessThan(3);
  });

  it('returns what a sibling method returns in its own guard (JavaScript), and checks emptiness of a consumed list (Python)', async () => {
    const js = [
      'export class Inventory {',
      '  release(sku) {',
      '    const item = this.items.get(sku);',
      '    if (item === undefined) return false;',
      '    return true;',
      '  }',
      '  reserve(sku, quantity) {',
      '    const item = this.items.get(sku);',
      '    if (item.available < quantity) return false;',
      '    return true;',
      '  }',
      '}',
      '',
    ].join('\n');
    const line = 9;
    const cands = await gen('inv.js', 'javascript', js, { lines: [{ line, score: 1 }], families: ['guards'] });
    expect(cands.some((c) => c.newSource.includes('    if (item === undefined) return false;\n    if (item.available < quantity)'))).toBe(true);

    const undo = ['class History:', '    def redo(self):', '        if not self._redo:', '            return False', '        return True', '', '    def undo(self):', '        self.text = self._undo.pop()', '        return True', ''].join('\n');
    const failing = trace([step('h.py', 'History.undo', 8, { self: '<h.History object at 0x1>', 'self._undo': '[]' })]);
    const passing = trace([step('h.py', 'History.undo', 8, { self: '<h.History object at 0x2>', 'self._undo': "['a']" })]);
    const c2 = await gen('h.py', 'python', undo, { lines: [{ line: 8, score: 1 }], facts: traceFacts(failing, passing), families: ['guards'] });
    expect(c2[0]!.newSource).toContain('    def undo(self):\n        if not self._undo:\n            return False\n        self.text = self._undo.pop()');
  });

  it('adds a bounds check from a numeric field the index is compared with (TypeScript)', async () => {
    const ts = [
      'export class Ring<T> {',
      '  private items: T[] = [];',
      '  private head = 0;',
      '  private count = 0;',
      '  at(i: number): T | undefined {',
      '    return this.items[(this.head + i) % this.items.length];',
      '  }',
      '}',
      '',
    ].join('\n');
    const cands = await gen('ring.ts', 'typescript', ts, { lines: [{ line: 6, score: 1 }], families: ['guards'] });
    expect(cands.some((c) => c.newSource.includes('  at(i: number): T | undefined {\n    if (i < 0 || i >= this.count) return undefined;\n    return this.items['))).toBe(true);
  });
});

describe('loop-guard', () => {
  it('turns `while True:` into a loop over a non-empty queue, and adds the check to another condition (JavaScript)', async () => {
    const py = ['def drain(ready):', '    out = []', '    while True:', '        job = ready.popleft()', '        out.append(job)', '    return out', ''].join('\n');
    const c1 = await gen('g.py', 'python', py, { lines: [{ line: 4, score: 1 }], families: ['loops'] });
    expect(c1.map((c) => c.newSource)).toContain(py.replace('while True:', 'while ready:'));
    const js = ['function drain(q, budget) {', '  let ran = 0;', '  while (ran < budget) {', '    const e = q.pending.shift();', '    e.run();', '    ran++;', '  }', '}', ''].join('\n');
    const c2 = await gen('d.js', 'javascript', js, { lines: [{ line: 4, score: 1 }], families: ['loops'] });
    expect(c2[0]).toMatchObject({ operator: 'loop-guard' });
    expect(c2[0]!.newSource).toContain('while (q.pending.length > 0 && ran < budget)');
  });
});

describe('off-by-one on integer sub-expressions', () => {
  it('adds ± 1 to a whole integer value the trace calls int, not only to literals and range bounds', async () => {
    const js = ['function expand(lo, hi) {', '  return Array.from({ length: hi - lo }, (_, k) => lo + k);', '}', ''].join('\n');
    const facts = traceFacts(trace([step('r.js', 'expand', 2, { lo: '3', hi: '5' })]), null);
    const cands = await gen('r.js', 'javascript', js, { lines: [{ line: 2, score: 1 }], facts, families: ['integers'] });
    expect(cands.map((c) => c.newSource)).toContain(js.replace('hi - lo', 'hi - lo + 1'));
    const py = ['def line_of(text, offset):', '    line = text.count("\\n", 0, offset)', '    return line', ''].join('\n');
    const c2 = await gen('p.py', 'python', py, { lines: [{ line: 2, score: 1 }], families: ['integers'] });
    expect(c2.map((c) => c.newSource)).toContain(py.replace('offset)\n', 'offset) + 1\n'));
    // A name the trace says is a string gets no ± 1.
    const f3 = traceFacts(trace([step('s.py', 'f', 2, { s: "'ab'" })]), null);
    const c3 = await gen('s.py', 'python', 'def f(s):\n    return s\n', { facts: f3, families: ['integers'] });
    expect(c3).toHaveLength(0);
  });
});

describe('replace-identifier by traced type', () => {
  it('offers only names of the same type, fields too', async () => {
    const py = ['class Bucket:', '    def refill(self, now):', '        elapsed = now - self.created', '        self.updated = now', '        return elapsed', ''].join('\n');
    const facts = traceFacts(trace([step('b.py', 'Bucket.refill', 3, { self: '<b.Bucket object at 0x1>', now: '5', 'self.created': '0', 'self.updated': '3', 'self.name': "'x'" })]), null);
    const cands = await gen('b.py', 'python', py, { lines: [{ line: 3, score: 1 }], facts, families: ['variables'] });
    const descs = cands.map((c) => c.description);
    expect(descs).toContain("line 3: 'self.created' → 'self.updated'");
    expect(descs.some((d) => d.includes("→ 'self.name'"))).toBe(false);
  });
});

describe('swaps', () => {
  it('swaps any two arguments, the operands of a non-commutative operator, and two leaves of one expression', async () => {
    const js = 'function remap(v, a, b) {\n  return lerp(a, v, b);\n}\n';
    const c1 = await gen('m.js', 'javascript', js, { families: ['arguments'] });
    expect(c1.map((c) => c.newSource)).toContain(js.replace('lerp(a, v, b)', 'lerp(a, b, v)'));
    const py = 'def took(start, end):\n    return (start - end).total_seconds()\n';
    const c2 = await gen('d.py', 'python', py, { families: ['operands'] });
    expect(c2.map((c) => c.newSource)).toContain(py.replace('start - end', 'end - start'));
    const conv = 'def c_to_f(c):\n    return c * 5 / 9 + 32\n';
    const c3 = await gen('u.py', 'python', conv, { families: ['operands'] });
    expect(c3.map((c) => c.newSource)).toContain(conv.replace('5 / 9', '9 / 5'));
  });
});

describe('sibling-method', () => {
  it('replaces a call by its sibling on the same receiver type', async () => {
    const py = 'def strip_trailing(text):\n    return [line.lstrip() for line in text.split("\\n")]\n';
    const c1 = await gen('w.py', 'python', py, { families: ['siblings'] });
    expect(c1.map((c) => c.newSource)).toContain(py.replace('lstrip', 'rstrip'));
    const ts = 'export function allowed(required: string[], granted: Set<string>): boolean {\n  return required.some((p) => granted.has(p));\n}\n';
    const c2 = await gen('a.ts', 'typescript', ts, { families: ['siblings'] });
    expect(c2.map((c) => c.newSource)).toContain(ts.replace('some', 'every'));
    // A list's append has extend as sibling, not a string method.
    const tags = 'def collect(posts):\n    seen = []\n    for p in posts:\n        seen.append(p.tags)\n    return seen\n';
    const facts = traceFacts(trace([step('t.py', 'collect', 4, { seen: '[]', posts: '[1]' })]), null);
    const c3 = await gen('t.py', 'python', tags, { lines: [{ line: 4, score: 1 }], facts, families: ['siblings'] });
    expect(c3.map((c) => c.description)).toEqual(expect.arrayContaining(["line 4: 'append' → 'extend'"]));
  });
});

describe('copy-statement', () => {
  it('copies a statement from a sibling function, renaming the function it came from', async () => {
    const py = [
      'class Account:',
      '    def deposit(self, amount, memo=""):',
      '        self.balance += amount',
      '        self.history.append(("deposit", amount, memo))',
      '',
      '    def withdraw(self, amount, memo=""):',
      '        self.balance -= amount',
      '',
    ].join('\n');
    const cands = await gen('l.py', 'python', py, { lines: [{ line: 7, score: 1 }], families: ['ingredients'] });
    const fixed = py.replace('        self.balance -= amount\n', '        self.balance -= amount\n        self.history.append(("withdraw", amount, memo))\n');
    expect(cands[0]!.newSource).toBe(fixed);
    expect(cands[0]!.operator).toBe('copy-statement');
  });

  it('mirrors a statement (min → max) and substitutes a string of the file; never copies a name out of scope', async () => {
    const ts = [
      'export class Stats {',
      '  min = Infinity;',
      '  max = -Infinity;',
      '  merge(other: Stats): this {',
      '    this.min = Math.min(this.min, other.min);',
      '    return this;',
      '  }',
      '  add(x: number): void {',
      '    this.sum += x;',
      '  }',
      '}',
      '',
    ].join('\n');
    const cands = await gen('s.ts', 'typescript', ts, { lines: [{ line: 5, score: 1 }], families: ['ingredients'] });
    expect(cands.map((c) => c.newSource)).toContain(ts.replace('other.min);\n', 'other.min);\n    this.max = Math.max(this.max, other.max);\n'));
    // `x` is not a name of merge(): `this.sum += x` is never copied there.
    expect(cands.some((c) => /merge[\s\S]*this\.sum \+= x;[\s\S]*return this/.test(c.newSource))).toBe(false);

    const js = [
      'export function tokenize(src) {',
      '  const tokens = [];',
      '  if (isDigit(src)) {',
      "    tokens.push({ type: 'number', value: src });",
      '  }',
      '  if (isName(src)) {',
      '    skip(src);',
      '  }',
      '  return tokens;',
      '}',
      "export const names = (t) => t.filter((x) => x.type === 'name');",
      '',
    ].join('\n');
    const c2 = await gen('t.js', 'javascript', js, { lines: [{ line: 7, score: 1 }], families: ['ingredients'] });
    expect(c2.map((c) => c.newSource)).toContain(js.replace('    skip(src);\n', "    skip(src);\n    tokens.push({ type: 'name', value: src });\n"));
  });
});

describe('wrap-min-max-abs', () => {
  it('caps with an unused numeric parameter, clamps at 0, takes abs of a difference', async () => {
    const ts = 'export function delay(attempt: number, baseMs: number, capMs: number): number {\n  return baseMs * 2 ** attempt;\n}\n';
    const c1 = await gen('b.ts', 'typescript', ts, { families: ['wrap'] });
    expect(c1[0]!.newSource).toBe(ts.replace('return baseMs * 2 ** attempt;', 'return Math.min(capMs, baseMs * 2 ** attempt);'));
    const js = 'function scrollTo(offset, max) {\n  const o = Math.min(offset, max);\n  return o;\n}\n';
    const c2 = await gen('s.js', 'javascript', js, { lines: [{ line: 2, score: 1 }], families: ['wrap'] });
    expect(c2.map((c) => c.newSource)).toContain(js.replace('Math.min(offset, max);', 'Math.max(Math.min(offset, max), 0);'));
    const py = 'def nearest(slots, target):\n    return min(slots, key=lambda s: (s - target, s))\n';
    const c3 = await gen('n.py', 'python', py, { families: ['wrap'] });
    expect(c3.map((c) => c.newSource)).toContain(py.replace('(s - target, s)', '(abs(s - target), s)'));
  });
});

describe('two-edits', () => {
  it('combines two non-overlapping edits of one file; refuses overlapping ones', async () => {
    const py = 'def c2f(c):\n    return c * 5 / 9 + 32\n\n\ndef f2c(f):\n    return (f - 32) * 9 / 5\n';
    const cands = await gen('u.py', 'python', py, { families: ['operands'] });
    const a = cands.find((c) => c.newSource === py.replace('c * 5 / 9', 'c * 9 / 5'))!;
    const b = cands.find((c) => c.newSource === py.replace('* 9 / 5', '* 5 / 9'))!;
    expect(a && b).toBeTruthy();
    const both = await combineEdits('python', py, a, b);
    expect(both?.newSource).toBe('def c2f(c):\n    return c * 9 / 5 + 32\n\n\ndef f2c(f):\n    return (f - 32) * 5 / 9\n');
    expect(both?.operator).toBe('two-edits');
    expect(both?.parts).toEqual(['swap-operands', 'swap-operands']);
    expect(await combineEdits('python', py, a, a)).toBeNull();
  });
});

describe('module loading is never touched by the new templates either', () => {
  it('no guard, copy or swap lands inside an import or a require', async () => {
    const js = "const { join } = require('node:path');\nconst qs = require('qs');\nfunction f(a, b) {\n  return join(qs.parse(a), b);\n}\n";
    const cands = await gen('a.js', 'javascript', js);
    expect(cands.length).toBeGreaterThan(0);
    for (const c of cands) {
      expect(c.newSource).toContain("require('node:path')");
      expect(c.newSource).toContain("require('qs')");
    }
  });
});
