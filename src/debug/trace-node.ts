/**
 * Key-variable tracing for JavaScript on Node, through the inspector protocol.
 *
 * Why this design (Node 20):
 *  - An in-process `inspector.Session` on the MAIN thread cannot serve its own breakpoints: when
 *    V8 pauses, the thread that would handle `Debugger.paused` is the one that is paused (the
 *    Node docs advise against same-thread breakpoints; in practice it deadlocks or skips).
 *  - A separate debugger process over `--inspect-brk=0` needs a WebSocket client (Node 20 only
 *    has one behind `--experimental-websocket`), a port, and parsing the URL from stderr.
 *  - A `worker_threads` Worker calling `session.connectToMainThread()` (Node ≥ 12.11, documented
 *    for exactly this) runs on its own thread: the main thread pauses at our breakpoints, the
 *    worker reads the local scopes and resumes it. No port, no WebSocket, no extra process.
 * (The worker must keep its own event loop alive with a timer: a pending inspector reply does
 * not, and the worker would quietly exit before the first reply — see nodejs/node#28870.)
 * So a preload module (`--import`, via NODE_OPTIONS so the child process `node --test` spawns
 * gets it too) starts that worker and waits (top-level await) until the breakpoints are set
 * before any test code loads. The worker appends each step to a JSON-lines file as it goes, so a
 * run killed at its timeout still leaves what it saw.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeFlags } from './coverage-node.js';
import { runTests, shq } from './run-tests.js';
import { tracePythonVariables } from './trace-python.js';
import type { FunctionSpan, Language, RunnerKind, VariableTrace } from './types.js';
import { makeTempDir } from './temp-dir.js';

export interface NodeTraceOptions {
  timeoutMs: number;
  env?: Record<string, string | undefined>;
  head?: number;
  tail?: number;
  width?: number;
  /** Stop pausing after this many steps (the run goes on untraced). Default 3000. */
  maxPauses?: number;
  signal?: AbortSignal;
}

/** The preload module (ESM). Runs in every Node process of the test run. */
export const NODE_TRACE_PRELOAD = String.raw`
import { Worker, isMainThread } from 'node:worker_threads';
const cfg = process.env.RD_NODE_TRACE ? JSON.parse(process.env.RD_NODE_TRACE) : null;
// --import also runs in every worker thread (our own included): trace the main thread only.
if (cfg && isMainThread && !globalThis.__rdTraceStarted) {
  globalThis.__rdTraceStarted = true;
  const worker = new Worker(cfg.workerFile, { workerData: cfg, stdout: false, stderr: false });
  worker.unref();
  await new Promise((resolve) => {
    const t = setTimeout(resolve, 5000);
    worker.once('message', () => { clearTimeout(t); resolve(); });
    worker.once('error', () => { clearTimeout(t); resolve(); });
  });
}
`;

