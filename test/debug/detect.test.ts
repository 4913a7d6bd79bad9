import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { detectProject, detectRunner, isPackageTestScript, runnerFromCommand } from '../../src/debug/detect.js';
import { UsageError } from '../../src/model/errors.js';
import { BUGS_DIR } from '../support/git.js';

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rd-detect-'));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('runnerFromCommand', () => {
  it.each([
    ['pytest', 'pytest'],
    ['pytest -q tests/', 'pytest'],
    ['python -m pytest -x', 'pytest'],
    ['python3 -m pytest -q', 'pytest'],
    ['.venv/bin/pytest', 'pytest'],
    ['node --test', 'node-test'],
    ['node --experimental-vm-modules --test test/', 'node-test'],
    ['npx vitest run', 'vitest'],
    ['vitest', 'vitest'],
    ['npx jest --ci', 'jest'],
    ['make check', 'unknown'],
    ['npm test', 'unknown'],
  ] as const)('%s → %s', (cmd, runner) => {
    expect(runnerFromCommand(cmd)).toBe(runner);
  });

  it('recognises npm test spellings', () => {
    expect(isPackageTestScript('npm test')).toBe(true);
    expect(isPackageTestScript('npm run test')).toBe(true);
    expect(isPackageTestScript('npm t')).toBe(true);
    expect(isPackageTestScript('npm run lint')).toBe(false);
  });
});

describe('detectProject', () => {
  it('follows npm test into package.json', () => {
    const dir = project({
      'package.json': JSON.stringify({ scripts: { test: 'vitest run' } }),
      'src/a.ts': 'export const a = 1;\n',
      'test/a.test.ts': '',
    });
    expect(detectRunner(dir, 'npm test')).toBe('vitest');
    expect(detectProject(dir, 'npm test')).toEqual({ language: 'typescript', runner: 'vitest' });
  });

  it('finds jest and node:test behind npm test', () => {
    const jest = project({ 'package.json': JSON.stringify({ scripts: { test: 'jest' } }), 'index.js': '' });
    expect(detectProject(jest, 'npm test')).toEqual({ language: 'javascript', runner: 'jest' });
    const node = project({ 'package.json': JSON.stringify({ scripts: { test: 'node --test' } }), 'lib.mjs': '' });
    expect(detectProject(node, 'npm run test')).toEqual({ language: 'javascript', runner: 'node-test' });
  });

  it('detects the fixtures', () => {
    expect(detectProject(join(BUGS_DIR, 'py-gcd'), 'python3 -m pytest -q')).toEqual({ language: 'python', runner: 'pytest' });
    expect(detectProject(join(BUGS_DIR, 'js-kth'), 'node --test')).toEqual({ language: 'javascript', runner: 'node-test' });
    expect(detectProject(join(BUGS_DIR, 'js-kth'), 'npm test')).toEqual({ language: 'javascript', runner: 'node-test' });
  });

  it('guesses the language for an unknown runner', () => {
    const py = project({ 'lib.py': 'x = 1\n', 'Makefile': 'test:\n\tpytest\n' });
    expect(detectProject(py, 'make test')).toEqual({ language: 'python', runner: 'unknown' });
  });

  it('rejects a project with no supported sources', () => {
    const dir = project({ 'main.go': 'package main\n', 'main_test.go': '' });
    expect(() => detectProject(dir, 'go test ./...')).toThrow(UsageError);
    expect(() => detectProject(dir, 'go test ./...')).toThrow(/no Python, JavaScript or TypeScript sources found/);
  });

  it('rejects a project whose only sources are tests', () => {
    const dir = project({ 'tests/test_a.py': 'def test_a(): pass\n' });
    expect(() => detectProject(dir, 'pytest')).toThrow(UsageError);
  });
});

describe('fixtures/bugs', () => {
  const names = readdirSync(BUGS_DIR).filter((n) => statSync(join(BUGS_DIR, n)).isDirectory());
  it('has at least 8 Python and 8 JavaScript fixtures, with valid manifests', () => {
    expect(names.filter((n) => n.startsWith('py-')).length).toBeGreaterThanOrEqual(8);
    expect(names.filter((n) => n.startsWith('js-')).length).toBeGreaterThanOrEqual(8);
    const unfixable = names.filter((n) => !JSON.parse(readFileSync(join(BUGS_DIR, n, 'rubberduck.json'), 'utf8')).fixableByMutation);
    expect(unfixable.length).toBeGreaterThanOrEqual(1);
  });
  it.each(names)('%s is detected from its manifest', (name) => {
    const m = JSON.parse(readFileSync(join(BUGS_DIR, name, 'rubberduck.json'), 'utf8')) as Record<string, unknown>;
    expect(typeof m.test).toBe('string');
    expect(typeof m.bug).toBe('string');
    expect(typeof m.expectedFix === 'string' || Array.isArray(m.expectedFix)).toBe(true);
    expect(typeof m.fixableByMutation).toBe('boolean');
    const info = detectProject(join(BUGS_DIR, name), m.test as string);
    expect(info.language).toBe(m.language);
    expect(info.runner).toBe(name.startsWith('py-') ? 'pytest' : /\bvitest\b/.test(m.test as string) ? 'vitest' : 'node-test');
  });
});
