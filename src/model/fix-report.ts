import { z } from 'zod';

/** The JSON report of `rubberduck fix --json FILE` (the contract evaluations read). */
export const SuspectSchema = z.object({
  file: z.string(),
  line: z.number().int().positive(),
  score: z.number(),
  why: z.string(),
});
export type Suspect = z.infer<typeof SuspectSchema>;

export const TestCountsSchema = z.object({
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});

/** One agent's share of the model usage. */
export const AgentUsageSchema = z.object({
  /** Answered HTTP requests to the model (a turn that asks for tools is one). */
  llmCalls: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  /** Read-only tool calls run for the model (agents/tools.ts); not model calls. */
  toolCalls: z.number().int().nonnegative(),
});
export type AgentUsage = z.infer<typeof AgentUsageSchema>;

/**
 * Model usage of a run. The three totals are the original contract; `toolCalls` and `agents`
 * (per agent: localizer, repairer, explainer, reviewer) were added later and are optional so
 * that older reports still validate.
 */
export const UsageSchema = z.object({
  llmCalls: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  toolCalls: z.number().int().nonnegative().optional(),
  agents: z.record(z.string(), AgentUsageSchema).optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

/** A passing patch the debugger did not choose, and why (the first rule that put it behind). */
export const AlternativeSchema = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  /** The repair template (operator) that made it: `swap-comparison`, `insert-guard`, `llm`, … */
  operator: z.string(),
  /** What it changes, in one line (`line 5: '<' → '<='`). */
  summary: z.string(),
  /** Unified diff, like `patch`. */
  patch: z.string(),
  /** Why it was not chosen. */
  reason: z.string(),
});
export type Alternative = z.infer<typeof AlternativeSchema>;

const FixReportObject = z.object({
  outcome: z.enum(['fixed', 'not-fixed', 'no-failing-test', 'error']),
  /** Unified diff, paths relative to the repository root; applies with `git apply`. Empty if none. */
  patch: z.string(),
  suspects: z.array(SuspectSchema),
  explanation: z.string(),
  tests: z.object({ before: TestCountsSchema, after: TestCountsSchema }),
  usage: UsageSchema,
  seconds: z.number().nonnegative(),
  /** Extra detail for humans and tools; not part of the minimal contract. */
  candidates: z
    .object({ tried: z.number().int().nonnegative(), passing: z.number().int().nonnegative() })
    .optional(),
  error: z.string().optional(),
  /** The chosen patch's template, and the other passing patches with why they were not chosen. */
  operator: z.string().optional(),
  alternatives: z.array(AlternativeSchema).optional(),
});

/**
 * A report cannot contradict itself: `fixed` comes with a patch and with no failing test after
 * it (the debugger only says fixed when the user's own command passes under the patch).
 */
export const FixReportSchema = FixReportObject.superRefine((report, ctx) => {
  if (report.outcome !== 'fixed') return;
  if (report.tests.after.failed > 0) {
    ctx.addIssue({ code: 'custom', path: ['tests', 'after', 'failed'], message: `outcome "fixed" with ${report.tests.after.failed} failing test(s) after the patch` });
  }
  if (!report.patch.trim()) ctx.addIssue({ code: 'custom', path: ['patch'], message: 'outcome "fixed" without a patch' });
});
export type FixReport = z.infer<typeof FixReportObject>;
