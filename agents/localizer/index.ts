/**
 * The localizer agent's node: where is the fault?
 *
 * Offline: per-test line coverage of the workspace (src/debug/coverage-*), Ochiai ranking
 * (src/debug/sbfl), lines grouped by their enclosing function (src/debug/ast), then the local
 * variables of the top suspect functions traced during one failing test (src/debug/trace-*).
 * When coverage is missing (a crash before any test ran, an unsupported runner) or flat (every
 * executed line scored alike: one failing test and no passing one, per-run coverage), it starts
 * from the failure instead (./from-failure.ts): the frames of its stack trace in the sources, then
 * the functions the failing test names; a flat ranking follows, scaled down. Without any of these,
 * every function of the project's source files. Test files are never suspects.
 *
 * With a model (`debugContext(config).llm` non-null): the ranking, the traced values and the code
 * of the top suspect functions go to `localizeWithModel` (./llm.ts), with read-only tools
 * (agents/tools.ts) to look for any other code; the lines it names move to the top of the ranking
 * (score raised to the best SBFL score), with its reason.
 *
 * Sent back by the explainer (state.disputed: its model blames a line the validated patch does not
 * touch), it only re-ranks: see relocalize.
 */
import { projectFiles } from '../../src/debug/project-files.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { functionsIn, enclosingFunction, languageOf, outline } from '../../src/debug/ast.js';
import { collectNodeCoverage } from '../../src/debug/coverage-node.js';
import { collectPythonCoverage } from '../../src/debug/coverage-python.js';
import { rankBySbfl } from '../../src/debug/sbfl.js';
import { codeToolSet, TOOL_CALLS } from '../tools.js';
import { framesIn, isFlat, startingPoints } from './from-failure.js';
import { traceVariables } from '../../src/debug/trace-node.js';
import type { CoverageMatrix, FunctionSpan, Language, RankedLine, RunnerKind, TestCase, VariableTrace } from '../../src/debug/types.js';
import { codeWindows } from '../../src/debug/code-windows.js';
import {
  analysisTimeoutMs,
  debugContext,
  isTestFile,
  progress,
  signalOf,
  type DebugState,
  type DebugUpdate,
  type Suspect,
} from '../../src/graphs/debug/state.js';
import type { LlmClient } from '../../src/llm/types.js';
import { localizeWithModel } from './llm.js';

/** How many lines the ranking keeps, and how many functions get traced. */
export const TOP_LINES = 40;
export const TRACED_FUNCTIONS = 3;
/** Score of the lines the static fallback adds (every line of every function). */
const STATIC_SCORE = 0.01;

export interface FunctionSuspect {
  span: FunctionSpan;
  /** Best line score inside the function. */
  score: number;
  lines: RankedLine[];
}

/** Group ranked lines by enclosing function, best function first (lines outside any function are dropped). */
export function groupByFunction(ranked: RankedLine[], spans: FunctionSpan[]): FunctionSuspect[] {
  const groups = new Map<string, FunctionSuspect>();
  for (const r of ranked) {
    const fn = enclosingFunction(spans, r.line, r.file);
    if (!fn) continue;
    const key = `${fn.file}:${fn.startLine}:${fn.name}`;
    const g = groups.get(key);
    if (g) {
      g.lines.push(r);
      g.score = Math.max(g.score, r.score);
    } else groups.set(key, { span: fn, score: r.score, lines: [r] });
  }
  return [...groups.values()].sort((a, b) => b.score - a.score || b.lines.length - a.lines.length);
}

/** The report's suspects: top lines with a sentence on how the score came about. */
export function toSuspects(ranked: RankedLine[], totalFailed: number, max = 10): Suspect[] {
  return ranked.slice(0, max).map((r) => {
    const s: Suspect = {
      file: r.file,
      line: r.line,
      score: Math.round(r.score * 1000) / 1000,
      why:
        r.failedCover + r.passedCover > 0
          ? `executed by ${r.failedCover} of ${totalFailed} failing test${totalFailed === 1 ? '' : 's'} and ${r.passedCover} passing test${r.passedCover === 1 ? '' : 's'}`
          : 'named in the failure or part of a suspect function (no coverage)',
    };
    if (r.functionName) s.functionName = r.functionName;
    return s;
  });
}

/** Project source files of the language (relative paths, tests excluded), at most `limit`. */
export function sourceFiles(dir: string, lang: Language, limit = 200): string[] {
  return projectFiles(dir, { limit: limit * 20 })
    .filter((path) => {
      const l = languageOf(path);
      const same = lang === 'python' ? l === 'python' : l === 'javascript' || l === 'typescript';
      return same && !isTestFile(path) && !/\.d\.[cm]?ts$/.test(path) && !/\.config\.[cm]?[jt]s$/.test(path);
    })
    .slice(0, limit);
}

