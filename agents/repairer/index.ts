/**
 * The repairer agent's node: hand validate the next batch of candidate patches.
 *
 * Candidates come in rounds, each used once, until one passes or nothing is left:
 *   1. `mutation:top`  — mutation operators (src/debug/mutate) over the most suspicious lines
 *   2. `mutation:wide` — the same over every ranked line (and the suspect functions' bodies)
 * Within the queue: most suspicious line first, then the operator's priority, then the smallest
 * edit. Test files are never patched. No candidate (same file, same new text) is queued twice.
 *
 * With a model (`debugContext(config).llm` non-null) two more rounds ask `repairWithModel`
 * (./llm.ts) for SEARCH/REPLACE edits, turned into whole-file candidates (`operator: 'llm'`),
 * the model free to read more code through read-only tools (agents/tools.ts): `llm:1` once the
 * first batch of top mutations has failed (the suspects, their functions' code, the trace, what
 * failed so far) asks for ONE answer — a first answer that is right costs one call; `llm:2`,
 * right after llm:1's patch failed, asks for LLM_SAMPLES['llm:2'] samples with its test output
 * fed back (or, when llm:1 gave nothing, once the top mutations are used up);
 * `mutation:wide` comes last. The model's candidates go ahead of the queued mutations and are
 * validated as one batch (then voted on). Offline they are skipped and the order is the mutation
 * rounds' alone, as before.
 * After the explainer disputed a validated patch (index.ts afterExplain), the only round left is
 * RECHECK_ROUND: the model again, with the explainer's line at the top of the suspects.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { languageOf } from '../../src/debug/ast.js';
import { combineEdits, generateCandidates, orderKey } from '../../src/debug/mutate.js';
import { traceFacts, type TraceFacts } from '../../src/debug/repair/values.js';
import type { Candidate, FunctionSpan, RankedLine } from '../../src/debug/types.js';
import { passingTestsToTrace, tracePassingTests } from '../../src/debug/repair/behaviour.js';
import { analysisTimeoutMs, debugContext, isTestFile, progress, remainingMs, signalOf, type DebugState, type DebugUpdate, type PartialFix, type TriedCandidate } from '../../src/graphs/debug/state.js';
import type { LlmClient } from '../../src/llm/types.js';
import { codeWindows } from '../../src/debug/code-windows.js';
import { codeToolSet, TOOL_CALLS } from '../tools.js';
import { repairWithModel, samplesToCandidates } from './llm.js';
import type { Edit } from './schema.js';

/**
 * Model answers asked for per llm round: one first (a right first answer costs one call), more
 * samples only after a failure.
 */
export const LLM_SAMPLES: Readonly<Record<string, number>> = { 'llm:1': 1, 'llm:2': 3, 'llm:recheck': 1 };
/** How many suspect places (their enclosing functions) the model's prompt shows. */
const MODEL_WINDOWS = 3;

export const BATCH_SIZE = 8;
/** In this order; offline the llm rounds are skipped. A model round may cut in ahead of its place (modelRoundDue). */
export const ROUNDS = ['mutation:top', 'llm:1', 'llm:2', 'mutation:wide'] as const;
export type Round = (typeof ROUNDS)[number];

/** How many lines count as "top", and how many candidates a round may produce. */
const TOP_LINE_COUNT = 12;
const MAX_TOP = 120;
const MAX_WIDE = 250;
/** Two-edit candidates made from the partial fixes, at most, per repair step. */
const MAX_PAIRS = 12;

export function candidateKey(c: Pick<Candidate, 'file' | 'newSource'>): string {
  return `${c.file}#${createHash('sha1').update(c.newSource).digest('hex').slice(0, 16)}`;
}

/** The lines a round works on, per file, with their scores. */
export function linesForRound(round: 'mutation:top' | 'mutation:wide', ranked: RankedLine[], functions: FunctionSpan[]): Map<string, { line: number; score: number }[]> {
  const byFile = new Map<string, { line: number; score: number }[]>();
  const add = (file: string, line: number, score: number) => {
    if (isTestFile(file)) return;
    const list = byFile.get(file) ?? [];
    const prev = list.find((l) => l.line === line);
    if (prev) prev.score = Math.max(prev.score, score);
    else list.push({ line, score });
    byFile.set(file, list);
  };
  if (round === 'mutation:top') {
    const best = ranked[0]?.score ?? 0;
    const top = ranked.filter((r, i) => i < TOP_LINE_COUNT || (r.score >= best && best > 0));
    for (const r of top) add(r.file, r.line, r.score);
  } else {
    for (const r of ranked) add(r.file, r.line, r.score);
    // Lines of the suspect functions that no failing test reached (a missing base case, say).
    for (const f of functions) for (let l = f.startLine; l <= f.endLine; l++) add(f.file, l, 0);
  }
  return byFile;
}

