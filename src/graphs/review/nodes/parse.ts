import { loadChangeSet } from '../../../parse/index.js';
import type { ReviewStateType, ReviewStateUpdate } from '../state.js';

/** Parse the inputs into a ChangeSet (skipped when the caller handed one in). */
export async function parseNode(state: ReviewStateType): Promise<ReviewStateUpdate> {
  if (state.changeset) return {};
  const { inputs, repo, range, stdin } = state.request;
  const changeset = await loadChangeSet(inputs, {
    ...(repo !== undefined ? { repo } : {}),
    ...(range !== undefined ? { range } : {}),
    ...(stdin !== undefined ? { stdin } : {}),
    config: state.config,
  });
  return { changeset };
}
