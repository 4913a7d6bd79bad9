/**
 * Where the localizer starts when coverage is missing or flat (agents/localizer/from-failure.ts):
 * the failure's stack frames in the sources, then the functions the failing test names.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { framesIn, functionsNamed, isFlat, namesMentioned, startingPoints } from '../../agents/localizer/from-failure.js';
import { functionsIn } from '../../src/debug/ast.js';
import type { FunctionSpan, RankedLine } from '../../src/debug/types.js';

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'rd-from-failure-')));
  mkdirSync(join(dir, 'lib'));
  mkdirSync(join(dir, 'test'));
  writeFileSync(
    join(dir, 'lib', 'application.js'),
    [
      'const app = {};',
      'app.handle = function handle(req) {',
      '  return route(req.path);',
      '};',
      'function route(path) {',
      "  return path.split('/');",
      '}',
      'function unrelated() {',
      '  return 1;',
      '}',
      'module.exports = app;',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'test', 'app.test.js'),
    [
      "const assert = require('assert');",
      "const app = require('../lib/application');",
      "describe('app', () => {",
      "  it('routes users', () => {",
      "    const res = app.handle({ path: '/users/42' });",
      "    assert.strictEqual(res.body, 'user 42');",
      '  });',
      '});',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const r = (line: number, score: number): RankedLine => ({ file: 'lib/application.js', line, score, failedCover: 1, passedCover: 0 });
const OUTPUT = [
  "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal: 'user undefined' !== 'user 42'",
  `    at Context.<anonymous> (${'DIR'}/test/app.test.js:6:12)`,
  '    at callFn (node_modules/mocha/lib/runnable.js:366:21)',
].join('\n');

describe('flat coverage', () => {
  it('is flat when every ranked line has the same score (and there are at least two)', () => {
    expect(isFlat([r(2, 1), r(3, 1), r(6, 1)])).toBe(true);
    expect(isFlat([r(2, 1), r(3, 0.7)])).toBe(false);
    expect(isFlat([r(2, 1)])).toBe(false);
    expect(isFlat([])).toBe(false);
  });
});

describe('the failure as evidence', () => {
  it('frames: test files apart from the sources, node_modules dropped', () => {
    const text = OUTPUT.replace('DIR', dir) + `\n    at route (${dir}/lib/application.js:6:15)`;
    expect(framesIn(text, dir, true)).toEqual([{ file: 'test/app.test.js', line: 6 }]);
    expect(framesIn(text, dir, false)).toEqual([{ file: 'lib/application.js', line: 6 }]);
  });

  it('names on and above the failing line of the test, string literals and common words left out', async () => {
    const spans = async (file: string, text: string): Promise<FunctionSpan[]> => functionsIn(file, 'javascript', text);
    const names = await namesMentioned(dir, [{ file: 'test/app.test.js', line: 6 }], [], spans);
    expect(names.slice(0, 4)).toEqual(['res', 'body', 'app', 'handle']);
    expect(names).not.toContain('users');
    expect(names).not.toContain('strictEqual');
    expect(await functionsNamed(dir, ['lib/application.js'], names)).toMatchObject([{ name: 'app.handle', startLine: 2, endLine: 4 }]);
  });

  it('starting points: the named function’s lines above everything a flat ranking had', async () => {
    const cache = new Map<string, FunctionSpan[]>();
    const spansOf = async (f: string) => cache.get(f) ?? [];
    const points = await startingPoints(dir, OUTPUT.replace('DIR', dir), ["'user undefined' !== 'user 42'"], ['lib/application.js'], spansOf);
    expect(points.ranked.map((x) => [x.line, x.score])).toEqual([
      [2, 0.6],
      [3, 0.6],
      [4, 0.6],
    ]);
    expect(points.reasons.get('lib/application.js:3')).toBe('in app.handle, which the failing test (test/app.test.js:6) names');
    expect(points.summary).toEqual(['- app.handle (lib/application.js:2-4), named by the failing test']);
  });
});
