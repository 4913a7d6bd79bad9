import { fixSuggestionsNode } from './nodes/fix-suggestions.js';
import { llmReviewNode } from './nodes/llm-review.js';
import { mergeNode } from './nodes/merge.js';
import { reportNode } from './nodes/report.js';
import { patchRulesNode, seriesRulesNode } from './nodes/rules.js';
import { APPENDED_CHANNELS, appendTo } from './reducers.js';
import { routeAfterRules, rulesTasks } from './routes.js';
import type { ReviewStateType, ReviewStateUpdate } from './state.js';

/** The review graph's nodes, by name. */
export type ReviewStep = 'patchRules' | 'seriesRules' | 'llmReview' | 'merge' | 'fixSuggestions' | 'report';

export interface UnitRunOptions {
  signal?: AbortSignal;
  onStep?: (step: ReviewStep) => void;
}

function apply(state: ReviewStateType, update: ReviewStateUpdate): ReviewStateType {
  const next: Record<string, unknown> = { ...state };
  for (const [channel, value] of Object.entries(update)) {
    if (value === undefined) continue;
    next[channel] = APPENDED_CHANNELS.has(channel) ? appendTo(next[channel] as unknown[], value as unknown[]) : value;
  }
  return next as ReviewStateType;
}

/**
 * The review graph (index.ts) for one unit, its nodes called in the graph's order without
 * LangGraph. Offline, that is the whole review: a deterministic pipeline of pure node
 * functions, where LangGraph adds nothing but cost — importing it takes ~0.7 s of a CLI whose
 * budget on a 400-message mbox is ~0.9 s (20× faster than checkpatch.pl), and its per-step
 * bookkeeping dominates small units. The graph runs whenever a model is configured (run.ts).
 * Both follow the same routing functions (routes.ts), call the same node functions and combine
 * their updates with the same reducers (reducers.ts); a test checks that they agree.
 */
export async function reviewUnitSequentially(initial: ReviewStateType, options: UnitRunOptions = {}): Promise<ReviewStateType> {
  const { signal, onStep } = options;
  let state = initial;
  // One superstep: every rules task sees the same state; their updates apply after all ran.
  const updates: ReviewStateUpdate[] = [];
  for (const task of rulesTasks(state)) {
    signal?.throwIfAborted();
    updates.push(task.node === 'patchRules' ? patchRulesNode(task.input) : seriesRulesNode(task.input));
    onStep?.(task.node);
  }
  for (const update of updates) state = apply(state, update);
  const step = async (name: ReviewStep, node: (s: ReviewStateType) => ReviewStateUpdate | Promise<ReviewStateUpdate>) => {
    signal?.throwIfAborted();
    state = apply(state, await node(state));
    onStep?.(name);
  };
  if (routeAfterRules(state) === 'llmReview') await step('llmReview', (s) => llmReviewNode(s, signal ? { signal } : {}));
  await step('merge', mergeNode);
  await step('fixSuggestions', fixSuggestionsNode);
  await step('report', reportNode);
  return state;
}
