import { z } from 'zod';
import { FindingSchema } from '../model/finding.js';

/**
 * `rubberduck triage --format json`: one entry per series, graded the way NIPA grades a series in
 * patchwork (success / warning / fail per check) and given a verdict. Documented in the README.
 */

export const CheckStateSchema = z.enum(['success', 'warning', 'fail']);
export type CheckState = z.infer<typeof CheckStateSchema>;

export const CheckSchema = z.object({
  /** `members`, `rules/kernel`, `rules/netdev`, `rules/series`, `rules/generic`, `trailers`, `review`, `llm`. */
  name: z.string(),
  state: CheckStateSchema,
  description: z.string(),
});
export type Check = z.infer<typeof CheckSchema>;

export const VerdictSchema = z.enum(['ready', 'changes-requested', 'needs-human']);
export type Verdict = z.infer<typeof VerdictSchema>;

/** A finding as the triage keeps it: the message it is about instead of an index. */
export const TriageFindingSchema = FindingSchema.omit({ patch: true });
export type TriageFinding = z.infer<typeof TriageFindingSchema>;

export const TriageSeriesSchema = z.object({
  /** The lead message's Message-ID (the cover letter, else the first patch). */
  id: z.string(),
  subject: z.string(),
  /** The networking tree named in the subject (`net`, `net-next`, …), if any. */
  tree: z.string().optional(),
  version: z.number().int().positive(),
  author: z.string(),
  date: z.string().optional(),
  /** Patches received (cover letter excluded) and expected (N of k/N). */
  received: z.number().int().nonnegative(),
  expected: z.number().int().nonnegative(),
  /** Counters k of k/N that never arrived. */
  missing: z.array(z.number().int().positive()),
  verdict: VerdictSchema,
  checks: z.array(CheckSchema),
  findings: z.array(TriageFindingSchema),
  /** `rule: message` of the most severe finding, for tables. */
  topFinding: z.string().optional(),
  previousVersion: z.object({ id: z.string(), version: z.number().int(), subject: z.string(), date: z.string().optional() }).optional(),
  supersededBy: z.object({ id: z.string(), version: z.number().int(), subject: z.string() }).optional(),
  messages: z.array(z.object({ messageId: z.string(), counter: z.number().int().optional(), cover: z.boolean(), subject: z.string() })),
  replies: z.object({
    count: z.number().int().nonnegative(),
    /** `Reviewed-by: Name <addr>` and the like, as b4 would apply them. */
    trailers: z.array(z.string()),
    naks: z.array(z.string()),
    changeRequests: z.array(z.string()),
  }),
});
export type TriageSeries = z.infer<typeof TriageSeriesSchema>;

export const TriageReportSchema = z.object({
  tool: z.literal('rubberduck'),
  version: z.string(),
  archive: z.string(),
  window: z.object({ since: z.string().optional(), until: z.string().optional(), limit: z.number().int().optional() }),
  run: z.object({
    /** Messages read (after --since/--until/--limit). */
    messages: z.number().int().nonnegative(),
    /** Messages that could not be read, with why. */
    skipped: z.array(z.object({ index: z.number().int().nonnegative(), reason: z.string() })),
    seconds: z.number().nonnegative(),
  }),
  totals: z.object({ series: z.number().int(), ready: z.number().int(), changesRequested: z.number().int(), needsHuman: z.number().int() }),
  series: z.array(TriageSeriesSchema),
  notes: z.array(z.string()),
});
export type TriageReport = z.infer<typeof TriageReportSchema>;
