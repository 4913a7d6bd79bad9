import { z } from 'zod';

/** One SEARCH/REPLACE edit (aider / Agentless): `search` is copied verbatim from the file. */
export const EditSchema = z.object({
  file: z.string().min(1).describe('Path of the file to edit, exactly as shown in the prompt.'),
  // Not .min(1): one empty SEARCH should not cost the whole sample a retry; repairWithModel drops it.
  search: z
    .string()
    .describe('Lines copied character for character from the file (indentation included, no line numbers), enough of them to match exactly one place.'),
  replace: z.string().describe('The lines that replace them (the whole block, not only the changed line).'),
});
export type Edit = z.infer<typeof EditSchema>;

export const RepairerOutputSchema = z.object({
  reasoning: z.string().describe('Two or three sentences: the fault and the fix.'),
  edits: z.array(EditSchema).describe('The smallest edits that fix the fault; usually one.'),
});
export type RepairerOutput = z.infer<typeof RepairerOutputSchema>;
