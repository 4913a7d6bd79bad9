/**
 * Per-test line coverage in ONE run of jest, vitest or mocha (node:test has its own way, see
 * coverage-node.ts), from V8's precise coverage taken inside the test process.
 *
 * How: a small CommonJS collector (PERTEST_COLLECTOR) opens an inspector session on its own
 * thread (same-thread `session.post` answers synchronously), starts precise call-count block
 * coverage, and takes it — which also resets the counters — at the start and at the end of every
 * test. What ran between a test's start and end is that test's; what ran outside any test
 * (module loading, beforeAll hooks) is added to every test of the same file (or of the process,
 * when the runner does not say which file). The executed text of each project script comes from
 * `Debugger.getScriptSource`, because jest (babel-jest), vitest (vite) and tsx / ts-node run
 * transformed code whose offsets only make sense in that text; its inline source map then maps
 * the lines back to the original sources (v8-lines.ts).
 *
 * The runners call the collector through their documented extension points:
 *  - mocha: `--require <collector>` (starts coverage before the spec files load) and our reporter
 *    (results/mocha.ts) calls begin/end on the runner's `test` / `test end` events;
 *  - jest: a `setupFilesAfterEnv` module (JEST_SETUP) appended to the project's own, read from
 *    `jest --showConfig` (the CLI option replaces the configured list);
 *  - vitest: a setup file (VITEST_SETUP) added by a wrapper config that imports the project's
 *    config (vitest has no CLI option for setup files).
 * Tests that run concurrently inside one process (test.concurrent) cannot be told apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CoverageMatrix, TestCase } from './types.js';
import { jsTestId, toPosix } from './results/common.js';
import { addExecuted, prepareScript, type PreparedScript, type V8Range } from './v8-lines.js';

/** Where the collector writes (a directory), the project roots it keeps, and its module path. */
export const PERTEST_DIR_ENV = 'RUBBERDUCK_PERTEST_DIR';
export const PERTEST_ROOT_ENV = 'RUBBERDUCK_PERTEST_ROOT';
export const PERTEST_MODULE_ENV = 'RUBBERDUCK_PERTEST_MODULE';

