/**
 * `rubberduck fix` (the BUILT CLI, offline) on projects whose tests need their own dependencies:
 * jest, vitest and mocha projects with a node_modules folder, and a pytest project whose code
 * imports a module that lives only in its virtualenv. Each must be localized through per-test
 * coverage, fixed, and leave the user's folder — node_modules and .venv included, through their
 * links — exactly as it was: jest's, vitest's and babel's caches, `__pycache__`, `.pytest_cache`
 * and coverage output land in the isolated copy or a temp folder.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FixReportSchema, type FixReport } from '../../src/model/fix-report.js';
import { gitIn, linkOwnNodeModules, removeRepo } from '../support/git.js';
import { treeChanges, treeFingerprint } from '../support/tree.js';

const cli = join(import.meta.dirname, '../../dist/src/cli/index.js');
const made: string[] = [];
afterAll(() => {
  for (const d of made) removeRepo(d);
});

/** A git repository with `files` committed; node_modules (ignored) linked from this repository. */
function repo(name: string, files: Record<string, string>, opts: { nodeModules?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `rd-runners-${name}-`));
  made.push(dir);
  for (const [path, text] of Object.entries({ '.gitignore': 'node_modules\n.venv\n', ...files })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  gitIn(dir, ['init', '-q', '-b', 'main']);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'initial']);
  if (opts.nodeModules) linkOwnNodeModules(dir);
  return dir;
}

function fix(dir: string, test: string, maxSeconds: number, tmp: string): { status: number | null; stderr: string; report: FixReport } {
  const outDir = mkdtempSync(join(tmpdir(), 'rd-runners-report-'));
  made.push(outDir);
  const out = join(outDir, 'report.json');
  const r = spawnSync(process.execPath, [cli, 'fix', '--repo', dir, '--test', test, '--offline', '--json', out, '--max-seconds', String(maxSeconds)], {
    encoding: 'utf8',
    // A private TMPDIR: the copy, the runners' caches and reports must all be gone afterwards.
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', TMPDIR: tmp },
    timeout: (maxSeconds + 60) * 1000,
  });
  return { status: r.status, stderr: r.stderr, report: FixReportSchema.parse(JSON.parse(readFileSync(out, 'utf8'))) };
}

/** Run fix and check the promises every runner must keep. */
function fixAndCheck(dir: string, test: string, bug: { file: string; line: number }, maxSeconds = 150): FixReport {
  const before = treeFingerprint(dir);
  const tmp = mkdtempSync(join(tmpdir(), 'rd-runners-tmp-'));
  made.push(tmp);
  const r = fix(dir, test, maxSeconds, tmp);
  expect(treeChanges(before, treeFingerprint(dir))).toEqual([]);
  // Nothing left in the temp folder: the copy, reports, coverage, runner caches.
  expect(readdirSync(tmp)).toEqual([]);
  // Localized through per-test coverage: the faulty line first, above the rest of its function.
  expect(r.report.suspects[0], r.stderr).toMatchObject(bug);
  expect(r.report.suspects[0]!.score).toBeGreaterThan(r.report.suspects[1]?.score ?? 0);
  expect(r.report.outcome, r.stderr).toBe('fixed');
  expect(r.status).toBe(0);
  expect(r.report.patch).toContain(`+++ b/${bug.file}`);
  return r.report;
}

// One bug, line 3: values above `hi` come back unclamped.
const CLAMP = 'function clamp(x, lo, hi) {\n  if (x < lo) return lo;\n  if (x >= hi) return x;\n  return x;\n}\nfunction double(x) {\n  return x * 2;\n}\nmodule.exports = { clamp, double };\n';
const TESTS = (head: string) =>
  `${head}\ndescribe('clamp', () => {\n  it('low', () => eq(clamp(-1, 0, 5), 0));\n  it('high', () => eq(clamp(9, 0, 5), 5));\n  it('mid', () => eq(clamp(3, 0, 5), 3));\n});\nit('double', () => eq(double(2), 4));\n`;

describe('rubberduck fix on jest, vitest, mocha and pytest-in-a-virtualenv projects', () => {
  it('jest (`npm test`, babel-jest and its cache)', () => {
    const dir = repo(
      'jest',
      {
        'package.json': JSON.stringify({ name: 'p', scripts: { test: 'jest' } }),
        'lib.js': CLAMP,
        'test/clamp.test.js': TESTS("const { clamp, double } = require('../lib');\nconst eq = (a, b) => expect(a).toBe(b);"),
      },
      { nodeModules: true },
    );
    const report = fixAndCheck(dir, 'npm test', { file: 'lib.js', line: 3 });
    expect(report.tests.before).toEqual({ passed: 3, failed: 1 });
  }, 240_000);

  it('vitest (its results cache under node_modules/.vite goes to the copy)', () => {
    const dir = repo(
      'vitest',
      {
        'package.json': JSON.stringify({ name: 'p', type: 'module', scripts: { test: 'vitest run' } }),
        'lib.js': CLAMP.replace('module.exports = { clamp, double };', 'export { clamp, double };'),
        'test/clamp.test.js': TESTS("import { describe, it, expect } from 'vitest';\nimport { clamp, double } from '../lib.js';\nconst eq = (a, b) => expect(a).toBe(b);"),
      },
      { nodeModules: true },
    );
    fixAndCheck(dir, 'npm test', { file: 'lib.js', line: 3 });
  }, 240_000);

  it('mocha', () => {
    const dir = repo(
      'mocha',
      {
        'package.json': JSON.stringify({ name: 'p', scripts: { test: 'mocha' } }),
        'lib.js': CLAMP,
        'test/clamp.test.js': TESTS("const assert = require('assert');\nconst { clamp, double } = require('../lib');\nconst eq = assert.strictEqual;"),
      },
      { nodeModules: true },
    );
    fixAndCheck(dir, 'npm test', { file: 'lib.js', line: 3 });
  }, 240_000);

  it('pytest with a module that only the virtualenv has (no __pycache__ written into it)', () => {
    const dir = repo('venv', {
      'clamp.py': 'from helperlib import double\n\ndef clamp(x, lo, hi):\n    if x < lo:\n        return lo\n    if x >= hi:\n        return x\n    return x\n',
      'tests/test_clamp.py':
        'from clamp import clamp\nfrom helperlib import double\n\ndef test_low():\n    assert clamp(-1, 0, 5) == 0\n\ndef test_high():\n    assert clamp(9, 0, 5) == 5\n\ndef test_mid():\n    assert clamp(3, 0, 5) == 3\n\ndef test_double():\n    assert double(2) == 4\n',
    });
    // A virtualenv that sees the system's pytest, plus a module of its own.
    const venv = spawnSync('python3', ['-m', 'venv', '--without-pip', '--system-site-packages', '.venv'], { cwd: dir, encoding: 'utf8' });
    expect(venv.status, venv.stderr).toBe(0);
    const site = spawnSync(join(dir, '.venv/bin/python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' });
    writeFileSync(join(site.stdout.trim(), 'helperlib.py'), 'def double(x):\n    return x * 2\n');
    fixAndCheck(dir, '.venv/bin/python -m pytest -q', { file: 'clamp.py', line: 7 });
  }, 240_000);
});
