/**
 * Which language and test runner a project uses, from the test command and the files present.
 */
import { isTestFile, projectFiles } from './project-files.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../model/errors.js';
import type { Language, RunnerKind } from './types.js';

export interface ProjectInfo {
  language: Language;
  runner: RunnerKind;
}

interface SourceCounts {
  py: number;
  js: number;
  ts: number;
  /** Same, but only files that are not tests. */
  pySrc: number;
  jsSrc: number;
  tsSrc: number;
}

function countSources(dir: string, limit = 5000): SourceCounts {
  const counts: SourceCounts = { py: 0, js: 0, ts: 0, pySrc: 0, jsSrc: 0, tsSrc: 0 };
  for (const path of projectFiles(dir, { limit })) {
    const test = isTestFile(path);
    if (/\.py$/.test(path)) {
      counts.py++;
      if (!test) counts.pySrc++;
    } else if (/\.d\.[cm]?ts$/.test(path)) {
      // declarations are not sources
    } else if (/\.[cm]?tsx?$/.test(path)) {
      counts.ts++;
      if (!test) counts.tsSrc++;
    } else if (/\.[cm]?jsx?$/.test(path)) {
      counts.js++;
      if (!test) counts.jsSrc++;
    }
  }
  return counts;
}

/** The string-valued `scripts` of dir/package.json (empty when there is none). */
export function readPackageScripts(dir: string): Record<string, string> {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> };
    return Object.fromEntries(Object.entries(pkg.scripts ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/** The `scripts.test` of dir/package.json, if any. */
export function readTestScript(dir: string): string | undefined {
  return readPackageScripts(dir).test;
}

/** `npm test`, `npm t`, `npm run test`, `npm run-script test`, `yarn test`, `pnpm test`. */
export function isPackageTestScript(command: string): boolean {
  return /^\s*(?:npm|yarn|pnpm)\s+(?:(?:run|run-script)\s+)?(?:test|t)(?:\s|$)/.test(command);
}

/**
 * One Node option between `node` and `--test`, as a regex source: `--flag`, `--flag=value`, or an
 * option that takes its value as the next word (`--import tsx`, `-r ts-node/register`).
 */
export const NODE_FLAG = String.raw`(?:\s+(?:--(?:import|require|loader|experimental-loader|conditions)|-r|-C)\s+[^\s-]\S*|\s+--?[\w-]+(?:=\S+)?)`;

/** The runner a shell command invokes, without looking at files (npm scripts are not followed). */
export function runnerFromCommand(command: string): RunnerKind {
  const c = command.replace(/\s+/g, ' ');
  if (/(^|[\s/;&|(])(?:py\.test|pytest)(\s|$)/.test(c) || /python[\d.]*\s+(?:-[A-Za-z]+\s+)*-m\s+pytest\b/.test(c)) {
    return 'pytest';
  }
  if (new RegExp(String.raw`(^|[\s/;&|(])node(?:js)?${NODE_FLAG}*\s+--test\b`).test(c)) return 'node-test';
  if (/(^|[\s/;&|(])vitest(\s|$)/.test(c)) return 'vitest';
  if (/(^|[\s/;&|(])jest(\s|$)/.test(c)) return 'jest';
  if (/(^|[\s/;&|(])_?mocha(\s|$)/.test(c)) return 'mocha';
  return 'unknown';
}

/** The runner, following `npm test` into package.json's scripts.test. */
export function detectRunner(dir: string, command: string): RunnerKind {
  const direct = runnerFromCommand(command);
  if (direct !== 'unknown') return direct;
  if (isPackageTestScript(command)) {
    const script = readTestScript(dir);
    if (script) return runnerFromCommand(script);
  }
  return 'unknown';
}

export function detectProject(dir: string, testCommand: string): ProjectInfo {
  const runner = detectRunner(dir, testCommand);
  const counts = countSources(dir);
  const jsLike = counts.jsSrc + counts.tsSrc;
  if (counts.pySrc === 0 && jsLike === 0) {
    throw new UsageError(
      'no Python, JavaScript or TypeScript sources found; rubberduck fix supports Python (pytest) and JavaScript/TypeScript (node:test, vitest, jest, mocha) projects',
      dir,
    );
  }
  let language: Language;
  if (runner === 'pytest') language = 'python';
  else if (runner === 'node-test' || runner === 'vitest' || runner === 'jest' || runner === 'mocha') {
    language = counts.tsSrc > counts.jsSrc ? 'typescript' : 'javascript';
  } else if (/\bpython[\d.]*\b/.test(testCommand) || (counts.pySrc > 0 && jsLike === 0)) {
    language = 'python';
  } else if (counts.pySrc > jsLike) language = 'python';
  else language = counts.tsSrc > counts.jsSrc ? 'typescript' : 'javascript';
  // A JS runner on a project with only Python sources (or vice versa) cannot be fixed.
  if (language === 'python' && counts.pySrc === 0) {
    throw new UsageError('no Python sources found besides tests; rubberduck fix supports Python, JavaScript and TypeScript projects', dir);
  }
  if (language !== 'python' && jsLike === 0) {
    throw new UsageError('no JavaScript or TypeScript sources found besides tests; rubberduck fix supports Python, JavaScript and TypeScript projects', dir);
  }
  return { language, runner };
}
