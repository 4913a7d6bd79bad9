/**
 * Per-test line coverage through the real runners (jest, vitest, mocha, node:test), JavaScript and
 * TypeScript through a loader, on tiny projects of our own that borrow this repository's
 * node_modules. The bug sits on one line; every runner must name the failing test, give each test
 * its own lines, map TypeScript back to the .ts source, and rank the faulty line first.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectNodeCoverage } from '../../src/debug/coverage-node.js';
import { rankBySbfl } from '../../src/debug/sbfl.js';
import type { CoverageMatrix } from '../../src/debug/types.js';
import { linkOwnNodeModules } from '../support/git.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(name: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `rd-covrun-${name}-`));
  dirs.push(dir);
  linkOwnNodeModules(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

// Line 3 is the bug: values above `hi` are returned as they are.
const CLAMP_JS = 'function clamp(x, lo, hi) {\n  if (x < lo) return lo;\n  if (x >= hi) return x;\n  return x;\n}\nfunction double(x) {\n  return x * 2;\n}\nmodule.exports = { clamp, double };\n';
// The same in TypeScript (line 6 is the bug), with types that a loader strips.
const CLAMP_TS =
  'export interface Box { lo: number; hi: number }\n\nexport function clamp(x: number, b: Box): number {\n  const lo: number = b.lo;\n  if (x < lo) return lo;\n  if (x >= b.hi) return x;\n  return x;\n}\n\nexport function double(x: number): number {\n  return x * 2;\n}\n';

const bodyJs = (head: string) =>
  `${head}\ndescribe('clamp', () => {\n  it('low', () => eq(clamp(-1, 0, 5), 0));\n  it('high', () => eq(clamp(9, 0, 5), 5));\n  it('mid', () => eq(clamp(3, 0, 5), 3));\n});\nit('double', () => eq(double(2), 4));\n`;
const bodyTs = (head: string) =>
  `${head}\ndescribe('clamp', () => {\n  it('low', () => eq(clamp(-1, { lo: 0, hi: 5 }), 0));\n  it('high', () => eq(clamp(9, { lo: 0, hi: 5 }), 5));\n  it('mid', () => eq(clamp(3, { lo: 0, hi: 5 }), 3));\n});\nit('double', () => eq(double(2), 4));\n`;

function expectPerTest(m: CoverageMatrix, file: string, testFile: string, bugLine: number): void {
  const ids = m.tests.map((t) => t.id).sort();
  expect(ids).toEqual([`${testFile} > clamp > high`, `${testFile} > clamp > low`, `${testFile} > clamp > mid`, `${testFile} > double`].sort());
  expect(m.tests.filter((t) => t.failed).map((t) => t.id)).toEqual([`${testFile} > clamp > high`]);
  // Only project sources (the file, and the project's own setup file where the test defines its
  // helper there), never a test file, node_modules or our own hooks.
  expect([...m.lines.keys()].filter((k) => !k.startsWith(`${file}:`) && !/^setup\.[jt]s:/.test(k))).toEqual([]);
  expect([...m.lines.keys()].some((k) => k.startsWith(`${file}:`))).toBe(true);
  const idx = (suffix: string) => m.tests.findIndex((t) => t.id.endsWith(suffix));
  // Per test, not per file: the bug line is run by `high` and `mid` only, `return x * 2` by `double` only.
  expect([...(m.lines.get(`${file}:${bugLine}`) ?? [])].sort()).toEqual([idx('high'), idx('mid')].sort());
  expect(m.lines.get(`${file}:${bugLine + (file.endsWith('.ts') ? 5 : 4)}`)).toEqual([idx('double')]);
  expect(rankBySbfl(m)[0]).toMatchObject({ file, line: bugLine });
}

describe('per-test coverage in one run of the runner', () => {
  it('mocha (CommonJS)', async () => {
    const dir = project('mocha', {
      'package.json': JSON.stringify({ name: 'p', scripts: { test: 'mocha' } }),
      'lib.js': CLAMP_JS,
      'test/clamp.test.js': bodyJs("const assert = require('assert');\nconst eq = assert.strictEqual;\nconst { clamp, double } = require('../lib');"),
    });
    expectPerTest(await collectNodeCoverage(dir, 'npm test', 'mocha', { timeoutMs: 60_000 }), 'lib.js', 'test/clamp.test.js', 3);
  });

  it('jest (babel-jest rewrites the code: lines come back through its source map), own setup file kept', async () => {
    const dir = project('jest', {
      'package.json': JSON.stringify({ name: 'p', scripts: { test: 'jest' }, jest: { setupFilesAfterEnv: ['./setup.js'] } }),
      // The project's own setup file must still run (jest's CLI option would replace it).
      'setup.js': 'globalThis.eq = (a, b) => expect(a).toBe(b);\n',
      'lib.js': CLAMP_JS,
      'test/clamp.test.js': bodyJs("const { clamp, double } = require('../lib');"),
    });
    expectPerTest(await collectNodeCoverage(dir, 'npx jest', 'jest', { timeoutMs: 90_000 }), 'lib.js', 'test/clamp.test.js', 3);
  });

  it('vitest with a config file of its own (setup files merged), TypeScript through vite', async () => {
    const dir = project('vitest', {
      'package.json': JSON.stringify({ name: 'p', type: 'module', scripts: { test: 'vitest run' } }),
      'vitest.config.ts': "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { setupFiles: ['./setup.ts'] } });\n",
      'setup.ts': "import { expect } from 'vitest';\n(globalThis as any).eq = (a: number, b: number) => expect(a).toBe(b);\n",
      'src/lib.ts': CLAMP_TS,
      'test/clamp.test.ts': bodyTs("import { describe, it } from 'vitest';\nimport { clamp, double } from '../src/lib.js';\nconst eq = (globalThis as any).eq;"),
    });
    expectPerTest(await collectNodeCoverage(dir, 'npm test', 'vitest', { timeoutMs: 90_000 }), 'src/lib.ts', 'test/clamp.test.ts', 6);
  });

  it('mocha with TypeScript through tsx (lines of the .ts file)', async () => {
    const dir = project('mocha-tsx', {
      'package.json': JSON.stringify({ name: 'p' }),
      'src/lib.ts': CLAMP_TS,
      'test/clamp.test.ts': bodyTs("import assert from 'node:assert';\nimport { clamp, double } from '../src/lib';\nconst eq = assert.strictEqual;"),
    });
    expectPerTest(await collectNodeCoverage(dir, 'npx mocha --require tsx/cjs test/clamp.test.ts', 'mocha', { timeoutMs: 60_000 }), 'src/lib.ts', 'test/clamp.test.ts', 6);
  });

  it('node:test with TypeScript through `node --import tsx` (Node source-map cache)', async () => {
    const dir = project('node-tsx', {
      'package.json': JSON.stringify({ name: 'p', type: 'module' }),
      'src/lib.ts': CLAMP_TS,
      'test/clamp.test.ts': bodyTs("import { describe, it } from 'node:test';\nimport assert from 'node:assert';\nimport { clamp, double } from '../src/lib.ts';\nconst eq = assert.strictEqual;"),
    });
    expectPerTest(await collectNodeCoverage(dir, 'node --import tsx --test test/clamp.test.ts', 'node-test', { timeoutMs: 60_000 }), 'src/lib.ts', 'test/clamp.test.ts', 6);
  });
});
