import { Readable } from 'node:stream';
import { defaultConfig, type Config } from '../../config/schema.js';
import type { ChangeSet } from '../../model/changeset.js';
import { ReviewReportSchema, type Finding, type ReviewReport } from '../../model/finding.js';
import { version as packageVersion } from '../../model/version.js';
import type { LlmClient } from '../../llm/types.js';
import { streamChangeSets } from '../../parse/load.js';
import type { Pack } from '../../rules/types.js';
import { reviewUnitSequentially, type ReviewStep } from './sequential.js';
import type { ReviewRequest, ReviewStateType } from './state.js';

export type { ReviewStep } from './sequential.js';

/**
 * What to review. Every kind is reviewed unit by unit: the graph's state holds one unit at a
 * time, never a whole mailbox.
 * - `sources`: files (.patch/.diff/.eml/mbox), `-` for stdin, a git range. Mailboxes are streamed
 *   and cut into series as they complete (src/parse/load.ts streamChangeSets).
 * - `changeset`: one change set already in memory (a pull request's files, a series the caller
 *   grouped), reviewed as one unit; patch indices in the report are its own.
 * - `changesets`: a stream of change sets (a triage's series), each reviewed as one unit; patch
 *   indices in the report run on from one unit to the next.
 */
export type ReviewInput =
  | { kind: 'sources'; inputs: string[]; range?: string; stdin?: NodeJS.ReadableStream | string }
  | { kind: 'changeset'; changeset: ChangeSet }
  | { kind: 'changesets'; changesets: Iterable<ChangeSet> | AsyncIterable<ChangeSet>; inputs?: string[] };

export interface ReviewOptions {
  config?: Config;
  /** Force these packs (`--rules`), instead of choosing them per patch. */
  packs?: Pack[];
  /** The repository: git ranges resolve there, and Fixes: tags are completed from it. */
  repo?: string;
  /** The language model; null or absent for offline. */
  llm?: LlmClient | null;
  signal?: AbortSignal;
  /**
   * `graph` runs every unit through LangGraph; `sequential` calls the same nodes in the same
   * order without it (sequential.ts says why); `auto` (default) runs the graph when a model is
   * configured and sequentially offline.
   */
  engine?: 'auto' | 'graph' | 'sequential';
  /** Incomplete series wait this many messages for their missing members (sources only). */
  window?: number;
}

/** Progress and results as they happen. Patch indices in `unit` events are the unit's own. */
export type ReviewEvent =
  | { type: 'start'; engine: 'graph' | 'sequential' }
  | { type: 'step'; unit: number; step: ReviewStep }
  | {
      type: 'unit';
      /** 0-based number of the unit. */
      unit: number;
      /** Index, in the final report, of the unit's first patch. */
      firstPatch: number;
      /** The unit's change set (its patches, series and replies). Do not keep it: memory stays bounded only if nobody does. */
      changeset: ChangeSet;
      /** The unit's own validated report. */
      report: ReviewReport;
    }
  | { type: 'done'; report: ReviewReport; units: number; seconds: number };

export type ReviewEvents = (event: ReviewEvent) => void;

type CompiledGraph = ReturnType<typeof import('./index.js').buildReviewGraph>;
let compiled: CompiledGraph | undefined;

async function graph(): Promise<CompiledGraph> {
  if (!compiled) {
    // LangGraph loads only when the graph runs (a model is configured, or it was asked for).
    const { buildReviewGraph } = await import('./index.js');
    compiled = buildReviewGraph();
  }
  return compiled;
}

async function* unitsOf(input: ReviewInput, config: Config, repo: string | undefined, window: number | undefined): AsyncGenerator<ChangeSet> {
  switch (input.kind) {
    case 'changeset':
      yield input.changeset;
      return;
    case 'changesets':
      yield* input.changesets;
      return;
    case 'sources': {
      const stdin = typeof input.stdin === 'string' ? Readable.from([Buffer.from(input.stdin)]) : input.stdin;
      yield* streamChangeSets(input.inputs, {
        config,
        // The review reads patches only; replies answer them (triage keeps them).
        skipReplies: true,
        ...(repo !== undefined ? { repo } : {}),
        ...(input.range !== undefined ? { range: input.range } : {}),
        ...(stdin !== undefined ? { stdin } : {}),
        ...(window !== undefined ? { window } : {}),
      });
    }
  }
}

function inputNames(input: ReviewInput): string[] {
  switch (input.kind) {
    case 'changeset':
      return input.changeset.inputs;
    case 'changesets':
      return input.inputs ?? [];
    case 'sources':
      return input.range !== undefined ? [...input.inputs, input.range] : input.inputs;
  }
}

