import { z } from 'zod';

/**
 * What the LLM localizer answers. Every field is required (nullable rather than optional) so
 * that OpenAI's strict structured outputs accept the schema.
 */
export const LocalizedLineSchema = z.object({
  file: z.string().min(1).describe('Path exactly as shown in the prompt (relative to the project root).'),
  line: z.number().int().positive().describe('1-based line number in that file, as shown in the numbered code.'),
  reason: z.string().describe('One sentence: why this line is likely wrong, citing the evidence (ranking, traced values, assertion).'),
});
export type LocalizedLine = z.infer<typeof LocalizedLineSchema>;

export const LocalizerOutputSchema = z.object({
  reasoning: z.string().describe('Short chain of evidence: what the failing test expects, what the trace shows, where the values go wrong.'),
  locations: z.array(LocalizedLineSchema).describe('Most likely faulty lines, most likely first (at most 5).'),
});
export type LocalizerOutput = z.infer<typeof LocalizerOutputSchema>;
