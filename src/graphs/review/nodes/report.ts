import { buildReport } from '../../../report/index.js';
import type { ReviewStateType, ReviewStateUpdate } from '../state.js';

/** The unit's ReviewReport, validated. Rendering it is the front end's choice of reporter. */
export function reportNode(state: ReviewStateType): ReviewStateUpdate {
  const changeset = state.changeset ?? { inputs: state.request.inputs, patches: [], series: [] };
  return { reviewReport: buildReport({ changeset, findings: state.merged, notes: state.notes, version: state.request.version }) };
}
