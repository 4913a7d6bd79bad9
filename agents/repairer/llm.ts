/**
 * The repairer's model-backed half: SEARCH/REPLACE edits proposed by the model, several samples
 * (one call each; the first at the configured temperature, the others hotter), edits to test
 * files refused. Applying the edits (src/debug/edits.ts applyEdits / applyEditsChecked) and
 * validating them is the graph's business.
 */
import { applyEditsChecked } from '../../src/debug/edits.js';
import type { Candidate, VariableTrace } from '../../src/debug/types.js';
import { isTestFile } from '../../src/graphs/debug/state.js';
import { loadPrompt } from '../../src/llm/prompts.js';
import {
  fitBlocks,
  MAX_PROMPT_TOKENS,
  PROMPT_MARGIN,
  promptTokens,
  renderSections,
  renderTestOutput,
  renderTraces,
  type Section,
} from '../evidence.js';
import { countTokens, fitToTokens } from '../../src/llm/tokens.js';
import type { LlmClient, ToolSet } from '../../src/llm/types.js';
import { toolsParagraph } from '../evidence.js';
import { RepairerOutputSchema, type Edit } from './schema.js';

export interface RepairerInput {
  locations: { file: string; line: number; reason: string }[];
  /** The code around the locations, exactly as in the files (no line numbers). */
  windows: { file: string; startLine: number; code: string }[];
  testOutput: string;
  traces: VariableTrace[];
  /** Earlier attempts: the edits (formatEdits text) and the test output they produced. */
  previousAttempts: { edits: string; testOutput: string }[];
  /** How many answers to ask for (one model call each). */
  samples: number;
  /** Test files of the project: never edited. */
  testFiles: string[];
  /** Read-only tools the model may call before it answers (agents/tools.ts). */
  tools?: ToolSet;
  /** Told about each refused edit (for the report's notes). */
  onReject?: (edit: Edit, reason: string) => void;
  /** Cancels the model calls (Ctrl-C). */
  signal?: AbortSignal;
}

export interface RepairSample {
  edits: Edit[];
  reasoning: string;
}

/** Temperature of the extra samples (the first uses the configured one). */
export const SAMPLE_TEMPERATURE = 0.8;

