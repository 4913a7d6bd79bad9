import { END, START, Send, StateGraph } from '@langchain/langgraph';
import { fixSuggestionsNode } from './nodes/fix-suggestions.js';
import { llmReviewNode } from './nodes/llm-review.js';
import { mergeNode } from './nodes/merge.js';
import { reportNode } from './nodes/report.js';
import { patchRulesNode, seriesRulesNode } from './nodes/rules.js';
import { routeAfterRules, rulesTasks } from './routes.js';
import { PatchRulesInput, ReviewState, SeriesRulesInput, type ReviewStateType } from './state.js';

/**
 * The review graph, run once per unit of review (a series, or one change set handed in whole):
 *
 *   START ─┬─ Send × patches ─► patchRules ─┐
 *          └─ Send × 1 ───────► seriesRules ─┴─► (llm ? llmReview :) ─► merge ─► fixSuggestions ─► report
 *
 * Reading and parsing the input is the runner's (run.ts): it streams units into this graph.
 */

/** Fan out: one Send per rules task (routes.ts decides which). */
export function routeToRules(state: ReviewStateType): Send[] {
  return rulesTasks(state).map((task) => new Send(task.node, task.input));
}

export { routeAfterRules };

export function buildReviewGraph() {
  return new StateGraph(ReviewState)
    .addNode('patchRules', patchRulesNode, { input: PatchRulesInput })
    .addNode('seriesRules', seriesRulesNode, { input: SeriesRulesInput })
    .addNode('llmReview', llmReviewNode)
    .addNode('merge', mergeNode)
    .addNode('fixSuggestions', fixSuggestionsNode)
    .addNode('report', reportNode)
    .addConditionalEdges(START, routeToRules, ['patchRules', 'seriesRules'])
    .addConditionalEdges('patchRules', routeAfterRules, ['llmReview', 'merge'])
    .addConditionalEdges('seriesRules', routeAfterRules, ['llmReview', 'merge'])
    .addEdge('llmReview', 'merge')
    .addEdge('merge', 'fixSuggestions')
    .addEdge('fixSuggestions', 'report')
    .addEdge('report', END)
    .compile();
}
