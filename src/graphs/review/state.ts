import { Annotation } from '@langchain/langgraph';
import type { ChangeSet } from '../../model/changeset.js';
import type { Config } from '../../config/schema.js';
import type { Finding, ReviewReport, Severity } from '../../model/finding.js';
import type { LlmClient } from '../../llm/types.js';
import type { ReportFormat } from '../../report/index.js';
import type { Pack } from '../../rules/types.js';

/** What the caller asked for: the inputs to parse and how to report. */
export interface ReviewRequest {
  /** Files (`.patch`, `.diff`, `.eml`, mbox), `-` for stdin. */
  inputs: string[];
  repo?: string;
  /** A git range such as `HEAD~3..` (needs a repository). */
  range?: string;
  /** Where `-` reads from (process.stdin for the CLI). */
  stdin?: NodeJS.ReadableStream;
  /** `--rules kernel,netdev`: force these packs. */
  packs?: Pack[];
  format: ReportFormat;
  failOn: Severity;
  version: string;
}

const concat = <T>(left: T[], right: T[] | T): T[] => left.concat(right);

/** The review graph's state. Findings and notes are appended by the fan-out nodes. */
export const ReviewState = Annotation.Root({
  request: Annotation<ReviewRequest>,
  config: Annotation<Config>,
  /** The language model; null means offline and the LLM reviewer is skipped. */
  llm: Annotation<LlmClient | null>({ reducer: (_left, right) => right, default: () => null }),
  changeset: Annotation<ChangeSet | null>({ reducer: (_left, right) => right, default: () => null }),
  findings: Annotation<Finding[], Finding[] | Finding>({ reducer: concat, default: () => [] }),
  notes: Annotation<string[], string[] | string>({ reducer: concat, default: () => [] }),
  /** Findings after dedupe (deterministic over LLM) and sorting. */
  merged: Annotation<Finding[]>({ reducer: (_left, right) => right, default: () => [] }),
  reviewReport: Annotation<ReviewReport | null>({ reducer: (_left, right) => right, default: () => null }),
  output: Annotation<string>({ reducer: (_left, right) => right, default: () => '' }),
});
export type ReviewStateType = typeof ReviewState.State;
export type ReviewStateUpdate = typeof ReviewState.Update;

/** The input of the one series-rules task (a Send payload is the node's whole input). */
export const SeriesRulesInput = Annotation.Root({
  changeset: Annotation<ChangeSet>,
  config: Annotation<Config>,
  packs: Annotation<Pack[] | undefined>,
});
export type SeriesRulesTask = typeof SeriesRulesInput.State;

/** The input of one per-patch rules task: the series task's, plus which patch. */
export const PatchRulesInput = Annotation.Root({
  ...SeriesRulesInput.spec,
  patchIndex: Annotation<number>,
});
export type PatchRulesTask = typeof PatchRulesInput.State;
