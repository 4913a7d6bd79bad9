import { z } from 'zod';

export const SeveritySchema = z.enum(['error', 'warning', 'info']);
export type Severity = z.infer<typeof SeveritySchema>;

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Where a finding points, so each reporter can place it. */
export const LocationSchema = z.discriminatedUnion('kind', [
  /** A line of the diff: the new-side line of an added/context line, the old side for a deletion. */
  z.object({
    kind: z.literal('diff'),
    file: z.string(),
    line: z.number().int().positive(),
    side: z.enum(['new', 'old']).default('new'),
    /** Line inside the patch text (checkpatch's `#N:`). */
    patchLine: z.number().int().positive().optional(),
  }),
  /** A line of the commit message (1-based within Patch.message), or of the notes. */
  z.object({
    kind: z.literal('message'),
    line: z.number().int().positive(),
    part: z.enum(['message', 'notes']).default('message'),
    patchLine: z.number().int().positive().optional(),
  }),
  z.object({ kind: z.literal('subject') }),
  z.object({ kind: z.literal('headers') }),
  /** The patch as a whole (e.g. no diff at all). */
  z.object({ kind: z.literal('patch') }),
  z.object({ kind: z.literal('series') }),
]);
export type Location = z.infer<typeof LocationSchema>;

/** A mechanical fix: replace lines of a diff's new side, the subject, or message lines. */
export const FixSchema = z.object({
  description: z.string(),
  target: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('diff'),
      file: z.string(),
      /** New-side lines startLine..endLine (inclusive) become `lines`. */
      startLine: z.number().int().positive(),
      endLine: z.number().int().positive(),
      lines: z.array(z.string()),
    }),
    z.object({ kind: z.literal('subject'), subject: z.string() }),
    z.object({
      kind: z.literal('message'),
      startLine: z.number().int().positive(),
      endLine: z.number().int().positive(),
      lines: z.array(z.string()),
    }),
  ]),
});
export type Fix = z.infer<typeof FixSchema>;

export const FindingSchema = z.object({
  rule: z.string(),
  severity: SeveritySchema,
  message: z.string(),
  source: z.enum(['rule', 'llm']).default('rule'),
  /** Index into ChangeSet.patches; absent for series-wide findings without one patch. */
  patch: z.number().int().nonnegative().optional(),
  subject: z.string().optional(),
  messageId: z.string().optional(),
  location: LocationSchema,
  /** The offending line, exactly as in the input (LLM findings must quote one). */
  evidence: z.string().optional(),
  fix: FixSchema.optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const ReviewReportSchema = z.object({
  tool: z.literal('rubberduck'),
  version: z.string(),
  inputs: z.array(z.string()),
  patches: z.array(
    z.object({ index: z.number().int(), subject: z.string(), messageId: z.string().optional(), author: z.string().optional() }),
  ),
  findings: z.array(FindingSchema),
  totals: z.object({
    errors: z.number().int(),
    warnings: z.number().int(),
    infos: z.number().int(),
    lines: z.number().int(),
  }),
  notes: z.array(z.string()).default([]),
});
export type ReviewReport = z.infer<typeof ReviewReportSchema>;
