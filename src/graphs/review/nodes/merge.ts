import { dedupeFindings, sortFindings } from '../../../rules/engine.js';
import type { ReviewStateType, ReviewStateUpdate } from '../state.js';

/**
 * One finding per rule and place, deterministic findings over LLM ones, sorted by patch then
 * place. Deterministic-first input order makes the first-kept finding the rule's.
 */
export function mergeNode(state: ReviewStateType): ReviewStateUpdate {
  const ordered = [...state.findings.filter((f) => f.source !== 'llm'), ...state.findings.filter((f) => f.source === 'llm')];
  return { merged: sortFindings(dedupeFindings(ordered), state.changeset ?? undefined) };
}
