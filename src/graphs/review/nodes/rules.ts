import { runPatchRules, runSeriesRules } from '../../../rules/engine.js';
import type { PatchRulesTask, ReviewStateUpdate, SeriesRulesTask } from '../state.js';

/** The rules of the chosen packs on one patch (one Send per patch). */
export function patchRulesNode(task: PatchRulesTask): ReviewStateUpdate {
  const { findings, notes } = runPatchRules(task.unit.changeset, task.patchIndex, task.config, task.packs ? { packs: task.packs } : {});
  return { findings, notes };
}

/** The series rules, once per series in the change set. */
export function seriesRulesNode(task: SeriesRulesTask): ReviewStateUpdate {
  const { findings, notes } = runSeriesRules(task.unit.changeset, task.config, task.packs ? { packs: task.packs } : {});
  return { findings, notes };
}
