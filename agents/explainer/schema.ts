import { z } from 'zod';

/** What the LLM explainer answers (all fields required; `blamed` is null rather than absent, for strict mode). */
export const ExplainerOutputSchema = z.object({
  whatFails: z.string().describe('Which test fails and how (expected vs actual), in one or two sentences.'),
  where: z.string().describe('The faulty code: file, line, function.'),
  why: z.string().describe('The root cause, in plain words.'),
  whatChanged: z.string().describe('What the patch changes.'),
  whyItFixes: z.string().describe('Why that makes the failing tests pass without breaking the others.'),
  blamed: z
    .object({ file: z.string().min(1), line: z.number().int().positive() })
    .nullable()
    .describe('The one line you hold responsible for the fault (original line numbers), or null.'),
});
export type ExplainerOutput = z.infer<typeof ExplainerOutputSchema>;
