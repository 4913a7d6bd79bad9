import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { groupByFunction, sourceFiles, stackFrames, toSuspects } from '../../agents/localizer/index.js';
import type { FunctionSpan, RankedLine } from '../../src/debug/types.js';

const dir = mkdtempSync(join(tmpdir(), 'rd-loc-test-'));
mkdirSync(join(dir, 'pkg'));
mkdirSync(join(dir, 'tests'));
writeFileSync(join(dir, 'pkg', 'calc.py'), 'def add(a, b):\n    return a - b\n');
writeFileSync(join(dir, 'tests', 'test_calc.py'), 'from pkg.calc import add\n');
writeFileSync(join(dir, 'conftest.py'), '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const r = (file: string, line: number, score: number, ef = 1, ep = 0): RankedLine => ({ file, line, score, failedCover: ef, passedCover: ep });
const span = (file: string, name: string, startLine: number, endLine: number): FunctionSpan => ({ file, name, startLine, endLine, signature: name });

describe('localizer offline', () => {
  it('groups ranked lines by their enclosing function, best first', () => {
    const spans = [span('a.py', 'f', 1, 10), span('a.py', 'g', 12, 20)];
    const groups = groupByFunction([r('a.py', 3, 0.5), r('a.py', 14, 0.9), r('a.py', 4, 0.4), r('a.py', 11, 1)], spans);
    expect(groups.map((g) => [g.span.name, g.score, g.lines.length])).toEqual([
      ['g', 0.9, 1],
      ['f', 0.5, 2],
    ]);
  });

  it('says how each suspect scored', () => {
    const [s] = toSuspects([{ ...r('a.py', 3, 0.70710678, 1, 1), functionName: 'f' }], 1);
    expect(s).toEqual({ file: 'a.py', line: 3, score: 0.707, why: 'executed by 1 of 1 failing test and 1 passing test', functionName: 'f' });
  });

  it('reads project frames from Python and Node stack traces, never test files', () => {
    const text = [
      `  File "${dir}/pkg/calc.py", line 2, in add`,
      `  File "${dir}/tests/test_calc.py", line 1, in test_add`,
      `    at add (file://${dir}/pkg/calc.py:2:5)`,
      'pkg/calc.py:2: in add',
    ].join('\n');
    expect(stackFrames(text, dir)).toEqual([{ file: 'pkg/calc.py', line: 2 }]);
  });

  it('lists the project sources without tests', () => {
    expect(sourceFiles(dir, 'python')).toEqual(['pkg/calc.py']);
  });
});