export const NODE_TRACE_WORKER = String.raw`
import { Session } from 'node:inspector';
import { parentPort, workerData as cfg } from 'node:worker_threads';
import { appendFileSync, writeFileSync } from 'node:fs';

const session = new Session();
// A pending inspector reply does not keep a worker alive: without this the worker would end
// right after its first post() and no reply or pause would ever be seen. The main thread
// unref()s the worker, so this does not keep the process alive.
setInterval(() => {}, 1 << 30);
session.connectToMainThread();
const post = (method, params) => new Promise((resolve, reject) =>
  session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));

const W = cfg.width;
const cut = (s) => (s.length > W ? s.slice(0, W - 1) + '…' : s);
function prim(v) {
  if (v.type === 'string') return JSON.stringify(v.value ?? v.description ?? '');
  if (v.type === 'undefined') return 'undefined';
  if (v.subtype === 'null') return 'null';
  if (v.unserializableValue !== undefined) return String(v.unserializableValue);
  if ('value' in v && v.type !== 'object') return String(v.value);
  return v.description ?? v.type;
}
function fromPreview(p) {
  if (!p) return undefined;
  const items = (p.properties ?? []).map((q) => (q.type === 'string' ? JSON.stringify(q.value) : q.value ?? q.type));
  const more = p.overflow ? ', …' : '';
  if (p.subtype === 'array') return '[' + items.join(', ') + more + ']';
  if (p.type === 'object' && !p.subtype && (p.description === 'Object' || !p.description)) {
    return '{' + (p.properties ?? []).map((q, i) => q.name + ': ' + items[i]).join(', ') + more + '}';
  }
  if (p.subtype === 'map' || p.subtype === 'set') return p.description + ' {' + (p.entries ?? []).length + '}';
  return undefined;
}
function show(v) {
  if (v.type !== 'object' || v.subtype === 'null') return cut(prim(v));
  return cut(fromPreview(v.preview) ?? v.description ?? 'Object');
}

let pauses = 0;
let total = 0;
let lastKey = '';
const tail = [];
const flushTail = () => {
  try { writeFileSync(cfg.tailFile, JSON.stringify({ total, tail })); } catch {}
};

// Transpiled sources (TypeScript through tsx or ts-node): V8 runs the generated code, whose lines
// are not the file's. Such a script pauses once before it runs (an instrumentation breakpoint);
// its inline source map then gives, for each target line, the first generated position mapped to
// it (where the breakpoint goes), and for each pause, the original line back. A few lines of VLQ
// decoding rather than a source-map library: this worker is a standalone module running inside
// the user's test process and must not import from our node_modules.
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function decodeMappings(mappings) {
  const lines = [];
  let src = 0, srcLine = 0, srcCol = 0;
  for (const text of mappings.split(';')) {
    const segs = [];
    let genCol = 0;
    if (text) for (const seg of text.split(',')) {
      const vals = [];
      let shift = 0, value = 0;
      for (const ch of seg) {
        let d = B64.indexOf(ch);
        if (d < 0) break;
        const more = d & 32;
        d &= 31;
        value += d * 2 ** shift;
        if (more) shift += 5;
        else { vals.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2)); value = 0; shift = 0; }
      }
      if (vals.length === 0) continue;
      genCol += vals[0];
      if (vals.length >= 4) { src += vals[1]; srcLine += vals[2]; srcCol += vals[3]; segs.push([genCol, src, srcLine]); }
    }
    lines.push(segs);
  }
  return lines;
}
const mapped = {}; // scriptId → decoded mappings (generated line → segments)
function readMap(url) {
  const m = /^data:application\/json[^,]*?(;base64)?,(.*)$/s.exec(url || '');
  if (!m) return null;
  try {
    const text = m[1] ? Buffer.from(m[2], 'base64').toString('utf8') : decodeURIComponent(m[2]);
    return JSON.parse(text);
  } catch { return null; }
}
async function breakMapped(scriptId, url, sourceMapURL) {
  const t = cfg.targets.find((x) => url === x.url || url === x.path);
  if (!t || mapped[scriptId]) return;
  const map = readMap(sourceMapURL);
  if (!map || typeof map.mappings !== 'string') return;
  const lines = decodeMappings(map.mappings);
  mapped[scriptId] = lines;
  cfg.scripts[scriptId] = t.file;
  const first = new Map();
  lines.forEach((segs, genLine) => {
    for (const [genCol, , srcLine] of segs) {
      const prev = first.get(srcLine + 1);
      if (!prev || genLine < prev[0] || (genLine === prev[0] && genCol < prev[1])) first.set(srcLine + 1, [genLine, genCol]);
    }
  });
  for (const l of t.lines) {
    const at = first.get(l);
    if (!at) continue;
    try { await post('Debugger.setBreakpoint', { location: { scriptId, lineNumber: at[0], columnNumber: at[1] } }); } catch {}
  }
}
function originalLine(scriptId, line0, col) {
  const lines = mapped[scriptId];
  if (!lines) return line0 + 1;
  const segs = lines[line0] || [];
  let best = null;
  for (const s of segs) if (s[0] <= col) best = s;
  if (!best && segs.length) best = segs[0];
  return best ? best[2] + 1 : line0 + 1;
}

session.on('Debugger.paused', async ({ params }) => {
  try {
    if (params.reason === 'instrumentation') {
      const d = params.data || {};
      await breakMapped(d.scriptId, d.url, d.sourceMapURL);
      await post('Debugger.resume');
      return;
    }
    const frame = params.callFrames[0];
    if (!frame || (params.reason !== 'other' && params.reason !== 'breakpoint' && params.reason !== 'step')) {
      await post('Debugger.resume');
      return;
    }
    const locals = {};
    for (const scope of frame.scopeChain) {
      if (scope.type !== 'local' && scope.type !== 'block' && scope.type !== 'catch') continue;
      const { result } = await post('Runtime.getProperties', { objectId: scope.object.objectId, ownProperties: true, generatePreview: true });
      for (const p of result) {
        if (!p.value || p.name in locals || p.value.type === 'function') continue;
        locals[p.name] = show(p.value);
      }
    }
    // Paused at a function's end (its closing brace is one of the lines): the value it returns,
    // as the Python tracer records it.
    if (frame.returnValue) locals['<return>'] = show(frame.returnValue);
    // The receiver's own fields (this.count, this.items), after the locals: the repair templates
    // read their types (a field replaced by another of the same type, a bounds check on a count).
    const self = frame.this;
    if (self && self.type === 'object' && self.objectId && !/^(global|Window|process|Module)$/.test(self.className ?? '')) {
      const { result } = await post('Runtime.getProperties', { objectId: self.objectId, ownProperties: true, generatePreview: true });
      let n = 0;
      for (const p of result) {
        if (n >= 10) break;
        if (!p.value || p.value.type === 'function' || typeof p.name !== 'string') continue;
        locals['this.' + p.name] = show(p.value);
        n++;
      }
    }
    const script = cfg.scripts[frame.location.scriptId];
    const line = originalLine(frame.location.scriptId, frame.location.lineNumber, frame.location.columnNumber ?? 0);
    const step = { file: script ?? '?', line, function: frame.functionName || '<anonymous>', locals };
    // Breakpoints on lines without a statement of their own slide to the next one: skip the
    // double pause this gives (same line, same values, straight after each other).
    const key = line + '|' + JSON.stringify(locals);
    if (key === lastKey) { await post('Debugger.resume'); return; }
    lastKey = key;
    total++;
    if (total <= cfg.head) appendFileSync(cfg.headFile, JSON.stringify(step) + '\n');
    else {
      tail.push(step);
      if (tail.length > cfg.tail) tail.shift();
      flushTail();
    }
    pauses++;
    if (pauses >= cfg.maxPauses) {
      flushTail();
      await post('Debugger.setBreakpointsActive', { active: false });
    }
  } catch {}
  try { await post('Debugger.resume'); } catch {}
});
session.on('Debugger.scriptParsed', ({ params }) => {
  for (const t of cfg.targets) {
    if (params.url === t.url || params.url === t.path) cfg.scripts[params.scriptId] = t.file;
  }
});

cfg.scripts = {};
await post('Debugger.enable');
const transpiled = (t) => /\.[cm]?tsx?$/.test(t.path);
if (cfg.targets.some(transpiled)) {
  try { await post('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptWithSourceMapExecution' }); } catch {}
}
for (const t of cfg.targets) {
  // A TypeScript file's lines exist only in its source map (breakMapped).
  if (transpiled(t)) continue;
  const re = '^(file://)?' + t.path.replace(/[.*+?^$\x7b\x7d()|[\]\\]/g, '\\$&') + '$';
  for (const l of t.lines) {
    try { await post('Debugger.setBreakpointByUrl', { lineNumber: l - 1, urlRegex: re }); } catch {}
  }
}
parentPort.postMessage('ready');
`;