/**
 * Order candidates across files: the line's global rank, then the template's own cost (template,
 * alternative, what the trace says, size) — mutate.ts orderKey, so a much likelier template on the
 * next line may come before a long shot on the top line.
 */
export function orderCandidates(cands: Candidate[], ranked: RankedLine[]): Candidate[] {
  const scoreOf = new Map<string, number>();
  for (const r of ranked) {
    const k = `${r.file}:${r.line}`;
    scoreOf.set(k, Math.max(scoreOf.get(k) ?? 0, r.score));
  }
  const distinct = [...new Set([...scoreOf.values(), 0])].sort((a, b) => b - a);
  const rank = (c: Candidate) => distinct.indexOf(scoreOf.get(`${c.file}:${c.line}`) ?? 0);
  return cands
    .map((c) => ({ c, key: orderKey(rank(c), c.cost ?? c.priority % 10_000) }))
    .sort((a, b) => a.key - b.key || a.c.file.localeCompare(b.c.file) || a.c.line - b.c.line)
    .map(({ c }) => c);
}

/**
 * two-edits from partial fixes: two candidates of one file that each made some of the failing
 * tests pass (different ones) are tried together, those covering the most failures first.
 */
export async function pairsOfPartialFixes(partials: readonly PartialFix[], sources: Map<string, string>, max = MAX_PAIRS): Promise<Candidate[]> {
  const pairs: { a: PartialFix; b: PartialFix; covered: number; cost: number }[] = [];
  for (let i = 0; i < partials.length; i++) {
    for (let j = i + 1; j < partials.length; j++) {
      const a = partials[i]!;
      const b = partials[j]!;
      if (a.candidate.file !== b.candidate.file) continue;
      const union = new Set([...a.fixes, ...b.fixes]);
      // Each must add a failure the other does not fix.
      if (union.size <= a.fixes.length || union.size <= b.fixes.length) continue;
      pairs.push({ a, b, covered: union.size, cost: (a.candidate.cost ?? 0) + (b.candidate.cost ?? 0) });
    }
  }
  pairs.sort((x, y) => y.covered - x.covered || x.cost - y.cost);
  const out: Candidate[] = [];
  for (const { a, b } of pairs) {
    if (out.length >= max) break;
    const source = sources.get(a.candidate.file);
    const lang = languageOf(a.candidate.file);
    if (source === undefined || !lang) continue;
    const combined = await combineEdits(lang, source, a.candidate, b.candidate);
    if (combined) out.push(combined);
  }
  return out;
}

/** Test files of the workspace (the model must never edit them). */
function testFilesOf(state: DebugState): string[] {
  const ids = [...(state.baseline?.tests ?? []), ...state.failing];
  return [...new Set(ids.map((t) => t.file ?? t.id.split('::')[0]!.split(' > ')[0]!).filter((f) => isTestFile(f)))];
}

/**
 * Earlier attempts for the model's prompt: the failed ones, model candidates last (the prompt keeps
 * the last three), each with the test output it produced when there is one.
 */
export function previousAttempts(tried: readonly TriedCandidate[]): { edits: string; testOutput: string }[] {
  const failed = tried.filter((t) => t.verdict !== 'passed');
  const byModel = failed.filter((t) => t.operator === 'llm').slice(-3);
  const others = failed.filter((t) => t.operator !== 'llm').slice(-Math.max(0, 6 - byModel.length));
  return [...others, ...byModel].map((t) => ({
    edits: `${t.file}:${t.line} ${t.description}`,
    testOutput: `${t.verdict}: ${t.detail}${t.output ? `\n${t.output}` : ''}`,
  }));
}

