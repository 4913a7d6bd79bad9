import { reviewWithModel } from '../../../../agents/reviewer/llm.js';
import type { Finding } from '../../../model/finding.js';
import type { ReviewStateType, ReviewStateUpdate } from '../state.js';

/** Patches reviewed at once: local model servers usually serve one or two requests in parallel. */
const CONCURRENCY = 2;

/**
 * The LLM reviewer over every patch that carries a diff (cover letters and replies have nothing
 * to judge in code, and their prose is the series rules' business). Routing only reaches this
 * node when a model is configured; a dead endpoint or bad answers leave notes, never a failure.
 * An aborted run (config.signal, LangGraph's or the sequential run's) sends no further request.
 */
export async function llmReviewNode(state: ReviewStateType, config: { signal?: AbortSignal } = {}): Promise<ReviewStateUpdate> {
  const llm = state.llm;
  const patches = state.changeset?.patches ?? [];
  if (!llm) return {};
  const queue = patches.map((patch, index) => ({ patch, index })).filter(({ patch }) => !patch.isCover && patch.files.length > 0);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (config.signal?.aborted) return;
      if (llm.exhausted()) {
        notes.push(`LLM budget used up; "${next.patch.subject.raw}" has deterministic findings only`);
        continue;
      }
      const own = state.findings.filter((f) => f.patch === next.index && f.source !== 'llm');
      const result = await reviewWithModel(llm, { patch: next.patch, patchIndex: next.index, findings: own });
      findings.push(...result.findings);
      notes.push(...result.notes);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  notes.push(...llm.notes());
  return { findings, notes: [...new Set(notes)] };
}