const cleanPath = (p: string) => p.trim().replace(/^\.\//, '').replace(/^[ab]\//, '').replace(/\\/g, '/');

function lineAt(windows: RepairerInput['windows'], file: string, line: number): string | undefined {
  for (const w of windows) {
    if (w.file !== file) continue;
    const text = w.code.split('\n')[line - w.startLine];
    if (text !== undefined) return text;
  }
  return undefined;
}

export function buildRepairerPrompt(input: RepairerInput, limit: number = MAX_PROMPT_TOKENS): { system: string; user: string } {
  const testFiles = input.testFiles.length ? input.testFiles.slice(0, 30).map((f) => `  - ${f}`).join('\n') + (input.testFiles.length > 30 ? `\n  - … and ${input.testFiles.length - 30} more` : '') : '  - (any test_*.py, *_test.py, *.test.*, *.spec.*, and files under test/ or tests/)';
  const system = loadPrompt('repairer', { testFiles, tools: toolsParagraph(input.tools) });
  const locations = input.locations.length
    ? input.locations
        .map((l) => {
          const text = lineAt(input.windows, l.file, l.line);
          return `- ${l.file}:${l.line}${text !== undefined ? `  \`${text.trim()}\`` : ''} — ${l.reason}`;
        })
        .join('\n')
    : '(none given: read the code and the test output)';
  const attempts = input.previousAttempts.slice(-3).map((a, i) => `### Attempt ${i + 1}\n${a.edits.trim()}\n\nTest output after it:\n\`\`\`\n${renderTestOutput(a.testOutput, 300)}\n\`\`\``);
  const fixed: Section[] = [
    { title: 'Suspicious lines', body: locations },
    { title: 'Failing test output (head and tail)', body: '```\n' + renderTestOutput(input.testOutput, 600) + '\n```' },
    { title: 'Traced values of local variables during a failing test', body: renderTraces(input.traces, 600) },
    { title: 'Patches already tried (they did not work)', body: attempts.length ? fitToTokens(attempts.join('\n\n'), 1500) : '(none)' },
  ];
  const blocks = input.windows.map((w) => {
    const end = w.startLine + w.code.replace(/\n$/, '').split('\n').length - 1;
    return `### ${w.file} (lines ${w.startLine}-${end})\n\`\`\`\n${w.code.replace(/\n$/, '')}\n\`\`\``;
  });
  let code = blocks;
  const assemble = () => renderSections([{ title: 'Code (copy SEARCH lines exactly from here)', body: code.length ? code.join('\n\n') : '(none)' }, ...fixed]);
  const budget = limit - PROMPT_MARGIN;
  let user = assemble();
  let total = promptTokens(system, user);
  if (total > budget) {
    code = fitBlocks(blocks, Math.max(0, budget - (total - countTokens(code.join('\n\n')))));
    user = assemble();
    total = promptTokens(system, user);
  }
  if (total > budget) user = fitToTokens(user, Math.max(0, budget - countTokens(system)));
  return { system, user };
}

/**
 * Ask for `samples` repairs. A sample that edits a test file is dropped whole; other samples keep
 * their acceptable edits (a non-empty SEARCH that differs from its REPLACE) and are dropped when
 * none is left.
 * Stops early when the model gives nothing (budget used up, endpoint down).
 */
export async function repairWithModel(llm: LlmClient, input: RepairerInput): Promise<RepairSample[]> {
  const { system, user } = buildRepairerPrompt(input);
  const testFiles = new Set(input.testFiles.map(cleanPath));
  const out: RepairSample[] = [];
  const count = Math.max(1, Math.floor(input.samples));
  for (let i = 0; i < count; i++) {
    if (llm.exhausted() || input.signal?.aborted) break;
    const answer = await llm.structured({
      agent: 'repairer',
      system,
      user,
      schema: RepairerOutputSchema,
      schemaName: 'repair',
      ...(i > 0 ? { temperature: SAMPLE_TEMPERATURE } : {}),
      ...(input.tools ? { tools: input.tools } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    // A dead endpoint short-circuits without HTTP, so only the budget needs a check here.
    if (!answer) continue;
    const edits: Edit[] = [];
    let tampered = false;
    for (const raw of answer.edits) {
      const edit = { ...raw, file: cleanPath(raw.file) };
      if (testFiles.has(edit.file) || isTestFile(edit.file)) {
        // A sample that edits the tests is not a fix: the whole sample goes.
        tampered = true;
        input.onReject?.(edit, 'edits a test file');
        continue;
      }
      const reason = !edit.search.trim() ? 'empty SEARCH block' : edit.search === edit.replace ? 'SEARCH and REPLACE are identical' : undefined;
      if (reason) input.onReject?.(edit, reason);
      else edits.push(edit);
    }
    if (tampered) continue;
    if (edits.length) out.push({ edits, reasoning: answer.reasoning });
  }
  return out;
}

/** First 1-based line where two texts differ. */
function firstChangedLine(before: string, after: string): number {
  const a = before.split('\n');
  const b = after.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i + 1;
}

/**
 * The samples as validate-ready candidates (`operator: 'llm'`, the whole new text of one file):
 * each sample's edits are applied to `sources` (the current text of the files, by path) and the
 * result must parse. A sample whose edits do not apply, do not parse, or span several files is
 * refused with a reason (a Candidate is one file). Identical results are kept once, their count in
 * `votes` (the majority vote among passing patches, src/graphs/debug/nodes/validate.ts).
 */
export async function samplesToCandidates(
  samples: readonly RepairSample[],
  sources: Record<string, string>,
  priority = 0,
): Promise<{ candidates: Candidate[]; rejected: { sample: number; reason: string }[] }> {
  const candidates: Candidate[] = [];
  const rejected: { sample: number; reason: string }[] = [];
  for (const [index, sample] of samples.entries()) {
    const files = new Set(sample.edits.map((e) => e.file));
    if (files.size !== 1) {
      rejected.push({ sample: index, reason: `edits ${files.size} files; a candidate changes one` });
      continue;
    }
    const result = await applyEditsChecked(sources, sample.edits);
    if (!result.ok) {
      rejected.push({ sample: index, reason: result.reason });
      continue;
    }
    const [file, newSource] = Object.entries(result.files)[0]!;
    const same = candidates.find((c) => c.file === file && c.newSource === newSource);
    if (same) {
      // The same result again: validated once, but it counts in the vote.
      same.votes = (same.votes ?? 1) + 1;
      continue;
    }
    const summary = sample.reasoning.trim().split(/(?<=[.!?])\s/)[0] ?? '';
    candidates.push({
      file,
      operator: 'llm',
      description: `model: ${summary.length > 120 ? `${summary.slice(0, 119)}…` : summary || 'SEARCH/REPLACE edit'}`,
      line: firstChangedLine(sources[file] ?? '', newSource),
      newSource,
      priority: priority + index,
    });
  }
  return { candidates, rejected };
}