/** `file:line` frames of stack traces in the failure output, relative to dir, project sources only. */
export function stackFrames(text: string, dir: string): { file: string; line: number }[] {
  return framesIn(text, dir, false);
}

async function collectCoverage(
  dir: string,
  lang: Language,
  command: string,
  runner: RunnerKind,
  tests: TestCase[],
  timeoutMs: number,
  signal: AbortSignal | undefined,
  env: Record<string, string | undefined>,
): Promise<CoverageMatrix | null> {
  if (lang === 'python') {
    return collectPythonCoverage(dir, command, { timeoutMs, env, ...(signal ? { signal } : {}) });
  }
  return collectNodeCoverage(dir, command, runner, {
    timeoutMs,
    env,
    budgetMs: timeoutMs * 3,
    ...(tests.length > 0 ? { tests } : {}),
    ...(signal ? { signal } : {}),
  });
}

/** Source files (and their function signatures) near the suspects, for the model's bearings. */
async function bearings(dir: string, lang: Language, ranked: RankedLine[]): Promise<string> {
  const files = sourceFiles(dir, lang, 200);
  const suspectFiles = [...new Set(ranked.slice(0, 10).map((r) => r.file))].filter((f) => files.includes(f));
  const texts: { path: string; text: string; lang: Language }[] = [];
  for (const f of suspectFiles.slice(0, 3)) {
    try {
      texts.push({ path: f, text: await readFile(join(dir, f), 'utf8'), lang: languageOf(f) ?? lang });
    } catch {
      // unreadable: left out of the outline
    }
  }
  const others = files.filter((f) => !suspectFiles.includes(f));
  const list = others.length ? `\nother source files: ${others.slice(0, 60).join(', ')}${others.length > 60 ? `, … (${others.length - 60} more)` : ''}` : '';
  return (await outline(texts, 2500)) + list;
}

/** The model's opinion, merged into the ranking: named lines first, at the best SBFL score. */
async function askModel(
  llm: LlmClient,
  state: DebugState,
  dir: string,
  lang: Language,
  ranked: RankedLine[],
  failing: TestCase[],
  functions: FunctionSpan[],
  trace: VariableTrace | null,
  coverage: CoverageMatrix | null,
  start: string[],
  signal: AbortSignal | undefined,
): Promise<{ ranked: RankedLine[]; reasons: Map<string, string>; note?: string }> {
  const answer = await localizeWithModel(llm, {
    failingTests: failing,
    testOutput: state.baseline?.output ?? '',
    ranking: ranked.slice(0, 10),
    outline: await bearings(dir, lang, ranked),
    suspectCode: await codeWindows(dir, ranked.slice(0, 10), functions, 3),
    traces: trace ? [trace] : [],
    ...(start.length ? { startingPoints: start } : {}),
    tools: codeToolSet(dir, coverage, TOOL_CALLS.localizer),
    ...(signal ? { signal } : {}),
  });
  const reasons = new Map<string, string>();
  if (!answer || answer.locations.length === 0) return { ranked, reasons };
  const top = Math.max(ranked[0]?.score ?? 0, 0.5);
  const named: RankedLine[] = [];
  for (const loc of answer.locations) {
    if (!existsSync(join(dir, loc.file)) || isTestFile(loc.file)) continue;
    const have = ranked.find((r) => r.file === loc.file && r.line === loc.line);
    named.push(have ? { ...have, score: Math.max(have.score, top) } : { file: loc.file, line: loc.line, score: top, failedCover: 0, passedCover: 0 });
    reasons.set(`${loc.file}:${loc.line}`, loc.reason);
  }
  const rest = ranked.filter((r) => !reasons.has(`${r.file}:${r.line}`));
  return { ranked: [...named, ...rest], reasons, note: `model localization: ${answer.reasoning.split('\n')[0]?.slice(0, 200) ?? ''}` };
}

/**
 * The explainer's disagreement (state.disputed): its line goes to the top of the ranking and of
 * the suspects (its function joins the suspect functions), the validated patch is put aside as
 * `fallbackBest`, and the repair loop starts over with the model's re-check round only
 * (agents/repairer roundsFor). Nothing is measured again. Counts the round trip.
 */
