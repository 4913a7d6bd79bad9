/**
 * mocha results through a reporter of our own. mocha's built-in json/xunit reporters only write
 * to a file in recent versions, and old ones (1.x) print to stdout where the tests' own output
 * mixes in; a reporter module given by absolute path (`--reporter /tmp/…/reporter.cjs`) loads in
 * every version, and writes one JSON line per finished test (file, title path, status, error)
 * to the file named by RUBBERDUCK_MOCHA_OUT, plus a spec-like line on stdout for humans and the
 * model.
 */
import type { TestCase } from '../types.js';
import { dedupeTests, jsTestId, toPosix, trimMessage } from './common.js';

export const MOCHA_OUT_ENV = 'RUBBERDUCK_MOCHA_OUT';

/** Source of the reporter module (CommonJS, written to a temp .cjs file by runTests). */
export const MOCHA_REPORTER = String.raw`'use strict';
var fs = require('fs');
var path = require('path');
function RubberduckMochaReporter(runner) {
  var out = process.env.${MOCHA_OUT_ENV};
  var cwd = process.cwd();
  // Per-test coverage (src/debug/coverage-pertest.ts), when the run asks for it.
  var cov = null;
  if (process.env.RUBBERDUCK_PERTEST_MODULE) {
    try { cov = require(process.env.RUBBERDUCK_PERTEST_MODULE).collector(); } catch (e) { cov = null; }
  }
  function titles(t) {
    var parts = [];
    for (var s = t; s; s = s.parent) if (s.title) parts.unshift(String(s.title));
    return parts;
  }
  function write(rec) {
    if (!out) return;
    try { fs.appendFileSync(out, JSON.stringify(rec) + '\n'); } catch (e) { /* the run goes on */ }
  }
  function record(t, status, err) {
    var file = t.file ? path.relative(cwd, t.file) : undefined;
    var message;
    if (err) message = String((err.stack || err.message || err)).slice(0, 4000);
    write({ file: file, titles: titles(t), status: status, message: message });
    var mark = status === 'passed' ? '✔' : status === 'failed' ? '✖' : '-';
    process.stdout.write('  ' + mark + ' ' + (t.fullTitle ? t.fullTitle() : t.title) + '\n');
    if (message) process.stdout.write('    ' + message.split('\n').slice(0, 8).join('\n    ') + '\n');
  }
  // mocha loads every spec file before the first test: its loading has no file of its own.
  runner.on('test', function (t) { if (cov) cov.begin(undefined, t.file); });
  runner.on('test end', function (t) { if (cov) cov.end({ file: t.file, titles: titles(t) }); });
  runner.on('pass', function (t) { record(t, 'passed'); });
  runner.on('fail', function (t, err) { record(t, 'failed', err); });
  runner.on('pending', function (t) { record(t, 'skipped'); });
  runner.on('end', function () {
    if (cov) cov.flush();
    var s = runner.stats || {};
    process.stdout.write('\n  ' + (s.passes || 0) + ' passing, ' + (s.failures || 0) + ' failing, ' + (s.pending || 0) + ' pending\n');
  });
}
module.exports = RubberduckMochaReporter;
`;

interface MochaRecord {
  file?: string;
  titles?: string[];
  status?: TestCase['status'];
  message?: string;
}

/** Test cases from the reporter's JSON lines; ids are `file > suite > title` as for node:test. */
export function parseMochaRecords(text: string): TestCase[] {
  const tests: TestCase[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: MochaRecord;
    try {
      rec = JSON.parse(line) as MochaRecord;
    } catch {
      continue;
    }
    const titles = (rec.titles ?? []).filter(Boolean);
    if (titles.length === 0 || !rec.status) continue;
    const file = rec.file ? toPosix(rec.file) : undefined;
    const message = trimMessage(rec.message);
    tests.push({
      id: jsTestId(file, titles),
      name: titles.at(-1)!,
      ...(file ? { file } : {}),
      status: rec.status,
      ...(message ? { message } : {}),
    });
  }
  return dedupeTests(tests);
}