/** The collector (CommonJS; any Node process or worker thread of the test run). */
export const PERTEST_COLLECTOR = String.raw`'use strict';
var inspector = require('inspector');
var fs = require('fs');
var path = require('path');
var url = require('url');
var threadId = 0;
try { threadId = require('worker_threads').threadId || 0; } catch (e) { /* old Node */ }
// The state lives on the inspector module object: jest evaluates this file again in every test
// file's sandbox, but core modules are shared, so one session serves the whole process.
var KEY = '__rubberduckPerTestCoverage';

function create() {
  var dir = process.env.${PERTEST_DIR_ENV};
  var roots = (process.env.${PERTEST_ROOT_ENV} || '').split(path.delimiter).filter(Boolean);
  if (!dir || roots.length === 0) return null;
  var session = new inspector.Session();
  try { session.connect(); } catch (e) { return null; }
  function post(method, params) {
    var out, err;
    session.post(method, params || {}, function (e, r) { err = e; out = r; });
    if (err) throw err;
    return out;
  }
  try {
    post('Profiler.enable');
    post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    post('Debugger.enable');
    // A 'debugger;' statement must not pause this thread: nobody could resume it.
    post('Debugger.setSkipAllPauses', { skip: true });
  } catch (e) { return null; }
  var file = path.join(dir, 'cov-' + process.pid + '-' + threadId + '.jsonl');
  var prefix = process.pid + ':' + threadId + ':';
  var sent = new Set();
  function write(rec) {
    try { fs.appendFileSync(file, JSON.stringify(rec) + '\n'); } catch (e) { /* the run goes on */ }
  }
  function mine(u) {
    if (!u) return null;
    var p = u.replace(/[?#].*$/, '');
    if (p.indexOf('file://') === 0) { try { p = url.fileURLToPath(p); } catch (e) { return null; } }
    if (!path.isAbsolute(p) || p.indexOf(path.sep + 'node_modules' + path.sep) >= 0) return null;
    for (var i = 0; i < roots.length; i++) if (p.indexOf(roots[i] + path.sep) === 0) return p;
    return null;
  }
  var busy = false;
  function take(test) {
    if (busy) return;
    busy = true;
    try {
      var res = post('Profiler.takePreciseCoverage').result;
      var scripts = [];
      for (var i = 0; i < res.length; i++) {
        var s = res[i];
        var p = mine(s.url);
        if (!p) continue;
        var ranges = [];
        var hit = false;
        for (var j = 0; j < s.functions.length; j++) {
          var fr = s.functions[j].ranges;
          for (var k = 0; k < fr.length; k++) {
            ranges.push([fr[k].startOffset, fr[k].endOffset, fr[k].count]);
            if (fr[k].count > 0) hit = true;
          }
        }
        if (!hit) continue;
        var id = prefix + s.scriptId;
        if (!sent.has(id)) {
          sent.add(id);
          var source = null;
          try { source = post('Debugger.getScriptSource', { scriptId: s.scriptId }).scriptSource; } catch (e) { /* read from disk later */ }
          write({ k: 'src', id: id, path: p, source: source });
        }
        scripts.push({ id: id, r: ranges });
      }
      write({ k: 'cov', test: test || null, s: scripts });
    } catch (e) {
      /* coverage is best effort; the tests go on */
    } finally {
      busy = false;
    }
  }
  process.on('exit', function () { take({ out: true }); });
  // Each take costs a walk over every script of the process (vitest's own included): a test that
  // follows another of the same file needs no take of its own at its start — what ran in
  // between (hooks) simply counts for it.
  var endedIn = null;
  return {
    /** A test starts: what ran since the last call ran outside any test (the file's loading). */
    begin: function (file, key) {
      if (endedIn !== null && endedIn === String(key === undefined ? file : key)) return;
      take({ out: true, file: file });
    },
    /** A test ended: test = { file, titles } or { file, fullName }. */
    end: function (test) { take(test); endedIn = String(test && test.file); },
    /** Outside any test (after a file's last test). */
    flush: function (file) { take({ out: true, file: file }); endedIn = null; },
  };
}

function collector() {
  if (!(KEY in inspector)) inspector[KEY] = create();
  return inspector[KEY];
}
module.exports = { collector: collector };
if (process.env.${PERTEST_DIR_ENV}) collector();
`;

/** jest `setupFilesAfterEnv` module (CommonJS, evaluated in every test file's sandbox). */
export const JEST_SETUP = String.raw`'use strict';
var c = require(process.env.${PERTEST_MODULE_ENV}).collector();
if (c && typeof beforeEach === 'function' && typeof afterEach === 'function') {
  var stateKey = Object.getOwnPropertySymbols(globalThis).filter(function (s) { return String(s) === 'Symbol(JEST_STATE_SYMBOL)'; })[0];
  var testPath = function () { try { return expect.getState().testPath; } catch (e) { return undefined; } };
  var current = function () {
    var file = testPath();
    // jest-circus keeps the running test (with its describe chain) in its state.
    var st = stateKey ? globalThis[stateKey] : undefined;
    var t = st && st.currentlyRunningTest;
    if (t) {
      var titles = [];
      for (var b = t; b && b.parent; b = b.parent) titles.unshift(String(b.name));
      return { file: file, titles: titles };
    }
    var name;
    try { name = expect.getState().currentTestName; } catch (e) { name = undefined; }
    return { file: file, fullName: name };
  };
  beforeEach(function () { c.begin(testPath()); });
  afterEach(function () { c.end(current()); });
  if (typeof afterAll === 'function') afterAll(function () { c.flush(testPath()); });
}
`;

