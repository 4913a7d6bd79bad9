/**
 * JUnit XML → TestCase[], for pytest (`-o junit_family=xunit1` gives the file attribute),
 * vitest (`classname` is the file, `name` is `suite > test`), node:test's junit reporter
 * (nested <testsuite> elements are the describe blocks) and jest-junit.
 */
import type { RunnerKind, TestCase } from '../types.js';
import { dedupeTests, jsTestId, toPosix, trimMessage } from './common.js';
import { findAll, parseXml, type XmlElement } from './xml.js';

export interface JUnitOptions {
  runner: RunnerKind;
}

function caseStatus(tc: XmlElement): { status: TestCase['status']; message?: string } {
  const failure = tc.children.find((c) => c.name === 'failure' || c.name === 'error');
  if (failure) {
    const parts = [failure.attrs.message, failure.text].filter((s): s is string => !!s && s.trim() !== '');
    // The body usually repeats the message; keep the body when it contains it.
    const body = failure.text.trim();
    const msg = failure.attrs.message && body.includes(failure.attrs.message.trim()) ? body : parts.join('\n');
    return { status: 'failed', message: trimMessage(msg) ?? 'failed' };
  }
  if (tc.children.some((c) => c.name === 'skipped')) return { status: 'skipped' };
  // node:test's junit reporter also puts a `failure` attribute on the testcase.
  if (tc.attrs.failure !== undefined) return { status: 'failed', message: trimMessage(tc.attrs.failure) ?? 'failed' };
  return { status: 'passed' };
}

/** pytest node id from a xunit1/xunit2 testcase. */
export function pytestNodeId(tc: XmlElement): { id: string; file?: string } {
  const name = tc.attrs.name ?? '';
  const classname = tc.attrs.classname ?? '';
  const file = tc.attrs.file ? toPosix(tc.attrs.file) : undefined;
  const parts = classname ? classname.split('.') : [];
  if (file) {
    const modParts = file.replace(/\.py$/, '').split('/');
    // The classname starts with the module path (dots for slashes); the rest are classes.
    let k = 0;
    while (k < modParts.length && parts[k] === modParts[k]) k++;
    const classes = k === modParts.length ? parts.slice(k) : [];
    return { id: [file, ...classes, name].join('::'), file };
  }
  // No file attribute (xunit2): classes are the trailing CamelCase parts.
  let end = parts.length;
  while (end > 1 && /^[A-Z]/.test(parts[end - 1]!)) end--;
  const guess = parts.slice(0, end).join('/') + '.py';
  return { id: [guess, ...parts.slice(end), name].join('::'), file: guess };
}

function walkNodeSuites(el: XmlElement, titles: string[], out: TestCase[]): void {
  for (const c of el.children) {
    if (c.name === 'testsuite') {
      walkNodeSuites(c, [...titles, c.attrs.name ?? ''], out);
    } else if (c.name === 'testcase') {
      const name = c.attrs.name ?? '';
      const file = c.attrs.file ? toPosix(c.attrs.file) : undefined;
      const { status, message } = caseStatus(c);
      out.push({ id: jsTestId(file, [...titles, name]), name, ...(file ? { file } : {}), status, ...(message ? { message } : {}) });
    } else {
      walkNodeSuites(c, titles, out);
    }
  }
}

export function parseJUnit(xml: string, opts: JUnitOptions): TestCase[] {
  const doc = parseXml(xml);
  if (opts.runner === 'node-test') {
    const out: TestCase[] = [];
    const root = findAll(doc, 'testsuites')[0] ?? doc;
    walkNodeSuites(root, [], out);
    return dedupeTests(out);
  }
  const out: TestCase[] = [];
  for (const tc of findAll(doc, 'testcase')) {
    const { status, message } = caseStatus(tc);
    const name = tc.attrs.name ?? '';
    if (opts.runner === 'pytest') {
      const { id, file } = pytestNodeId(tc);
      out.push({ id, name, ...(file ? { file } : {}), status, ...(message ? { message } : {}) });
    } else {
      // vitest / jest-junit: classname (or file) is the test file, name is `suite > test`.
      const fileAttr = tc.attrs.file ?? tc.attrs.classname;
      const file = fileAttr && /\.[cm]?[jt]sx?$/.test(fileAttr) ? toPosix(fileAttr) : undefined;
      const titles = name.split(' > ');
      out.push({ id: jsTestId(file, titles), name: titles[titles.length - 1] ?? name, ...(file ? { file } : {}), status, ...(message ? { message } : {}) });
    }
  }
  return dedupeTests(out);
}
