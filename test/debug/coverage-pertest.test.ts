/**
 * The pieces of per-test coverage that need no runner: source maps (inline, beside the file, and
 * Node's source-map cache), the collector's records → matrix (test ids, load-time lines, jest's
 * full names), and the mocha 1.x command rewrite.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPerTestCoverage } from '../../src/debug/coverage-pertest.js';
import { oldMochaDirect } from '../../src/debug/run-tests.js';
import { executedLines, prepareScript, sourceMapOf } from '../../src/debug/v8-lines.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rd-pertest-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A hand-made map: generated line 1 ← original line 3, generated line 2 ← original line 5 (a
// loader that dropped two lines of types). VLQ: "AAEA" = col 0, src 0, line +2, col 0.
const MAP = { version: 3 as const, sources: ['lib.ts'], names: [] as string[], mappings: 'AAEA;AAEA' };
const GENERATED = 'let a = 1;\nlet b = 2;\n';
const inline = (map: object) => `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;

describe('source maps of executed code', () => {
  it('finds the last inline map, also behind a trailing comment or closing braces (vite)', () => {
    expect(sourceMapOf(`${GENERATED}${inline(MAP)}\n`)).toMatchObject({ sources: ['lib.ts'] });
    expect(sourceMapOf(`${GENERATED}${inline(MAP)}\n\n//# vitestCache=abc\n}}`)).toMatchObject({ sources: ['lib.ts'] });
    expect(sourceMapOf(GENERATED)).toBeUndefined();
    expect(sourceMapOf(`${GENERATED}//# sourceMappingURL=data:application/json;base64,!!!`)).toBeUndefined();
  });

  it('reads a .map file beside a built file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'out.js.map'), JSON.stringify(MAP));
    expect(sourceMapOf(`${GENERATED}//# sourceMappingURL=out.js.map\n`, join(dir, 'out.js'))).toMatchObject({ sources: ['lib.ts'] });
  });

  it('maps executed offsets to original lines (inline map, and Node cache line lengths)', () => {
    const dir = tempDir();
    const path = join(dir, 'lib.ts');
    // Only the second statement ran.
    const ranges = [{ ranges: [{ startOffset: 0, endOffset: GENERATED.length, count: 0 }, { startOffset: 11, endOffset: 21, count: 1 }] }];
    const fromText = prepareScript({ path, source: `${GENERATED}${inline(MAP)}\n` })!;
    expect([...executedLines(fromText, ranges)]).toEqual([[path, new Set([5])]]);
    const fromCache = prepareScript({ path: `file://${path}`, lineLengths: [10, 10, 0], map: MAP })!;
    expect([...executedLines(fromCache, ranges)]).toEqual([[path, new Set([5])]]);
    // Without a map, the lines are the text's own.
    expect([...executedLines(prepareScript({ path, source: GENERATED })!, ranges)]).toEqual([[path, new Set([2])]]);
  });
});

describe("the collector's records", () => {
  function records(dir: string, name: string, recs: object[]): void {
    writeFileSync(join(dir, name), recs.map((r) => JSON.stringify(r)).join('\n') + '\n{"k":"cov","te');
  }

  it('gives each test its own lines plus its file load-time lines; jest full names resolve to ids', () => {
    const root = tempDir();
    const cov = join(root, 'cov');
    mkdirSync(cov);
    const lib = join(root, 'lib.js');
    const src = 'function a() {\n  return 1;\n}\nfunction b() {\n  return 2;\n}\nmodule.exports = { a, b };\n';
    writeFileSync(lib, src);
    const at = (needle: string) => src.indexOf(needle);
    const whole = [0, src.length, 1];
    records(cov, 'cov-1-0.jsonl', [
      { k: 'src', id: '1:0:7', path: lib, source: src },
      // loading the module: only the top level ran
      { k: 'cov', test: { out: true, file: join(root, 'test/x.test.js') }, s: [{ id: '1:0:7', r: [whole, [at('function a'), at('function b'), 0], [at('function b'), at('module'), 0]] }] },
      { k: 'cov', test: { file: join(root, 'test/x.test.js'), titles: ['s', 'calls a'] }, s: [{ id: '1:0:7', r: [[0, src.length, 0], [at('function a'), at('function b'), 1]] }] },
      { k: 'cov', test: { file: join(root, 'test/x.test.js'), fullName: 's calls b' }, s: [{ id: '1:0:7', r: [[0, src.length, 0], [at('function b'), at('module'), 1]] }] },
    ]);
    const tests = [
      { id: 'test/x.test.js > s > calls a', name: 'calls a', file: 'test/x.test.js', status: 'passed' as const },
      { id: 'test/x.test.js > s > calls b', name: 'calls b', file: 'test/x.test.js', status: 'failed' as const },
      { id: 'test/x.test.js > s > never ran', name: 'never ran', file: 'test/x.test.js', status: 'skipped' as const },
    ];
    const { matrix, measured } = readPerTestCoverage(cov, tests, root, root);
    expect(measured).toBe(2);
    expect(matrix.tests).toEqual([
      { id: 'test/x.test.js > s > calls a', failed: false },
      { id: 'test/x.test.js > s > calls b', failed: true },
    ]);
    expect(matrix.lines.get('lib.js:2')).toEqual([0]);
    expect(matrix.lines.get('lib.js:5')).toEqual([1]);
    expect(matrix.lines.get('lib.js:7')).toEqual([0, 1]); // load time: every test of the file
  });
});

describe('mocha 1.x', () => {
  it('runs _mocha instead of the wrapper that prints nothing on Node 20, and only for 1.x', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'node_modules', 'mocha'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'mocha', 'package.json'), JSON.stringify({ version: '1.21.5' }));
    expect(oldMochaDirect('mocha tests/*.js', dir)).toBe('_mocha tests/*.js');
    expect(oldMochaDirect('./node_modules/.bin/mocha -R spec', dir)).toBe('./node_modules/.bin/_mocha -R spec');
    expect(oldMochaDirect('_mocha tests', dir)).toBe('_mocha tests');
    writeFileSync(join(dir, 'node_modules', 'mocha', 'package.json'), JSON.stringify({ version: '10.2.0' }));
    expect(oldMochaDirect('mocha tests/*.js', dir)).toBe('mocha tests/*.js');
  });
});
