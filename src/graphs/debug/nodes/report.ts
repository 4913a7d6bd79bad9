/**
 * report: the FixReport (src/model/fix-report.ts), validated with its zod schema. The workspace
 * is NOT disposed here: the caller owns it (it may still want the diff), and disposes of it in
 * a finally block, also on Ctrl-C.
 */
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { FixReportSchema, type FixReport } from '../../../model/fix-report.js';
import { countsOf } from '../../../debug/results/verdict.js';
import { debugContext, progress, type DebugState, type DebugUpdate } from '../state.js';

/** The only FixReport builder: from the final state, or from what is known when a run failed. */
export function buildReport(
  state: Pick<DebugState, 'input' | 'startedAt' | 'outcome' | 'error' | 'best' | 'baseline' | 'suspects' | 'explanation' | 'tried'> & Partial<Pick<DebugState, 'alternatives'>>,
  usage: FixReport['usage'],
  now = Date.now(),
): FixReport {
  const outcome = state.outcome ?? (state.best ? 'fixed' : 'not-fixed');
  const before = state.baseline ? countsOf(state.baseline) : { passed: 0, failed: 0 };
  const report: FixReport = {
    outcome,
    patch: outcome === 'fixed' && state.best ? state.best.patch : '',
    suspects: state.suspects
      .filter((s) => Number.isInteger(s.line) && s.line > 0)
      .map((s) => ({ file: s.file, line: s.line, score: s.score, why: s.functionName ? `${s.why} (in ${s.functionName})` : s.why })),
    explanation: state.explanation,
    tests: { before, after: outcome === 'fixed' && state.best ? state.best.after : before },
    usage,
    seconds: Math.max(0, Math.round((now - state.startedAt) / 10) / 100),
    candidates: { tried: state.tried.length, passing: state.tried.filter((t) => t.verdict === 'passed').length },
  };
  if (state.error) report.error = state.error;
  if (outcome === 'fixed' && state.best) {
    report.operator = state.best.candidate.operator;
    if (state.alternatives && state.alternatives.length > 0) {
      report.alternatives = state.alternatives.map((a) => ({
        file: a.candidate.file,
        line: a.candidate.line,
        operator: a.candidate.operator,
        summary: a.candidate.description,
        patch: a.patch,
        reason: a.reason,
      }));
    }
  }
  return FixReportSchema.parse(report);
}

export async function report(state: DebugState, config: LangGraphRunnableConfig): Promise<DebugUpdate> {
  const llm = debugContext(config).llm;
  const usage = llm?.usage() ?? { llmCalls: 0, promptTokens: 0, completionTokens: 0 };
  const built = buildReport(state, usage);
  progress(config, { stage: 'report', message: `${built.outcome} in ${built.seconds} s (${built.candidates?.tried ?? 0} candidates tried)` });
  return { fixReport: built };
}
