/**
 * Last resort when no machine-readable report was produced: scan the (ANSI-stripped) output for
 * per-test lines — TAP (`ok 1 - name`, `not ok 2 - name`), node's spec reporter (`✔ name`,
 * `✖ name`) and pytest's `PASSED`/`FAILED <node id>` lines. Ids are best effort.
 */
import type { RunnerKind, TestCase } from '../types.js';
import { dedupeTests } from './common.js';

export function scanTestOutput(output: string, runner: RunnerKind): TestCase[] {
  const out: TestCase[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    let m: RegExpMatchArray | null;
    if (runner === 'pytest' || runner === 'unknown') {
      m = line.match(/^(?:(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\s+(\S+::\S+)|(\S+::\S+)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b)/);
      if (m) {
        const word = m[1] ?? m[4] ?? '';
        const id = m[2] ?? m[3] ?? '';
        const status: TestCase['status'] = word === 'PASSED' || word === 'XFAIL' ? 'passed' : word === 'SKIPPED' ? 'skipped' : 'failed';
        const file = id.split('::')[0];
        out.push({ id, name: id.split('::').pop() ?? id, ...(file ? { file } : {}), status });
        continue;
      }
    }
    if (runner === 'pytest') continue;
    m = line.match(/^\s*(not ok|ok)\s+\d+\s*(?:-\s*)?(.*?)(?:\s+#\s*(SKIP|TODO)\b.*)?$/i);
    if (m && m[2]) {
      const status: TestCase['status'] = m[3] ? 'skipped' : m[1]!.toLowerCase() === 'ok' ? 'passed' : 'failed';
      out.push({ id: m[2], name: m[2], status });
      continue;
    }
    // node's spec reporter, mocha's spec (✓ / ✔), jest's default (✓ / ✕ / ○ skipped), vitest's (✓ / ×)
    m = line.match(/^\s*([✔✓√✖✗×✕﹣○↓])\s+(.+?)(?:\s+\(?[\d.]+\s?m?s\)?)?(?:\s+#\s*SKIP.*)?$/);
    if (m && m[2] && !/^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms)(\s+[\d.]+)?$/.test(m[2]) && !/\(\d+ tests?\b/.test(m[2])) {
      const sym = m[1]!;
      const status: TestCase['status'] = /[✔✓√]/.test(sym) ? 'passed' : /[✖✗×✕]/.test(sym) ? 'failed' : 'skipped';
      // jest writes `○ skipped name` / `✎ todo name`
      const name = status === 'skipped' ? m[2].replace(/^(?:skipped|todo)\s+/, '') : m[2];
      out.push({ id: name, name, status });
      continue;
    }
    // mocha's spec reporter marks a failing test with its number in the list: `  1) name`
    // (the summary repeats it as `1) suite name:`, which is not a new test).
    m = line.match(/^\s+\d+\)\s+(.+?)\s*$/);
    if (m && m[1] && !m[1].endsWith(':') && (runner === 'mocha' || runner === 'unknown')) {
      out.push({ id: m[1], name: m[1], status: 'failed' });
    }
  }
  return dedupeTests(out);
}
