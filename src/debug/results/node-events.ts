/**
 * node:test results through a custom reporter. Node 20's junit reporter does not say which file
 * a test is in, so the ids would not be re-selectable across files; a custom reporter module
 * (`--test-reporter=<file.mjs>`, accepted on the command line and in NODE_OPTIONS on Node 20)
 * writes one JSON line per finished test with its file and nesting, and we rebuild the
 * `file > suite > name` ids from that.
 */
import { relative } from 'node:path';
import type { TestCase } from '../types.js';
import { dedupeTests, jsTestId, toPosix, trimMessage } from './common.js';

/** Source of the reporter module (written to a temp .mjs file by runTests). */
export const NODE_EVENTS_REPORTER = String.raw`
function errText(e) {
  if (!e) return undefined;
  const inner = e.cause && typeof e.cause === 'object' ? e.cause : e;
  let text = String(inner.message ?? inner);
  if (inner.stack) {
    const frames = String(inner.stack).split('\n').filter((l) => /^\s+at /.test(l) && !/node:internal|node:async_hooks/.test(l)).slice(0, 6);
    if (frames.length) text += '\n' + frames.join('\n');
  }
  return text.slice(0, 4000);
}
export default async function* rubberduckReporter(source) {
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const d = ev.data ?? {};
    yield JSON.stringify({
      ok: ev.type === 'test:pass',
      name: String(d.name ?? ''),
      file: d.file,
      nesting: d.nesting ?? 0,
      suite: d.details?.type === 'suite',
      skip: d.skip === undefined || d.skip === false ? undefined : String(d.skip === true ? 'skip' : d.skip),
      todo: d.todo === undefined || d.todo === false ? undefined : true,
      error: ev.type === 'test:fail' ? errText(d.details?.error) : undefined,
    }) + '\n';
  }
}
`;

/** Reason node:test gives to tests filtered out by --test-name-pattern. */
export const NAME_PATTERN_SKIP = 'test name does not match pattern';

interface NodeEvent {
  ok: boolean;
  name: string;
  file?: string;
  nesting: number;
  suite?: boolean;
  skip?: string;
  todo?: boolean;
  error?: string;
}

interface Node {
  ev: NodeEvent;
  children: Node[];
}

export interface NodeEventsResult {
  tests: TestCase[];
  /** Tests skipped only because they did not match --test-name-pattern. */
  filteredOut: Set<string>;
}

export function parseNodeEvents(jsonl: string, cwd: string): NodeEventsResult {
  // Events arrive in completion order: children before their parent. Per file, children
  // reported at nesting n+1 since the last event at nesting n belong to it.
  const pending = new Map<string, Map<number, Node[]>>();
  const roots: Node[] = [];
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let ev: NodeEvent;
    try {
      ev = JSON.parse(line) as NodeEvent;
    } catch {
      continue;
    }
    const key = ev.file ?? '';
    let levels = pending.get(key);
    if (!levels) pending.set(key, (levels = new Map()));
    const node: Node = { ev, children: levels.get(ev.nesting + 1) ?? [] };
    levels.delete(ev.nesting + 1);
    if (ev.nesting === 0) roots.push(node);
    else {
      const list = levels.get(ev.nesting) ?? [];
      list.push(node);
      levels.set(ev.nesting, list);
    }
  }
  // Orphans (a parent never reported, e.g. the run was killed) become roots.
  for (const levels of pending.values()) for (const list of levels.values()) roots.push(...list);

  const tests: TestCase[] = [];
  const filteredOut = new Set<string>();
  const visit = (n: Node, titles: string[]) => {
    const path = [...titles, n.ev.name];
    if (n.children.length > 0) {
      for (const c of n.children) visit(c, path);
      return;
    }
    if (n.ev.suite && n.ev.ok) return; // an empty describe block
    const file = n.ev.file ? toPosix(relative(cwd, n.ev.file)) : undefined;
    // A file that failed to load is reported as one test named after the file path.
    const titlesOut = file && n.ev.file && path.length === 1 && path[0] === n.ev.file ? ['(file)'] : path;
    const id = jsTestId(file, titlesOut);
    let status: TestCase['status'] = n.ev.ok ? 'passed' : 'failed';
    if (n.ev.ok && (n.ev.skip !== undefined || n.ev.todo)) status = 'skipped';
    if (n.ev.skip === NAME_PATTERN_SKIP) filteredOut.add(id);
    const message = status === 'failed' ? trimMessage(n.ev.error) ?? 'failed' : undefined;
    tests.push({ id, name: titlesOut[titlesOut.length - 1] ?? '', ...(file ? { file } : {}), status, ...(message ? { message } : {}) });
  };
  for (const r of roots) visit(r, []);
  return { tests: dedupeTests(tests), filteredOut };
}