/** vitest setup file (ESM; placed in the project so that `vitest` resolves). */
export const VITEST_SETUP = String.raw`import { afterAll, afterEach, beforeEach } from 'vitest';
import { createRequire } from 'node:module';
const c = createRequire(import.meta.url)(process.env.${PERTEST_MODULE_ENV}).collector();
const fileOf = (task) => task && task.file ? task.file.filepath : undefined;
function titlesOf(task) {
  const titles = [];
  for (let t = task; t && !t.filepath; t = t.suite) titles.unshift(String(t.name));
  return titles;
}
let lastFile;
if (c) {
  beforeEach((ctx) => { lastFile = fileOf(ctx && ctx.task); c.begin(lastFile); });
  afterEach((ctx) => { const task = ctx && ctx.task; c.end({ file: fileOf(task), titles: titlesOf(task) }); });
  // No argument: vitest 4 parses a hook's first parameter as a fixture list.
  afterAll(() => { c.flush(lastFile); });
}
`;

/**
 * A vitest config that is the project's own (`userConfig`, a path relative to the wrapper, or
 * none) plus our setup file. Handles configs exported as objects, promises and functions.
 */
export function vitestWrapperConfig(userConfig: string | undefined, setupFile: string): string {
  const imp = userConfig ? `import * as user from ${JSON.stringify(userConfig)};\n` : 'const user = {};\n';
  return `${imp}const setup = ${JSON.stringify(setupFile)};
const add = (c) => {
  const cfg = c || {};
  const test = cfg.test || {};
  const own = test.setupFiles === undefined ? [] : [].concat(test.setupFiles);
  return { ...cfg, test: { ...test, setupFiles: [...own, setup] } };
};
const base = user.default;
export default typeof base === 'function' ? async (env) => add(await base(env)) : Promise.resolve(base).then(add);
`;
}

interface SrcRecord {
  k: 'src';
  id: string;
  path: string;
  source: string | null;
}
interface TestKey {
  out?: boolean;
  file?: string;
  titles?: string[];
  fullName?: string;
}
interface CovRecord {
  k: 'cov';
  test: TestKey | null;
  s: { id: string; r: [number, number, number][] }[];
}

type Lines = Map<string, Set<number>>;

function union(into: Lines, from: Lines): void {
  for (const [file, set] of from) {
    let have = into.get(file);
    if (!have) into.set(file, (have = new Set()));
    for (const l of set) have.add(l);
  }
}

export interface PerTestCoverage {
  matrix: CoverageMatrix;
  /** Tests of the run that got lines of their own (the others only have their file's load-time lines). */
  measured: number;
}

/**
 * The coverage matrix from the collector's records in `dir`, for the tests of the run (`tests`,
 * ids as runTests reports them). `cwd` is where the runner ran (test files are relative to it),
 * `root` the real path of the project.
 */