/** The report of the whole run, grown one unit at a time (findings and patches renumbered). */
class ReportAccumulator {
  private patches: ReviewReport['patches'] = [];
  private findings: Finding[] = [];
  private notes = new Set<string>();
  private lines = 0;
  private inputs = new Set<string>();

  constructor(names: string[]) {
    for (const name of names) this.inputs.add(name);
  }

  get patchCount(): number {
    return this.patches.length;
  }

  add(unit: ReviewReport, changeset: ChangeSet): void {
    const offset = this.patches.length;
    for (const name of changeset.inputs) this.inputs.add(name);
    for (const patch of unit.patches) this.patches.push({ ...patch, index: patch.index + offset });
    for (const finding of unit.findings) this.findings.push(finding.patch === undefined ? finding : { ...finding, patch: finding.patch + offset });
    for (const note of unit.notes) this.notes.add(note);
    this.lines += unit.totals.lines;
  }

  /**
   * The run's report. Its parts come from the units' reports, each validated by ReviewReportSchema
   * in the report node; only the envelope is new, and it is validated here without walking every
   * finding a second time (a thousand findings cost ~50 ms of a ~1 s review).
   */
  report(): ReviewReport {
    let errors = 0;
    let warnings = 0;
    let infos = 0;
    for (const f of this.findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else infos++;
    }
    const envelope = ReviewReportSchema.omit({ findings: true }).parse({
      tool: 'rubberduck',
      version: packageVersion,
      inputs: [...this.inputs],
      patches: this.patches,
      totals: { errors, warnings, infos, lines: this.lines },
      notes: [...this.notes],
    });
    return { ...envelope, findings: this.findings };
  }
}

/**
 * Runs the review graph over the input, unit by unit, and returns the validated report of the
 * whole run. Each unit's findings come out through `onEvent` as soon as it is reviewed; the
 * caller picks a reporter. Unusable input is a UsageError naming it (units before it were
 * already reported through events); an aborted signal stops between units and steps with the
 * signal's reason, after closing the input.
 */
export async function runReview(input: ReviewInput, options: ReviewOptions = {}, onEvent: ReviewEvents = () => {}): Promise<ReviewReport> {
  const started = performance.now();
  const config = options.config ?? defaultConfig();
  const llm = options.llm ?? null;
  const signal = options.signal;
  const engine = options.engine === 'graph' || options.engine === 'sequential' ? options.engine : llm ? 'graph' : 'sequential';
  const names = inputNames(input);
  const request: ReviewRequest = {
    inputs: names,
    ...(options.repo !== undefined ? { repo: options.repo } : {}),
    ...(options.packs && options.packs.length > 0 ? { packs: options.packs } : {}),
    version: packageVersion,
  };
  const accumulator = new ReportAccumulator(names);
  signal?.throwIfAborted();
  onEvent({ type: 'start', engine });
  let unit = 0;
  for await (const changeset of unitsOf(input, config, options.repo, options.window)) {
    signal?.throwIfAborted();
    // A unit of replies alone answers patches reviewed earlier: nothing to check.
    if (changeset.patches.length === 0) continue;
    const initial: ReviewStateType = { request, config, llm, changeset, findings: [], notes: [], merged: [], reviewReport: null };
    const number = unit++;
    const onStep = (step: ReviewStep) => onEvent({ type: 'step', unit: number, step });
    const state = engine === 'graph' ? await runGraph(initial, signal, onStep) : await reviewUnitSequentially(initial, { ...(signal ? { signal } : {}), onStep });
    const report = state.reviewReport;
    if (!report) throw new Error('the review graph ended without a report');
    const firstPatch = accumulator.patchCount;
    accumulator.add(report, changeset);
    onEvent({ type: 'unit', unit: number, firstPatch, changeset, report });
  }
  const report = accumulator.report();
  onEvent({ type: 'done', report, units: unit, seconds: (performance.now() - started) / 1000 });
  return report;
}

async function runGraph(initial: ReviewStateType, signal: AbortSignal | undefined, onStep: (step: ReviewStep) => void): Promise<ReviewStateType> {
  const compiledGraph = await graph();
  let state: ReviewStateType | undefined;
  const stream = await compiledGraph.stream(initial, { streamMode: ['updates', 'values'], recursionLimit: 50, ...(signal ? { signal } : {}) });
  for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
    if (mode === 'values') state = chunk as ReviewStateType;
    else for (const node of Object.keys(chunk as object)) onStep(node as ReviewStep);
  }
  if (!state) throw new Error('the review graph ended without a state');
  return state;
}
