/**
 * The debug graph — wiring only:
 *
 *   START → prepare ─┬─(nothing fails)──────────────────────────────┐
 *                    └→ localize → repair ⇄ validate → explain → report → END
 *                          ↑                                  │
 *                          └──── explainer disputes, once ────┘
 *
 * repair → validate while there is a batch; validate → repair while no candidate has passed,
 * candidates are left and the budget lasts; explain → localize once when the explainer's model
 * blames a line the patch does not touch (afterExplain). The nodes live in ./nodes (prepare, validate, report)
 * and agents/<name>/index.ts (localize, repair, explain); each does one step and returns an
 * update of DebugState. Run-time context (the model or null, onWorkspace) rides in
 * `configurable.rubberduck`; progress goes out on the `custom` stream.
 */
import { END, START, StateGraph } from '@langchain/langgraph';
import { explain } from '../../../agents/explainer/index.js';
import { localize } from '../../../agents/localizer/index.js';
import { repair } from '../../../agents/repairer/index.js';
import { prepare } from './nodes/prepare.js';
import { report } from './nodes/report.js';
import { validate } from './nodes/validate.js';
import { DebugStateAnnotation, remainingMs, type DebugState } from './state.js';

/** Less than this left of the budget is no time to start another candidate. */
export const MIN_TRY_MS = 1000;

export function afterPrepare(state: Pick<DebugState, 'outcome'>): 'localize' | 'report' {
  return state.outcome ? 'report' : 'localize';
}

export function afterLocalize(state: Pick<DebugState, 'outcome'>): 'repair' | 'explain' {
  return state.outcome === 'error' ? 'explain' : 'repair';
}

export function afterRepair(
  state: Pick<DebugState, 'batch' | 'input' | 'startedAt'> & Partial<Pick<DebugState, 'passing' | 'best'>>,
  now: number = Date.now(),
): 'validate' | 'explain' {
  if (state.batch.length > 0 && remainingMs(state, now) >= MIN_TRY_MS) return 'validate';
  // Passing patches wait for the choice: validate makes it (with an empty batch, at once).
  return (state.passing?.length ?? 0) > 0 && !state.best ? 'validate' : 'explain';
}

export function afterValidate(
  state: Pick<DebugState, 'best' | 'outcome' | 'repairExhausted' | 'input' | 'startedAt'> & Partial<Pick<DebugState, 'passing'>>,
  now: number = Date.now(),
): 'repair' | 'explain' {
  if (state.best || state.outcome === 'error') return 'explain';
  // Passing patches wait for the choice: a few more candidates first (validate chooses at the end).
  if ((state.passing?.length ?? 0) > 0) return 'repair';
  if (state.repairExhausted) return 'explain';
  return remainingMs(state, now) >= MIN_TRY_MS ? 'repair' : 'explain';
}

/** How many times the explainer may send the run back to the localizer. */
export const MAX_EXPLAINER_ROUND_TRIPS = 1;

/**
 * explain → localize when the explainer's model blamed a line the validated patch does not touch
 * (`disputed`), once (MAX_EXPLAINER_ROUND_TRIPS) and with time left for a model round; else → report.
 */
export function afterExplain(
  state: Pick<DebugState, 'disputed' | 'explainerRoundTrips' | 'outcome' | 'input' | 'startedAt'>,
  now: number = Date.now(),
): 'localize' | 'report' {
  if (!state.disputed || state.outcome) return 'report';
  if (state.explainerRoundTrips >= MAX_EXPLAINER_ROUND_TRIPS) return 'report';
  return remainingMs(state, now) >= MIN_TRY_MS ? 'localize' : 'report';
}

export function buildDebugGraph() {
  return new StateGraph(DebugStateAnnotation)
    .addNode('prepare', prepare)
    .addNode('localize', localize)
    .addNode('repair', repair)
    .addNode('validate', validate)
    .addNode('explain', explain)
    .addNode('report', report)
    .addEdge(START, 'prepare')
    .addConditionalEdges('prepare', (s) => afterPrepare(s), ['localize', 'report'])
    .addConditionalEdges('localize', (s) => afterLocalize(s), ['repair', 'explain'])
    .addConditionalEdges('repair', (s) => afterRepair(s), ['validate', 'explain'])
    .addConditionalEdges('validate', (s) => afterValidate(s), ['repair', 'explain'])
    .addConditionalEdges('explain', (s) => afterExplain(s), ['localize', 'report'])
    .addEdge('report', END)
    .compile();
}

/** Each repair ⇄ validate cycle is two steps; leave room for a few hundred candidates. */
export const RECURSION_LIMIT = 1000;
