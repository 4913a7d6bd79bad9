/**
 * The model's read-only look-ups (src/debug/code-tools.ts) on a small project in a temp dir:
 * what they find, how much they show, what they refuse (absolute paths, `..`, .git, symlinks out
 * of the copy), and that nothing is ever written.
 */
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodeToolError, CodeTools, MAX_SHOWN_LINES } from '../../src/debug/code-tools.js';
import type { CoverageMatrix } from '../../src/debug/types.js';

const APP = `'use strict';
const utils = require('./utils');

function matchPath(pattern, path) {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i]] = got[i];
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

const app = {};
app.handle = function handle(req) {
  return matchPath('/users/:id', req.path);
};

module.exports = { app, matchPath };
`;

let root: string;
let outside: string;
const matrix: CoverageMatrix = {
  tests: [
    { id: 'test/app.test.js > app > routes users', failed: true },
    { id: 'test/app.test.js > app > 404', failed: false },
  ],
  lines: new Map([
    ['lib/app.js:10', [0, 1]],
    ['lib/app.js:18', [0]],
  ]),
};

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      out.push(`${p}:${st.size}:${st.mtimeMs}`);
      if (st.isDirectory() && !name.startsWith('vendor')) walk(p);
    }
  };
  walk(dir);
  return out;
}

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'rd-code-tools-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'rd-code-tools-outside-')));
  writeFileSync(join(outside, 'secret.js'), 'const secret = "do not show";\n');
  mkdirSync(join(root, 'lib'));
  mkdirSync(join(root, 'test'));
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(root, 'lib', 'app.js'), APP);
  writeFileSync(join(root, 'lib', 'utils.js'), `function helper() {\n  return 1;\n}\n\nfunction long() {\n${Array.from({ length: 200 }, (_, i) => `  const v${i} = ${i};`).join('\n')}\n}\nmodule.exports = { helper, long };\n`);
  writeFileSync(join(root, 'test', 'app.test.js'), "const { app } = require('../lib/app');\nit('routes users', () => { app.handle({ path: '/users/42' }); });\n");
  writeFileSync(join(root, '.git', 'config'), '[core]\n');
  writeFileSync(join(root, 'node_modules', 'dep', 'index.js'), 'function matchPath() {}\n');
  symlinkSync(join(outside, 'secret.js'), join(root, 'lib', 'escape.js'));
  symlinkSync(outside, join(root, 'vendor'));
  symlinkSync(join(root, 'lib', 'app.js'), join(root, 'lib', 'alias.js'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('paths from a model', () => {
  it('resolves a relative path inside the copy, also through a link that stays inside', () => {
    const tools = new CodeTools(root);
    expect(tools.resolve('lib/app.js').rel).toBe('lib/app.js');
    expect(tools.resolve('./lib//app.js').rel).toBe('lib/app.js');
    expect(tools.resolve('lib/alias.js').abs).toBe(join(root, 'lib', 'app.js'));
  });

  it.each([
    ['/etc/passwd', /absolute paths are refused/],
    ['../../etc/passwd', /outside the project/],
    ['lib/../../x', /outside the project/],
    ['.git/config', /git internals/],
    ['lib/escape.js', /leads outside the project/],
    ['vendor/secret.js', /leads outside the project/],
    ['lib/nope.js', /no such file/],
    ['', /no path given/],
  ])('refuses %j', (path, why) => {
    const tools = new CodeTools(root);
    expect(() => tools.resolve(path)).toThrow(CodeToolError);
    expect(() => tools.resolve(path)).toThrow(why);
  });

  it('the look-ups refuse the same paths with a message, never the content', async () => {
    const tools = new CodeTools(root);
    await expect(tools.showLines('lib/escape.js', 1, 5)).rejects.toThrow(/outside the project/);
    await expect(tools.showLines('/etc/hostname', 1, 5)).rejects.toThrow(/absolute/);
    await expect(tools.search('secret', 'vendor')).rejects.toThrow(/outside the project/);
    // a search of the whole project skips the links that lead out, node_modules and .git
    expect(await tools.search('secret')).toMatch(/^no match/);
    expect(await tools.search('[core]')).toMatch(/^no match/);
    expect(await tools.search('matchPath')).not.toContain('node_modules');
  });
});

describe('search_code', () => {
  it('lists the functions of that name first, then the lines; test files marked read-only', async () => {
    const out = await new CodeTools(root).search('matchPath');
    expect(out).toMatch(/^functions named matchPath:\nlib\/app\.js:4-14 matchPath: function matchPath\(pattern, path\)/);
    expect(out).toContain('lib/app.js:18: return matchPath(\'/users/:id\', req.path);');
    const handle = await new CodeTools(root).search('handle');
    expect(handle).toContain('lib/app.js:17-19 app.handle');
    expect(handle).toMatch(/test\/app\.test\.js:2: .*\[test file: read-only specification, never edited\]/);
  });

  it('a path narrows it; no match says how much was searched', async () => {
    const tools = new CodeTools(root);
    expect(await tools.search('handle', 'lib/utils.js')).toMatch(/^no match for "handle" in 1 project files/);
    expect(await tools.search('helper', 'lib')).toContain('lib/utils.js:1-3 helper');
    await expect(tools.search('')).rejects.toThrow(/empty query/);
  });
});

describe('show_function and show_lines', () => {
  it('shows a function by its name or its last part, numbered', async () => {
    const tools = new CodeTools(root);
    const out = await tools.showFunction('matchPath', null);
    expect(out).toContain('lib/app.js:4-14 matchPath');
    expect(out).toContain("10 |     if (want[i].startsWith(':')) params[want[i]] = got[i];");
    expect(await tools.showFunction('handle', 'lib/app.js')).toContain('18 |   return matchPath(');
    expect(await tools.showFunction('nothere', null)).toMatch(/^no function named nothere/);
  });

  it(`cuts a long function at ${MAX_SHOWN_LINES} lines and says how to see the rest`, async () => {
    const out = await new CodeTools(root, { maxChars: 100_000 }).showFunction('long', 'lib/utils.js');
    expect(out).toContain(`${5 + MAX_SHOWN_LINES - 1} |`);
    expect(out).not.toContain(`${5 + MAX_SHOWN_LINES} |`);
    expect(out).toMatch(/more lines: show_lines lib\/utils\.js \d+-206/);
  });

  it('shows a bounded range with its enclosing function; past the end is an error', async () => {
    const tools = new CodeTools(root);
    const out = await tools.showLines('lib/app.js', 9, 11);
    expect(out).toMatch(/^lib\/app\.js:9-11 of 21 \(in matchPath, lines 4-14\)\n 9 \|/);
    const wide = await new CodeTools(root, { maxChars: 100_000 }).showLines('lib/utils.js', 1, 10_000);
    expect(wide.split('\n')).toHaveLength(1 + MAX_SHOWN_LINES);
    await expect(tools.showLines('lib/app.js', 500, 510)).rejects.toThrow(/has 21 lines/);
    await expect(tools.showLines('lib', 1, 2)).rejects.toThrow(/is a folder; files in it: .*lib\/app\.js/);
  });

  it('every answer stays within maxChars', async () => {
    const tools = new CodeTools(root, { maxChars: 300 });
    for (const out of [await tools.showFunction('long', null), await tools.showLines('lib/utils.js', 1, 200), await tools.search('const')]) {
      expect(out.length).toBeLessThanOrEqual(300);
      expect(out).toMatch(/answer cut at 300 characters/);
    }
  });
});

describe('tests_covering', () => {
  it('lists failing then passing tests from the coverage matrix', () => {
    const tools = new CodeTools(root, { coverage: matrix });
    expect(tools.testsCovering('lib/app.js', 10)).toBe(
      'lib/app.js:10 was executed by 1 failing and 1 passing test (of 2).\nfailing:\n- test/app.test.js > app > routes users\npassing:\n- test/app.test.js > app > 404',
    );
    expect(tools.testsCovering('lib/app.js', 3)).toMatch(/was not executed by any test/);
    expect(new CodeTools(root).testsCovering('lib/app.js', 10)).toMatch(/^no per-test coverage was collected/);
    expect(() => tools.testsCovering('../x.js', 1)).toThrow(/outside the project/);
  });
});

it('never writes: the project is byte-for-byte and time-for-time unchanged after every look-up', async () => {
  const before = snapshot(root);
  const tools = new CodeTools(root, { coverage: matrix });
  await tools.search('matchPath');
  await tools.showFunction('long', null);
  await tools.showLines('lib/app.js', 1, 30);
  tools.testsCovering('lib/app.js', 10);
  await tools.showLines('lib/escape.js', 1, 2).catch(() => undefined);
  expect(snapshot(root)).toEqual(before);
});
