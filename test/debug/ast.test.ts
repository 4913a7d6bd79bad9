import { describe, expect, it } from 'vitest';
import { enclosingFunction, functionsIn, hasSyntaxError, languageOf, outline, parseSource } from '../../src/debug/ast.js';

const PY = `import os


class Stack:
    def __init__(self):
        self.items = []

    def push(self, x):
        self.items.append(x)

    @property
    def top(self):
        return self.items[-1]


def helper(a, b=2, *args, **kw):
    def inner(y):
        return y + 1
    return inner(a) + b
`;

const JS = `'use strict';
function add(a, b) {
  return a + b;
}
const twice = (x) => x * 2;
let later;
later = function (y) { return y; };
class Counter {
  constructor() { this.n = 0; }
  inc(by = 1) {
    this.n += by;
    return this.n;
  }
  reset = () => { this.n = 0; };
}
module.exports = { add, twice, Counter };
`;

describe('functionsIn', () => {
  it('finds Python functions and methods with their spans and signatures', async () => {
    const fns = await functionsIn('pkg/stack.py', 'python', PY);
    expect(fns.map((f) => [f.name, f.startLine, f.endLine])).toEqual([
      ['Stack.__init__', 5, 6],
      ['Stack.push', 8, 9],
      ['Stack.top', 11, 13],
      ['helper', 16, 19],
      ['inner', 17, 18],
    ]);
    expect(fns.find((f) => f.name === 'helper')!.signature).toBe('def helper(a, b=2, *args, **kw)');
    expect(fns.every((f) => f.file === 'pkg/stack.py')).toBe(true);
  });

  it('finds JS declarations, methods and named arrow/function expressions', async () => {
    const fns = await functionsIn('lib/a.js', 'javascript', JS);
    expect(fns.map((f) => [f.name, f.startLine, f.endLine])).toEqual([
      ['add', 2, 4],
      ['twice', 5, 5],
      ['later', 7, 7],
      ['Counter.constructor', 9, 9],
      ['Counter.inc', 10, 13],
      ['Counter.reset', 14, 14],
    ]);
    expect(fns[0]!.signature).toBe('function add(a, b)');
    expect(fns.find((f) => f.name === 'Counter.inc')!.signature).toBe('inc(by = 1)');
  });

  it('handles TypeScript and TSX', async () => {
    const ts = 'export function f<T>(x: T): T {\n  return x;\n}\nexport const g = async (n: number): Promise<number> => n + 1;\n';
    expect((await functionsIn('a.ts', 'typescript', ts)).map((f) => f.name)).toEqual(['f', 'g']);
    const tsx = 'export const C = (p: { n: number }) => <div>{p.n}</div>;\n';
    expect((await functionsIn('c.tsx', 'typescript', tsx)).map((f) => f.name)).toEqual(['C']);
  });
});

describe('enclosingFunction / hasSyntaxError / languageOf / outline', () => {
  it('picks the innermost function', async () => {
    const fns = await functionsIn('pkg/stack.py', 'python', PY);
    expect(enclosingFunction(fns, 18)?.name).toBe('inner');
    expect(enclosingFunction(fns, 19)?.name).toBe('helper');
    expect(enclosingFunction(fns, 1)).toBeUndefined();
    expect(enclosingFunction(fns, 18, 'other.py')).toBeUndefined();
  });

  it('detects syntax errors', async () => {
    expect(await hasSyntaxError('python', PY)).toBe(false);
    expect(await hasSyntaxError('python', 'def f(:\n  pass\n')).toBe(true);
    expect(await hasSyntaxError('javascript', JS)).toBe(false);
    expect(await hasSyntaxError('javascript', 'function (')).toBe(true);
    expect(await hasSyntaxError('typescript', 'let x: number = ;')).toBe(true);
    const tree = await parseSource('python', 'x = 1\n');
    expect(tree.rootNode.type).toBe('module');
    tree.delete();
  });

  it('maps extensions to languages', () => {
    expect(languageOf('a/b.py')).toBe('python');
    expect(languageOf('x.mjs')).toBe('javascript');
    expect(languageOf('x.tsx')).toBe('typescript');
    expect(languageOf('README.md')).toBeNull();
  });

  it('outlines signatures only, within a budget', async () => {
    const text = await outline(
      [
        { path: 'pkg/stack.py', text: PY, lang: 'python' },
        { path: 'lib/a.js', text: JS, lang: 'javascript' },
      ],
      10_000,
    );
    expect(text).toContain('pkg/stack.py:');
    expect(text).toContain('16-19 def helper(a, b=2, *args, **kw)');
    expect(text).toContain('    17-18 def inner(y)');
    expect(text).toContain('2-4 function add(a, b)');
    expect(text).not.toContain('self.items.append');
    const short = await outline([{ path: 'pkg/stack.py', text: PY, lang: 'python' }], 60);
    expect(short.length).toBeLessThanOrEqual(60);
  });
});