export function readPerTestCoverage(dir: string, tests: TestCase[], cwd: string, root: string): PerTestCoverage {
  const real = new Map<string, string | null>();
  // Runners name test files by real path or as given; ids are relative to where they ran.
  const relFile = (abs: string) => toPosix(abs.startsWith(root + '/') ? relative(root, abs) : relative(cwd, abs));
  const byId = new Map<string, Lines>();
  // Load-time lines per process and file ('' = the file is unknown, e.g. mocha's loading phase).
  const outside = new Map<string, Map<string, Lines>>();
  const testsOfProcess = new Map<string, { id: string; file: string }[]>();
  const known = new Map(tests.map((t) => [t.id, t]));
  const byFullName = new Map<string, string>();
  for (const t of tests) {
    const parts = t.id.split(' > ');
    const titles = t.file && parts[0] === t.file ? parts.slice(1) : parts;
    byFullName.set(`${t.file ?? ''}\u0000${titles.join(' ')}`, t.id);
  }
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort();
  } catch {
    names = [];
  }
  // `file:line` run by some test on its own.
  const ownAny = new Set<string>();
  for (const name of names) {
    const proc = name;
    let last: { id: string; file: string } | undefined;
    const scripts = new Map<string, PreparedScript | null>();
    let text = '';
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let rec: SrcRecord | CovRecord;
      try {
        rec = JSON.parse(line) as SrcRecord | CovRecord;
      } catch {
        continue; // a record cut short by a kill
      }
      if (rec.k === 'src') {
        let source = rec.source ?? undefined;
        if (source === undefined) {
          try {
            source = readFileSync(rec.path, 'utf8');
          } catch {
            source = undefined;
          }
        }
        scripts.set(rec.id, source === undefined ? null : (prepareScript({ path: rec.path, source }) ?? null));
        continue;
      }
      const lines: Lines = new Map();
      for (const s of rec.s) {
        const script = scripts.get(s.id);
        if (!script) continue;
        const ranges: V8Range[] = s.r.map(([startOffset, endOffset, count]) => ({ startOffset, endOffset, count }));
        addExecuted(lines, script, [{ ranges }], root, real);
      }
      const key = rec.test;
      const file = key?.file ? relFile(key.file) : '';
      if (!key || key.out) {
        // Between two tests of the same file (afterEach hooks, the end of the file): the test
        // before. Otherwise (before a file's first test): that file's loading.
        if (last && (file === '' || file === last.file)) {
          union(byId.get(last.id)!, lines);
          continue;
        }
        let perFile = outside.get(proc);
        if (!perFile) outside.set(proc, (perFile = new Map()));
        let acc = perFile.get(file);
        if (!acc) perFile.set(file, (acc = new Map()));
        union(acc, lines);
        continue;
      }
      let id: string | undefined;
      if (key.titles && key.titles.length > 0) id = jsTestId(file || undefined, key.titles);
      if ((!id || !known.has(id)) && key.fullName !== undefined) id = byFullName.get(`${file}\u0000${key.fullName}`) ?? id;
      if (!id) continue;
      let acc = byId.get(id);
      if (!acc) byId.set(id, (acc = new Map()));
      union(acc, lines);
      for (const [f, set] of lines) for (const l of set) ownAny.add(`${f}:${l}`);
      last = { id, file };
      const list = testsOfProcess.get(proc) ?? [];
      list.push(last);
      testsOfProcess.set(proc, list);
    }
  }
  // Loading lines go to every test of the same process and file (or of the process when the
  // file was not known at load time) — but only lines that no test ran by itself: a function
  // that the loading happened to call once must keep its per-test precision, else every test
  // would cover it and its lines would all rank alike.
  const loadOnly = (from: Lines): Lines => {
    const out: Lines = new Map();
    for (const [f, set] of from) {
      const kept = [...set].filter((l) => !ownAny.has(`${f}:${l}`));
      if (kept.length > 0) out.set(f, new Set(kept));
    }
    return out;
  };
  for (const [proc, list] of testsOfProcess) {
    const perFile = outside.get(proc);
    if (!perFile) continue;
    for (const { id, file } of list) {
      const acc = byId.get(id)!;
      const same = perFile.get(file);
      if (same) union(acc, loadOnly(same));
      const any = perFile.get('');
      if (any && file !== '') union(acc, loadOnly(any));
    }
  }

  const matrix: CoverageMatrix = { tests: [], lines: new Map() };
  let measured = 0;
  const add = (id: string, failed: boolean, lines: Lines) => {
    const idx = matrix.tests.length;
    matrix.tests.push({ id, failed });
    for (const [file, set] of lines) {
      for (const l of set) {
        const k = `${file}:${l}`;
        const list = matrix.lines.get(k);
        if (list) list.push(idx);
        else matrix.lines.set(k, [idx]);
      }
    }
  };
  for (const t of tests) {
    if (t.status === 'skipped') continue;
    const own = byId.get(t.id);
    if (own) {
      measured++;
      add(t.id, t.status === 'failed', own);
      continue;
    }
    // No lines of its own (a file that failed to load, a failing beforeAll): its file's loading.
    const lines: Lines = new Map();
    for (const perFile of outside.values()) {
      const same = perFile.get(t.file ?? '\u0000');
      if (same) union(lines, loadOnly(same));
    }
    add(t.id, t.status === 'failed', lines);
  }
  return { matrix, measured };
}