function shouldRunDirect(runner: RunnerKind): boolean {
  return runner === 'node-test' || runner === 'unknown';
}

/**
 * Run one failing test with the inspector tracer attached and return the local variables seen at
 * each executed line of `functions`. Runs inside `dir` (the isolated copy) and never hangs:
 * the run is killed at `timeoutMs`, and what was recorded so far is returned.
 */
export async function traceNodeVariables(
  dir: string,
  testCommand: string,
  runner: RunnerKind,
  test: { id: string; file?: string } | { id: string; file?: string }[],
  functions: FunctionSpan[],
  opts: NodeTraceOptions,
): Promise<VariableTrace> {
  const tests = Array.isArray(test) ? test : [test];
  const first = tests[0] ?? { id: '' };
  const name = Array.isArray(test) ? `${tests.length} test${tests.length === 1 ? '' : 's'}: ${tests.map((t) => t.id).join(', ')}` : test.id;
  const tmpDir = makeTempDir('rd-nodetrace-');
  const tmp = tmpDir.path;
  try {
    const preload = join(tmp, 'preload.mjs');
    const workerFile = join(tmp, 'worker.mjs');
    writeFileSync(preload, NODE_TRACE_PRELOAD);
    writeFileSync(workerFile, NODE_TRACE_WORKER);
    const headFile = join(tmp, 'head.jsonl');
    const tailFile = join(tmp, 'tail.json');
    const byFile = new Map<string, Set<number>>();
    for (const f of functions) {
      let s = byFile.get(f.file);
      if (!s) byFile.set(f.file, (s = new Set()));
      for (let l = f.startLine; l <= f.endLine; l++) s.add(l);
    }
    const targets = [...byFile].map(([file, lines]) => {
      const path = resolve(dir, file);
      return { file, path, url: pathToFileURL(path).href, lines: [...lines].sort((a, b) => a - b) };
    });
    const cfg = {
      workerFile,
      headFile,
      tailFile,
      targets,
      head: opts.head ?? 150,
      tail: opts.tail ?? 50,
      width: opts.width ?? 80,
      maxPauses: opts.maxPauses ?? 3000,
    };
    const fileOf = (t: { id: string; file?: string }) => t.file ?? t.id.split(' > ')[0] ?? '';
    const file = fileOf(first);
    let command = testCommand;
    if (shouldRunDirect(runner) && file && existsSync(join(dir, file)) && tests.every((t) => fileOf(t) === file)) {
      const flags = nodeFlags(testCommand);
      command = `node ${flags ? `${flags} ` : ''}--test ${shq(file)}`;
    }
    const prevOpts = opts.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS;
    const importFlag = `--import=${pathToFileURL(preload).href}`;
    const run = await runTests(command, runner === 'unknown' ? 'node-test' : runner, {
      cwd: dir,
      timeoutMs: opts.timeoutMs,
      env: {
        ...(opts.env ?? {}),
        NODE_OPTIONS: prevOpts ? `${prevOpts} ${importFlag}` : importFlag,
        RD_NODE_TRACE: JSON.stringify(cfg),
      },
      only: tests.map((t) => t.id),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const steps: VariableTrace['steps'] = [];
    if (existsSync(headFile)) {
      for (const l of readFileSync(headFile, 'utf8').split('\n')) {
        if (!l.trim()) continue;
        try {
          steps.push(JSON.parse(l) as VariableTrace['steps'][number]);
        } catch {
          // a line cut by a kill
        }
      }
    }
    let truncated = false;
    if (existsSync(tailFile)) {
      try {
        const t = JSON.parse(readFileSync(tailFile, 'utf8')) as { total: number; tail: VariableTrace['steps'] };
        steps.push(...t.tail);
        truncated = t.total > steps.length;
      } catch {
        truncated = true;
      }
    }
    const trace: VariableTrace = { test: name, steps, truncated };
    const mine = run.tests.find((t) => t.id === first.id) ?? run.tests.find((t) => t.status === 'failed');
    if (mine?.message) trace.outcome = mine.message;
    else if (run.timedOut) trace.outcome = `Timeout: the test did not finish in ${opts.timeoutMs} ms`;
    return trace;
  } finally {
    tmpDir.remove();
  }
}

/**
 * Trace the local variables of `functions` during one failing test, for any supported language
 * (Python through the rd_vars pytest plugin, JavaScript through the inspector).
 */
export async function traceVariables(
  dir: string,
  lang: Language,
  testCommand: string,
  runner: RunnerKind,
  test: { id: string; file?: string } | { id: string; file?: string }[],
  functions: FunctionSpan[],
  opts: NodeTraceOptions,
): Promise<VariableTrace> {
  if (lang === 'python') return tracePythonVariables(dir, testCommand, test, functions, opts);
  return traceNodeVariables(dir, testCommand, runner, test, functions, opts);
}
