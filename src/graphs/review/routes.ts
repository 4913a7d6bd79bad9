import type { ChangeSet } from '../../model/changeset.js';
import type { PatchRulesTask, ReviewStateType, SeriesRulesTask } from './state.js';
import { UnitRef } from './unit-ref.js';

/**
 * The review graph's routing decisions as plain functions. index.ts turns them into LangGraph
 * edges and Sends; the offline sequential run (sequential.ts) follows the same decisions without
 * loading LangGraph.
 */

export type RulesTask = { node: 'patchRules'; input: PatchRulesTask } | { node: 'seriesRules'; input: SeriesRulesTask };

/** Fan out: one rules task per patch of the unit, plus the one series-rules task. */
export function rulesTasks(state: ReviewStateType): RulesTask[] {
  const changeset = state.changeset ?? { inputs: state.request.inputs, patches: [], series: [] };
  const base: SeriesRulesTask = { unit: new UnitRef(changeset), config: state.config, packs: state.request.packs };
  return [
    ...changeset.patches.map((_patch, patchIndex): RulesTask => ({ node: 'patchRules', input: { ...base, patchIndex } })),
    { node: 'seriesRules', input: base },
  ];
}

/** Skip the LLM reviewer when no model is configured. */
export function routeAfterRules(state: ReviewStateType): 'llmReview' | 'merge' {
  return state.llm ? 'llmReview' : 'merge';
}
