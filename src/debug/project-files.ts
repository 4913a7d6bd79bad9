import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Folders that hold no project sources: dependencies, virtualenvs, caches, build output. */
export const NON_SOURCE_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.venv',
  'venv',
  'env',
  '__pycache__',
  '.pytest_cache',
  '.tox',
  '.mypy_cache',
  'dist',
  'build',
  'coverage',
]);

/**
 * Test files are never suspects and never patched, so every part of the debugger must agree on
 * them: pytest's test_*.py / *_test.py / conftest.py, JS/TS *.test.* / *.spec.* and
 * test-*.js / *-test.js, and anything under a test/tests/__tests__/spec/specs folder.
 */
export function isTestFile(path: string): boolean {
  const p = path.replace(/\\/g, '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (/^(test_.*|.*_test|conftest)\.py$/i.test(base)) return true;
  if (/\.(test|spec)\.[cm]?[jt]sx?$/i.test(base)) return true;
  if (/^test[-_.].*\.[cm]?[jt]sx?$/i.test(base) || /[-_]test\.[cm]?[jt]sx?$/i.test(base)) return true;
  return /(^|\/)(tests?|__tests__|spec|specs)\//i.test(p);
}

/**
 * Files under dir (paths relative to it, '/'-separated, sorted), skipping hidden and non-source
 * folders; stops after `limit` files. Walking stays shallow and bounded so a huge repository
 * cannot stall the debugger before it starts.
 */
export function projectFiles(dir: string, { limit = 5000, maxDepth = 8 }: { limit?: number; maxDepth?: number } = {}): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string, depth: number): void => {
    if (depth > maxDepth || out.length >= limit) return;
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (out.length >= limit) return;
      if (NON_SOURCE_DIRS.has(name) || name.startsWith('.')) continue;
      const childAbs = join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      let isDirectory: boolean;
      try {
        isDirectory = statSync(childAbs).isDirectory();
      } catch {
        continue;
      }
      if (isDirectory) walk(childAbs, childRel, depth + 1);
      else out.push(childRel);
    }
  };
  walk(dir, '', 0);
  return out;
}
