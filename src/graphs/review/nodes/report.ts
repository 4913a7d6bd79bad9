import { buildReport, renderReport } from '../../../report/index.js';
import { allRules } from '../../../rules/registry.js';
import type { ReviewStateType, ReviewStateUpdate } from '../state.js';

/** Build the ReviewReport and render it in the requested format. */
export function reportNode(state: ReviewStateType): ReviewStateUpdate {
  const changeset = state.changeset ?? { inputs: state.request.inputs, patches: [], series: [] };
  const report = buildReport({ changeset, findings: state.merged, notes: state.notes, version: state.request.version });
  return { reviewReport: report, output: renderReport(state.request.format, report, { changeset, reviewer: state.config.reviewer, rules: allRules }) };
}
