import { z } from 'zod';

/**
 * The judgement rules the LLM reviewer may report, in our words. Counting rules (widths,
 * declaration order, tags) are the deterministic engine's; the model never reports those.
 */
export const JUDGEMENT_RULES = {
  'kernel/imperative-mood': {
    severity: 'info',
    text: 'The summary or the body is not in the imperative mood: "Fixed"/"Adds" instead of "fix"/"add", or "This patch", "I changed", "we add". Confirm or reject the heuristic findings given to you, and report ones they missed.',
  },
  'netdev/fix-explains-why': {
    severity: 'info',
    text: 'A fix whose message does not state both the user-visible symptom (what goes wrong, for whom, how it shows) and the root cause.',
  },
  'netdev/cleanup-only': {
    severity: 'info',
    text: 'The patch only reorders declarations, fixes coding style, or converts to devm_/managed helpers, with no functional change; netdev does not take such clean-ups on their own.',
  },
  'review/fix-classification': {
    severity: 'warning',
    text: 'The patch fixes a bug (crash, leak, wrong result, regression) but has no Fixes: tag or targets a -next tree; or it claims to be a fix but changes no behaviour.',
  },
  'review/subject-mismatch': {
    severity: 'info',
    text: 'The subject does not describe what the diff actually changes.',
  },
  'review/code-bug': {
    severity: 'warning',
    text: 'A plain bug in the added code: a leak on an error path, a missing error check, wrong or missing locking, use after free, an off-by-one.',
  },
} as const;

export type JudgementRuleId = keyof typeof JUDGEMENT_RULES;
const ruleIds = Object.keys(JUDGEMENT_RULES) as [JudgementRuleId, ...JudgementRuleId[]];

export const ReviewerFindingSchema = z.object({
  rule: z.enum(ruleIds),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string().min(1).describe('One or two sentences a maintainer would write.'),
  evidence: z.string().min(1).describe('One line copied character for character from the patch text, without the leading +/- of diff lines.'),
});
export type ReviewerFinding = z.infer<typeof ReviewerFindingSchema>;

export const ReviewerOutputSchema = z.object({
  findings: z.array(ReviewerFindingSchema),
  /** Heuristic findings (by rule id and message line) the reviewer judged wrong. */
  rejected: z.array(z.object({ rule: z.string(), evidence: z.string(), why: z.string() })).default([]),
});
export type ReviewerOutput = z.infer<typeof ReviewerOutputSchema>;
