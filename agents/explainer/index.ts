/**
 * The explainer agent's node: the five-point Markdown explanation of the run (what fails, where,
 * why, what changed, why that fixes it — or what was tried). Offline it is built from the
 * measurements alone (./offline.ts).
 *
 * With a model (`debugContext(config).llm` non-null) and a validated patch, `explainWithModel`
 * (./llm.ts) gets the evidence and the offline text as a draft; its five fields replace the draft,
 * and the measured facts (suspects, traced values, test counts) stay below them. No answer (or
 * no model, or no fix) keeps the offline explanation. When the model blames a line the patch
 * does not touch (contradictsPatch), the disagreement is noted in the explanation and, the first
 * time, put in `disputed`: the graph (index.ts afterExplain) then sends the run back to the
 * localizer once. Coming back without a new passing patch, the one put aside (`fallbackBest`)
 * is restored.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { debugContext, isTestFile, progress, remainingMs, signalOf, type DebugState, type DebugUpdate } from '../../src/graphs/debug/state.js';
import { countsOf } from '../../src/debug/results/verdict.js';
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
  if (state.best && state.alternatives.length > 0) input.alternatives = state.alternatives;
  return input;
}

export async function explain(state: DebugState, config: LangGraphRunnableConfig): Promise<DebugUpdate> {
  // After a round trip to the localizer that found no other passing patch, the first one stands.
  const restored = !state.best && state.fallbackBest ? state.fallbackBest : null;
  if (restored) state = { ...state, best: restored };
  const keep: DebugUpdate = restored ? { best: restored } : {};
  progress(config, { stage: 'explain', message: state.best ? 'explaining the fix' : 'explaining what was found' });
  const offline = explainOffline(explainInput(state));
  const llm = debugContext(config).llm;
  if (!llm || llm.exhausted() || !state.best) return { ...keep, explanation: offline };

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
  if (!answer) return { ...keep, explanation: offline };
  const parts = [answer.markdown.trim()];
  const update: DebugUpdate = { ...keep };
  if (answer.blamed && contradictsPatch(answer.blamed, state.best.patch)) {
    const { file, line } = answer.blamed;
    const again = state.explainerRoundTrips > 0;
    parts.push(
      again
        ? `_Note: the model still blames ${file}:${line}, a line the validated patch does not touch; the model's re-check from there found ${restored ? 'no other passing patch, so the validated one stands' : 'the patch above'}._`
        : `_Note: the model blames ${file}:${line}, a line the validated patch does not touch._`,
    );
    // Worth a round trip only for a real source line and a model with budget left (afterExplain decides).
    if (!again && !isTestFile(file) && !llm.exhausted() && state.workspace && existsSync(join(state.workspace.dir, file))) {
      update.disputed = { file, line, reason: answer.why.trim().split('\n')[0]!.slice(0, 300) };
      progress(config, { stage: 'explain', message: `the model blames ${file}:${line}, which the patch does not touch` });
    }
  }
  parts.push('## Measurements', offline.trim());
  return { ...update, explanation: `${parts.join('\n\n')}\n` };
}
