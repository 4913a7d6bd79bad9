/** jest `--json --outputFile` report → TestCase[]. */
import { relative } from 'node:path';
import type { TestCase } from '../types.js';
import { dedupeTests, jsTestId, toPosix, trimMessage } from './common.js';

interface JestAssertion {
  ancestorTitles?: string[];
  title?: string;
  fullName?: string;
  status?: string;
  failureMessages?: string[];
}
interface JestFileResult {
  name?: string;
  testFilePath?: string;
  status?: string;
  message?: string;
  failureMessage?: string;
  assertionResults?: JestAssertion[];
  testResults?: JestAssertion[];
}

/** `cwd` makes file paths relative (jest reports absolute paths). Throws on invalid JSON. */
export function parseJestJson(json: string, cwd: string): TestCase[] {
  const data = JSON.parse(json) as { testResults?: JestFileResult[] };
  const out: TestCase[] = [];
  for (const fr of data.testResults ?? []) {
    const abs = fr.name ?? fr.testFilePath;
    const file = abs ? toPosix(relative(cwd, abs)) : undefined;
    const assertions = fr.assertionResults ?? fr.testResults ?? [];
    for (const a of assertions) {
      const titles = [...(a.ancestorTitles ?? []), a.title ?? a.fullName ?? ''];
      const status: TestCase['status'] =
        a.status === 'passed' ? 'passed' : a.status === 'failed' ? 'failed' : 'skipped';
      const message = status === 'failed' ? trimMessage((a.failureMessages ?? []).join('\n')) : undefined;
      out.push({ id: jsTestId(file, titles), name: a.title ?? '', ...(file ? { file } : {}), status, ...(message ? { message } : {}) });
    }
    // A file that failed to load (syntax error, import error) has no assertions: one failed case.
    if (assertions.length === 0 && fr.status === 'failed') {
      const message = trimMessage(fr.failureMessage ?? fr.message) ?? 'test file failed to run';
      out.push({ id: jsTestId(file, ['(file)']), name: '(file)', ...(file ? { file } : {}), status: 'failed', message });
    }
  }
  return dedupeTests(out);
}
