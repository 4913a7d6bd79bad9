/**
 * The explainer agent's node: the five-point Markdown explanation of the run (what fails, where,
 * why, what changed, why that fixes it — or what was tried). Offline it is built from the
 * measurements alone (./offline.ts).
 *
 * With a model (`debugContext(config).llm` non-null) and a validated patch, `explainWithModel`
 * (./llm.ts) gets the evidence and the offline text as a draft; its five fields replace the draft,
 * and the measured facts (suspects, traced values, test counts) stay below them. No answer (or
 * no model, or no fix) keeps the offline explanation. When the model blames a line the patch
 * does not touch (contradictsPatch), the disagreement is noted in the explanation.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { debugContext, progress, remainingMs, signalOf, type DebugState, type DebugUpdate } from '../../src/graphs/debug/state.js';
import { countsOf } from '../../src/graphs/debug/nodes/validate.js';
import { contradictsPatch, explainWithModel } from './llm.js';
import { explainOffline, type ExplainInput } from './offline.js';

/** Why the search ended without a fix, for the "what was tried" point. */
export function stopReason(state: DebugState, now = Date.now()): string | undefined {
  if (state.best) return undefined;
  if (state.outcome === 'error') return state.error ?? 'an error stopped the run';
  if (remainingMs(state, now) < 1000) return `the budget of ${state.input.maxSeconds} s ran out`;
  if (state.repairExhausted || state.batch.length === 0) return 'no candidate patch left to try';
  return undefined;
}

export function explainInput(state: DebugState): ExplainInput {
  const input: ExplainInput = {
    testCommand: state.input.testCommand,
    baseline: state.baseline,
    failing: state.failing,
    suspects: state.suspects,
    trace: state.trace,
    best: state.best,
    tried: state.tried,
  };
  const reason = stopReason(state);
  if (reason) input.stopReason = reason;
  return input;
}

export async function explain(state: DebugState, config: LangGraphRunnableConfig): Promise<DebugUpdate> {
  progress(config, { stage: 'explain', message: state.best ? 'explaining the fix' : 'explaining what was found' });
  const offline = explainOffline(explainInput(state));
  const llm = debugContext(config).llm;
  if (!llm || llm.exhausted() || !state.best) return { explanation: offline };

  progress(config, { stage: 'explain', message: `asking ${llm.model} to explain the fix` });
  const signal = signalOf(config);
  const before = state.baseline ? countsOf(state.baseline) : { passed: 0, failed: 0 };
  const answer = await explainWithModel(llm, {
    failingTests: state.failing,
    testOutput: state.baseline?.output ?? '',
    suspects: state.suspects,
    traces: state.trace ? [state.trace] : [],
    patch: state.best.patch,
    testsBefore: before,
    testsAfter: state.best.after,
    offlineExplanation: offline,
    ...(signal ? { signal } : {}),
  });
  if (!answer) return { explanation: offline };
  const parts = [answer.markdown.trim()];
  if (contradictsPatch(answer.blamed, state.best.patch)) {
    parts.push(`_Note: the model blames ${answer.blamed!.file}:${answer.blamed!.line}, a line the validated patch does not touch._`);
  }
  parts.push('## Measurements', offline.trim());
  return { explanation: `${parts.join('\n\n')}\n` };
}