async function modelRound(
  state: DebugState,
  llm: LlmClient,
  round: string,
  signal: AbortSignal | undefined,
  onReject?: (edit: Edit, reason: string) => void,
): Promise<Candidate[]> {
  const ws = state.workspace;
  if (!ws || llm.exhausted()) return [];
  const places = state.suspects.slice(0, 5);
  const windows = await codeWindows(ws.dir, places, state.suspectFunctions, MODEL_WINDOWS);
  if (windows.length === 0) return [];
  const samples = await repairWithModel(llm, {
    locations: places.map((p) => ({ file: p.file, line: p.line, reason: p.why })),
    windows,
    testOutput: state.baseline?.output ?? '',
    traces: state.trace ? [state.trace] : [],
    previousAttempts: previousAttempts(state.tried),
    samples: LLM_SAMPLES[round] ?? 1,
    testFiles: testFilesOf(state),
    tools: codeToolSet(ws.dir, state.coverage, TOOL_CALLS.repairer),
    ...(onReject ? { onReject } : {}),
    ...(signal ? { signal } : {}),
  });
  const sources: Record<string, string> = {};
  for (const file of new Set(samples.flatMap((s) => s.edits.map((e) => e.file)))) {
    try {
      sources[file] = await readFile(join(ws.dir, file), 'utf8');
    } catch {
      // the model named a file that does not exist: its edits will not apply
    }
  }
  const { candidates } = await samplesToCandidates(samples, sources);
  return candidates;
}

async function mutationRound(state: DebugState, round: 'mutation:top' | 'mutation:wide', facts: TraceFacts): Promise<Candidate[]> {
  const ws = state.workspace;
  if (!ws) return [];
  const byFile = linesForRound(round, state.ranked, state.suspectFunctions);
  const max = round === 'mutation:top' ? MAX_TOP : MAX_WIDE;
  const out: Candidate[] = [];
  for (const [file, lines] of byFile) {
    const lang = languageOf(file);
    if (!lang) continue;
    let source: string;
    try {
      source = await readFile(join(ws.dir, file), 'utf8');
    } catch {
      continue;
    }
    try {
      out.push(...(await generateCandidates({ file, lang, source, lines, maxCandidates: max, facts })));
    } catch {
      // A file the parser cannot handle: no mutations there.
    }
  }
  return orderCandidates(out, state.ranked).slice(0, max);
}

/** The model's extra round after the explainer sent the run back to the localizer (index.ts afterExplain). */
export const RECHECK_ROUND = 'llm:recheck';

/** The rounds of this pass: the normal ones, or only the model's re-check after the explainer's disagreement. */
export function roundsFor(state: Pick<DebugState, 'explainerRoundTrips'>): readonly string[] {
  return state.explainerRoundTrips > 0 ? [RECHECK_ROUND] : ROUNDS;
}

/**
 * True when a model round should run before the queued mutations are used up: there is a
 * usable model, the cheapest mutations (one batch) have been validated, and no model candidate is
 * still waiting. So with a model: a batch of top mutations, `llm:1`, then (when none of its
 * patches passed) `llm:2` with their test output fed back, then the rest of the mutations.
 */
export function modelRoundDue(
  state: Pick<DebugState, 'tried'>,
  queue: readonly Candidate[],
  round: string | undefined,
  modelReady: boolean,
  roundsSoFar: readonly string[],
): boolean {
  if (!round || !round.startsWith('llm') || !modelReady) return false;
  if (state.tried.length === 0 || queue.some((c) => c.operator === 'llm')) return false;
  // A follow-up model round cuts in only right after the previous one's patches failed (feedback);
  // after a round that gave nothing it waits for its place in the sequence.
  const modelBefore = roundsSoFar.some((r) => r.startsWith('llm'));
  return !modelBefore || state.tried[state.tried.length - 1]?.operator === 'llm';
}

/**
 * The next batch: the leading run of the queue with the same kind (model or mutation), at most
 * BATCH_SIZE — so a batch of model candidates is validated whole and voted on (validate.ts).
 */
export function nextBatch(queue: readonly Candidate[]): { batch: Candidate[]; rest: Candidate[] } {
  const llm = queue[0]?.operator === 'llm';
  let n = 0;
  while (n < queue.length && n < BATCH_SIZE && (queue[n]!.operator === 'llm') === llm) n++;
  return { batch: queue.slice(0, n), rest: queue.slice(n) };
}

