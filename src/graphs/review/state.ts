import { Annotation } from '@langchain/langgraph';
import type { ChangeSet } from '../../model/changeset.js';
import type { Config } from '../../config/schema.js';
import type { Finding, ReviewReport } from '../../model/finding.js';
import type { LlmClient } from '../../llm/types.js';
import type { Pack } from '../../rules/types.js';
import { appendTo, replaceWith } from './reducers.js';
import type { UnitRef } from './unit-ref.js';

/** What the caller asked for, the same for every unit of one run. */
export interface ReviewRequest {
  /** The names of the inputs (files, `-`, a range), for the report. */
  inputs: string[];
  /** The repository, for Fixes: tags rewritten from git. */
  repo?: string;
  /** `--rules kernel,netdev`: force these packs. */
  packs?: Pack[];
  version: string;
}

/**
 * The review graph's state: ONE unit of review (a series, or whatever the caller handed in as one
 * change set), never a whole mailbox. LangGraph walks the state and every Send payload at each
 * step; a 400-message mbox carried whole cost 3.7 GB and minutes. Findings and notes are appended
 * by the fan-out nodes.
 */
export const ReviewState = Annotation.Root({
  request: Annotation<ReviewRequest>,
  config: Annotation<Config>,
  /** The language model; null means offline and the LLM reviewer is skipped. */
  llm: Annotation<LlmClient | null>({ reducer: replaceWith, default: () => null }),
  changeset: Annotation<ChangeSet | null>({ reducer: replaceWith, default: () => null }),
  findings: Annotation<Finding[], Finding[] | Finding>({ reducer: appendTo, default: () => [] }),
  notes: Annotation<string[], string[] | string>({ reducer: appendTo, default: () => [] }),
  /** Findings after dedupe (deterministic over LLM) and sorting. */
  merged: Annotation<Finding[]>({ reducer: replaceWith, default: () => [] }),
  /** The unit's validated report (patch indices are the unit's own). */
  reviewReport: Annotation<ReviewReport | null>({ reducer: replaceWith, default: () => null }),
});
export type ReviewStateType = typeof ReviewState.State;
export type ReviewStateUpdate = typeof ReviewState.Update;

/** The input of the one series-rules task (a Send payload is the node's whole input). */
export const SeriesRulesInput = Annotation.Root({
  unit: Annotation<UnitRef>,
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
