import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isTestFile, projectFiles } from '../../src/debug/project-files.js';

describe('isTestFile: the one definition every part of the debugger uses', () => {
  it.each([
    'tests/test_calc.py',
    'test_calc.py',
    'pkg/calc_test.py',
    'conftest.py',
    'src/calc.test.ts',
    'calc.spec.mjs',
    'test/calc.js',
    'spec/calc.js',
    'src/__tests__/calc.js',
    'test-helpers.js',
    'calc-test.js',
  ])('%s is a test file', (path) => expect(isTestFile(path)).toBe(true));

  it.each(['calc.py', 'src/testing_utils.py', 'lib/contest.js', 'src/attest.ts', 'latest.py'])('%s is a source file', (path) =>
    expect(isTestFile(path)).toBe(false),
  );
});

describe('projectFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of ['a.py', 'pkg/b.py', 'node_modules/x/index.js', '.venv/lib/site.py', '.hidden/c.py', 'build/out.js']) {
    mkdirSync(join(dir, dirname(file)), { recursive: true });
    writeFileSync(join(dir, file), '');
  }

  it('lists sources, skipping dependencies, virtualenvs, build output and hidden folders', () => {
    expect(projectFiles(dir)).toEqual(['a.py', 'pkg/b.py']);
  });

  it('stops at the limit', () => {
    expect(projectFiles(dir, { limit: 1 })).toHaveLength(1);
  });
});