export async function repair(state: DebugState, config: LangGraphRunnableConfig): Promise<DebugUpdate> {
  let queue = state.queue;
  const rounds = [...state.repairRounds];
  const plan = roundsFor(state);
  const seen = new Set(state.seen);
  const newKeys: string[] = [];
  let produced = state.produced;
  const llm = debugContext(config).llm;
  // While choosing among passing patches (validate.ts), no model round: the extra candidates are the queued mutations.
  const choosing = (state.passing ?? []).length > 0;
  const modelReady = () => !!llm && !llm.exhausted() && !choosing;
  const update: DebugUpdate = {};

  // The passing tests' values in the suspect functions, once, to compare with the failing test's.
  let passingTrace = state.passingTrace;
  if (!passingTrace && state.trace && state.trace.steps.length > 0 && state.workspace && remainingMs(state) > (state.input.maxSeconds * 1000) / 3) {
    progress(config, { stage: 'repair', message: 'tracing the passing tests through the suspect functions' });
    const signal = signalOf(config);
    passingTrace =
      (await tracePassingTests({
        dir: state.workspace.dir,
        language: state.language ?? state.workspace.language,
        testCommand: state.input.testCommand,
        runner: state.runner,
        tests: passingTestsToTrace(state.baseline?.tests ?? [], state.failing),
        functions: state.suspectFunctions,
        timeoutMs: analysisTimeoutMs(state),
        env: state.runEnv,
        ...(signal ? { signal } : {}),
      })) ?? { test: '', steps: [], truncated: false };
    update.passingTrace = passingTrace;
  }
  const facts = traceFacts(state.trace, passingTrace);
  const first = facts.differing[0];
  if (update.passingTrace && first) {
    progress(config, { stage: 'repair', message: `first value that differs from the passing tests: ${first.kind === 'relation' ? first.failing : `${first.name} = ${first.failing}`} at ${first.file}:${first.line}` });
  }

  // Two-edit candidates from candidates that each fixed some of the failing tests: first in line.
  const partialFixes = state.partialFixes ?? [];
  if (partialFixes.length >= 2) {
    const sources = new Map<string, string>();
    for (const f of new Set(partialFixes.map((p) => p.candidate.file))) {
      try {
        sources.set(f, await readFile(join(state.workspace!.dir, f), 'utf8'));
      } catch {
        // gone: no pairs for it
      }
    }
    const fresh: Candidate[] = [];
    for (const c of await pairsOfPartialFixes(partialFixes, sources)) {
      const key = candidateKey(c);
      if (seen.has(key)) continue;
      seen.add(key);
      newKeys.push(key);
      fresh.push(c);
    }
    if (fresh.length > 0) {
      produced += fresh.length;
      queue = [...fresh, ...queue];
      progress(config, { stage: 'repair', message: `${fresh.length} two-edit candidate${fresh.length === 1 ? '' : 's'} from the partial fixes` });
    }
  }

  // Refill from the next round until something new comes up or the rounds are used up. A model
  // round may also cut in ahead of queued mutations (modelRoundDue); its candidates go first.
  // A model round of this very call that gave nothing (answers dropped, edits that do not
  // apply) is a failure too: the next one, with more samples, follows at once.
  let modelGaveNothing = false;
  for (;;) {
    const round = plan.find((r) => !rounds.includes(r));
    if (!round) break;
    const followUp = modelGaveNothing && round.startsWith('llm') && modelReady();
    if (queue.length > 0 && !followUp && !modelRoundDue(state, queue, round, modelReady(), rounds)) break;
    rounds.push(round);
    let offered: Candidate[];
    if (round.startsWith('llm')) {
      if (!llm || !modelReady()) continue;
      progress(config, { stage: 'repair', message: `asking ${llm.model} for patches (${round})` });
      offered = await modelRound(state, llm, round, signalOf(config), (edit, reason) =>
        progress(config, { stage: 'repair', message: `model edit of ${edit.file} refused: ${reason}` }),
      );
    } else {
      progress(config, { stage: 'repair', message: `generating candidates (${round})` });
      offered = await mutationRound(state, round as 'mutation:top' | 'mutation:wide', facts);
    }
    const fresh: Candidate[] = [];
    for (const c of offered) {
      if (isTestFile(c.file)) continue;
      const key = candidateKey(c);
      if (seen.has(key)) continue;
      seen.add(key);
      newKeys.push(key);
      fresh.push(c);
    }
    produced += fresh.length;
    queue = round.startsWith('llm') ? [...fresh, ...queue] : [...queue, ...fresh];
    progress(config, { stage: 'repair', message: `${fresh.length} new candidate${fresh.length === 1 ? '' : 's'} from ${round}` });
    if (round.startsWith('llm') && fresh.length > 0) break;
    modelGaveNothing = round.startsWith('llm');
  }

  const { batch, rest } = nextBatch(queue);
  return {
    ...update,
    batch,
    queue: rest,
    repairRounds: rounds,
    // Nothing after this batch: no queued candidate and no round left.
    repairExhausted: rest.length === 0 && plan.every((r) => rounds.includes(r)),
    produced,
    seen: newKeys,
  };
}
