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

export const UsageSchema = z.object({
  llmCalls: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const FixReportSchema = z.object({
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
});
export type FixReport = z.infer<typeof FixReportSchema>;