export async function relocalize(state: DebugState, config?: LangGraphRunnableConfig): Promise<DebugUpdate> {
  const disputed = state.disputed!;
  const ws = state.workspace;
  const lang = languageOf(disputed.file) ?? state.language ?? 'python';
  progress(config, { stage: 'localize', message: `the explainer blames ${disputed.file}:${disputed.line}, which the patch does not touch: moved to the top of the suspects` });
  let spans: FunctionSpan[] = [];
  if (ws) {
    try {
      spans = await functionsIn(disputed.file, lang, await readFile(join(ws.dir, disputed.file), 'utf8'));
    } catch {
      spans = [];
    }
  }
  const fn = enclosingFunction(spans, disputed.line, disputed.file);
  const top = Math.max(state.ranked[0]?.score ?? 0, state.suspects[0]?.score ?? 0, 0.5);
  const same = (x: { file: string; line: number }) => x.file === disputed.file && x.line === disputed.line;
  const had = state.ranked.find(same);
  const line: RankedLine = had ? { ...had, score: top } : { file: disputed.file, line: disputed.line, score: top, failedCover: 0, passedCover: 0 };
  if (fn) line.functionName = fn.name;
  const suspect: Suspect = { file: disputed.file, line: disputed.line, score: Math.round(top * 1000) / 1000, why: `blamed by the explainer: ${disputed.reason}` };
  if (fn) suspect.functionName = fn.name;
  const suspectFunctions = fn && !state.suspectFunctions.some((f) => f.file === fn.file && f.startLine === fn.startLine) ? [fn, ...state.suspectFunctions] : state.suspectFunctions;
  return {
    ranked: [line, ...state.ranked.filter((r) => !same(r))],
    suspects: [suspect, ...state.suspects.filter((r) => !same(r))],
    suspectFunctions,
    disputed: null,
    explainerRoundTrips: state.explainerRoundTrips + 1,
    fallbackBest: state.best,
    best: null,
    queue: [],
    batch: [],
    repairExhausted: false,
    notes: [`the explainer blamed ${disputed.file}:${disputed.line}; asked the model again from there`],
  };
}

