import { Readable } from 'node:stream';
import { END, START, Send, StateGraph } from '@langchain/langgraph';
import { version as packageVersion } from '../../model/version.js';
import type { ChangeSet } from '../../model/changeset.js';
import { defaultConfig, type Config } from '../../config/schema.js';
import type { ReviewReport, Severity } from '../../model/finding.js';
import type { LlmClient } from '../../llm/types.js';
import { failsAt, type ReportFormat } from '../../report/index.js';
import type { Pack } from '../../rules/types.js';
import { silentProgress, type Progress } from '../../util/progress.js';
import { fixSuggestionsNode } from './nodes/fix-suggestions.js';
import { llmReviewNode } from './nodes/llm-review.js';
import { mergeNode } from './nodes/merge.js';
import { parseNode } from './nodes/parse.js';
import { reportNode } from './nodes/report.js';
import { patchRulesNode, seriesRulesNode } from './nodes/rules.js';
import { PatchRulesInput, ReviewState, SeriesRulesInput, type PatchRulesTask, type ReviewStateType, type SeriesRulesTask } from './state.js';

/**
 * The review graph:
 *
 *   parse ─┬─ Send × patches ─► patchRules ─┐
 *          └─ Send × 1 ───────► seriesRules ─┴─► (llm ? llmReview :) ─► merge ─► fixSuggestions ─► report
 */

/** Fan out: one rules task per patch, plus the one series-rules task. */
export function routeToRules(state: ReviewStateType): Send[] {
  const changeset = state.changeset ?? { inputs: state.request.inputs, patches: [], series: [] };
  const base: SeriesRulesTask = { changeset, config: state.config, packs: state.request.packs };
  return [
    ...changeset.patches.map((_patch, patchIndex) => new Send('patchRules', { ...base, patchIndex } satisfies PatchRulesTask)),
    new Send('seriesRules', base),
  ];
}

/** Skip the LLM reviewer when no model is configured. */
export function routeAfterRules(state: ReviewStateType): 'llmReview' | 'merge' {
  return state.llm ? 'llmReview' : 'merge';
}

export function buildReviewGraph() {
  return new StateGraph(ReviewState)
    .addNode('parse', parseNode)
    .addNode('patchRules', patchRulesNode, { input: PatchRulesInput })
    .addNode('seriesRules', seriesRulesNode, { input: SeriesRulesInput })
    .addNode('llmReview', llmReviewNode)
    .addNode('merge', mergeNode)
    .addNode('fixSuggestions', fixSuggestionsNode)
    .addNode('report', reportNode)
    .addEdge(START, 'parse')
    .addConditionalEdges('parse', routeToRules, ['patchRules', 'seriesRules'])
    .addConditionalEdges('patchRules', routeAfterRules, ['llmReview', 'merge'])
    .addConditionalEdges('seriesRules', routeAfterRules, ['llmReview', 'merge'])
    .addEdge('llmReview', 'merge')
    .addEdge('merge', 'fixSuggestions')
    .addEdge('fixSuggestions', 'report')
    .addEdge('report', END)
    .compile();
}

export interface RunReviewOptions {
  /** Files, `-` for stdin; may be empty with `range`. */
  inputs?: string[];
  repo?: string;
  range?: string;
  /** Where `-` reads from: a stream, or the text itself. */
  stdin?: NodeJS.ReadableStream | string;
  /** An already parsed change set (the parse step is then skipped). */
  changeset?: ChangeSet;
  config?: Config;
  packs?: Pack[];
  format?: ReportFormat;
  failOn?: Severity;
  /** The language model, null or absent for offline. */
  llm?: LlmClient | null;
  progress?: Progress;
}

export interface RunReviewResult {
  report: ReviewReport;
  /** The parsed input, for callers that write corrected patches (`--fix`). */
  changeset: ChangeSet;
  output: string;
  exitCode: number;
}

let compiled: ReturnType<typeof buildReviewGraph> | undefined;

/** Run the review graph end to end; exit code 1 when a finding is at or above failOn. */
export async function runReview(options: RunReviewOptions): Promise<RunReviewResult> {
  compiled ??= buildReviewGraph();
  const failOn = options.failOn ?? 'error';
  const progress = options.progress ?? silentProgress;
  const input = {
    request: {
      inputs: options.inputs ?? options.changeset?.inputs ?? [],
      ...(options.repo !== undefined ? { repo: options.repo } : {}),
      ...(options.range !== undefined ? { range: options.range } : {}),
      ...(options.stdin !== undefined ? { stdin: typeof options.stdin === 'string' ? Readable.from([options.stdin]) : options.stdin } : {}),
      ...(options.packs && options.packs.length > 0 ? { packs: options.packs } : {}),
      format: options.format ?? 'text',
      failOn,
      version: packageVersion,
    },
    config: options.config ?? defaultConfig(),
    llm: options.llm ?? null,
    changeset: options.changeset ?? null,
  };
  let state: ReviewStateType | undefined;
  progress.step('parsing');
  const stream = await compiled.stream(input, { streamMode: ['updates', 'values'], recursionLimit: 50 });
  for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
    if (mode === 'values') state = chunk as ReviewStateType;
    else if (progress.enabled) {
      const update = chunk as Record<string, { changeset?: ChangeSet | null } | undefined>;
      if ('parse' in update) {
        const count = update.parse?.changeset?.patches.length ?? input.changeset?.patches.length ?? 0;
        progress.step(`checking ${count} patch${count === 1 ? '' : 'es'}`);
      } else if ('merge' in update) progress.step('reporting');
    }
  }
  progress.done();
  const report = state?.reviewReport;
  if (!state || !report) throw new Error('the review graph ended without a report');
  const changeset = state.changeset ?? { inputs: input.request.inputs, patches: [], series: [] };
  return { report, changeset, output: state.output, exitCode: failsAt(report.findings, failOn) ? 1 : 0 };
}