export async function localize(state: DebugState, config: LangGraphRunnableConfig): Promise<DebugUpdate> {
  if (state.disputed) return relocalize(state, config);
  const ws = state.workspace;
  const baseline = state.baseline;
  if (!ws || !baseline) return { outcome: 'error', error: 'localize: no workspace' };
  const lang = state.language ?? ws.language;
  const signal = signalOf(config);
  const notes: string[] = [];
  const update: DebugUpdate = {};

  // 1. Coverage + Ochiai.
  progress(config, { stage: 'localize', message: 'collecting per-test coverage' });
  let matrix: CoverageMatrix | null = null;
  try {
    matrix = await collectCoverage(ws.dir, lang, state.input.testCommand, state.runner, baseline.tests, analysisTimeoutMs(state), signal, state.runEnv);
  } catch (error) {
    notes.push(`coverage failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  let failing = state.failing;
  if (matrix && failing.length === 0 && matrix.tests.some((t) => t.failed)) {
    // The baseline gave no per-test results (it hung or crashed): the instrumented run did.
    failing = matrix.tests.filter((t) => t.failed).map((t) => ({ id: t.id, name: t.id, status: 'failed' as const }));
    update.failing = failing;
    if (baseline.tests.length === 0) {
      update.baseline = {
        ...baseline,
        tests: matrix.tests.map((t) => ({ id: t.id, name: t.id, status: t.failed ? ('failed' as const) : ('passed' as const) })),
      };
    }
  }
  const totalFailed = matrix ? matrix.tests.filter((t) => t.failed).length : 0;
  let ranked = matrix ? rankBySbfl(matrix) : [];
  ranked = ranked.filter((r) => !isTestFile(r.file) && languageOf(r.file) !== null && existsSync(join(ws.dir, r.file)));

  // 2. No coverage, or coverage that cannot tell lines apart: start from the failure (its stack
  //    frames, the functions the failing test names); a flat ranking follows, scaled down.
  const spansByFile = new Map<string, FunctionSpan[]>();
  const spansOf = async (file: string): Promise<FunctionSpan[]> => {
    let spans = spansByFile.get(file);
    if (!spans) {
      const fl = languageOf(file) ?? lang;
      try {
        spans = await functionsIn(file, fl, await readFile(join(ws.dir, file), 'utf8'));
      } catch {
        spans = [];
      }
      spansByFile.set(file, spans);
    }
    return spans;
  };
  const flat = isFlat(ranked);
  const why = new Map<string, string>();
  let start: string[] = [];
  if (ranked.length === 0 || flat) {
    const text = [baseline.output, ...failing.map((t) => t.message ?? '')].join('\n');
    const covered = matrix && flat ? (file: string, line: number) => matrix!.lines.has(`${file}:${line}`) : undefined;
    const points = await startingPoints(ws.dir, text, failing.map((t) => t.message ?? ''), sourceFiles(ws.dir, lang, 200), spansOf, covered);
    if (points.ranked.length > 0) {
      const from = new Set(points.ranked.map((r) => `${r.file}:${r.line}`));
      const rest = ranked.filter((r) => !from.has(`${r.file}:${r.line}`)).map((r) => ({ ...r, score: r.score * 0.3 }));
      for (const r of points.ranked) {
        const had = ranked.find((x) => x.file === r.file && x.line === r.line);
        if (had) Object.assign(r, { failedCover: had.failedCover, passedCover: had.passedCover });
      }
      ranked = [...points.ranked, ...rest];
      for (const [k, v] of points.reasons) why.set(k, v);
      start = points.summary;
    }
    progress(config, {
      stage: 'localize',
      message: flat
        ? `coverage is flat (every executed line scored alike): starting from the failure${points.summary.length ? ` (${points.summary.length} starting point${points.summary.length === 1 ? '' : 's'})` : ''}`
        : 'no coverage of the failing tests: starting from the failure',
    });
    notes.push(
      flat
        ? "coverage is flat (every executed line scored alike): suspects start from the failure's stack and the functions the failing test names"
        : 'no coverage of the failing tests: suspects come from the stack trace and the source files',
    );
  }

  // 3. Group by enclosing function.
  for (const file of new Set(ranked.map((r) => r.file))) await spansOf(file);
  if (!ranked.some((r) => r.failedCover + r.passedCover > 0)) {
    // No coverage at all: every line of every function in the project's sources, weakly scored,
    // after the starting points (the fault may sit in a function the failure does not name).
    const seen = new Set(ranked.map((r) => `${r.file}:${r.line}`));
    for (const file of sourceFiles(ws.dir, lang, 50)) {
      for (const span of await spansOf(file)) {
        for (let line = span.startLine + 1; line <= span.endLine; line++) {
          if (seen.has(`${file}:${line}`)) continue;
          seen.add(`${file}:${line}`);
          ranked.push({ file, line, score: STATIC_SCORE, failedCover: 0, passedCover: 0 });
        }
      }
    }
  }
  const allSpans = [...spansByFile.values()].flat();
  for (const r of ranked) {
    const fn = enclosingFunction(allSpans, r.line, r.file);
    if (fn) r.functionName = fn.name;
  }
  const groups = groupByFunction(ranked, allSpans);
  const suspectFunctions = groups.slice(0, TRACED_FUNCTIONS).map((g) => g.span);
  const strong = ranked.filter((r) => r.score > STATIC_SCORE);
  const explain = (list: Suspect[]) => list.map((x) => (why.has(`${x.file}:${x.line}`) ? { ...x, why: `${why.get(`${x.file}:${x.line}`)!}; ${x.why}` } : x));
  const suspects = explain(toSuspects(strong.length > 0 ? strong : ranked, totalFailed));
  progress(config, {
    stage: 'localize',
    message:
      suspects.length > 0
        ? `top suspects: ${suspects
            .slice(0, 3)
            .map((s) => `${s.file}:${s.line} (${s.score.toFixed(2)})`)
            .join(', ')}`
        : 'no suspect lines found',
  });

  // 4. Trace the top suspect functions' variables during one failing test.
  let trace: VariableTrace | null = null;
  const test = failing[0];
  if (test && suspectFunctions.length > 0 && !signal?.aborted) {
    progress(config, { stage: 'localize', message: `tracing ${suspectFunctions.map((f) => f.name).join(', ')} during ${test.id}` });
    try {
      const which: { id: string; file?: string } = { id: test.id };
      if (test.file) which.file = test.file;
      trace = await traceVariables(ws.dir, lang, state.input.testCommand, state.runner, which, suspectFunctions, {
        timeoutMs: analysisTimeoutMs(state),
        env: state.runEnv,
      });
    } catch (error) {
      notes.push(`tracing failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }

  // 5. The model's opinion, when there is a model.
  const llm = debugContext(config).llm;
  if (llm && !llm.exhausted() && !signal?.aborted) {
    progress(config, { stage: 'localize', message: `asking ${llm.model} where the fault is` });
    const asked = await askModel(llm, state, ws.dir, lang, ranked, failing, allSpans, trace, matrix, start, signal);
    if (asked.reasons.size > 0) {
      ranked = asked.ranked;
      for (const r of ranked) {
        const fn = r.functionName ? undefined : enclosingFunction(allSpans, r.line, r.file);
        if (fn) r.functionName = fn.name;
      }
      const merged = explain(toSuspects(ranked.filter((r) => r.score > STATIC_SCORE || asked.reasons.has(`${r.file}:${r.line}`)), totalFailed)).map((s) => {
        const reason = asked.reasons.get(`${s.file}:${s.line}`);
        return reason ? { ...s, why: `named by the model: ${reason}; ${s.why}` } : s;
      });
      suspects.splice(0, suspects.length, ...merged);
      if (asked.note) notes.push(asked.note);
    }
  }

  return { ...update, ranked: ranked.slice(0, 400), suspects, suspectFunctions, trace, coverage: matrix, notes };
}
