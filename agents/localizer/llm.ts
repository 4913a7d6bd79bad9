/**
 * The localizer's model-backed half: the SBFL ranking, the traced values, the failing tests and
 * the code of the top suspect functions go to the model, which names the faulty lines. Anything
 * else it wants to read it asks for through read-only tools (agents/tools.ts), so the prompt
 * carries only the evidence that matters, not the repository. It stays under MAX_PROMPT_TOKENS
 * however large the repository: the outline is trimmed first, then the code.
 */
import type { RankedLine, TestCase, VariableTrace } from '../../src/debug/types.js';
import { isTestFile } from '../../src/graphs/debug/state.js';
import { loadPrompt } from '../../src/llm/prompts.js';
import {
  fitBlocks,
  MAX_PROMPT_TOKENS,
  numbered,
  PROMPT_MARGIN,
  promptTokens,
  renderFailingTests,
  renderRanking,
  renderSections,
  renderTestOutput,
  renderTraces,
  type Section,
} from '../evidence.js';
import { countTokens, fitToTokens } from '../../src/llm/tokens.js';
import type { LlmClient, ToolSet } from '../../src/llm/types.js';
import { toolsParagraph } from '../evidence.js';
import { LocalizerOutputSchema, type LocalizedLine } from './schema.js';

export interface LocalizerInput {
  failingTests: TestCase[];
  testOutput: string;
  ranking: RankedLine[];
  /** Signatures-only outline of the repository (src/debug/ast.ts outline()). Any size. */
  outline: string;
  /** Code windows around the top suspects, most suspicious first. */
  suspectCode: { file: string; startLine: number; code: string }[];
  traces: VariableTrace[];
  /**
   * When coverage is missing or flat: where the failure points (stack frames in the sources,
   * functions the failing test names), one line each. The ranking then starts with them.
   */
  startingPoints?: string[];
  /** Read-only tools the model may call before it answers (agents/tools.ts). */
  tools?: ToolSet;
  /** Cancels the model call (Ctrl-C). */
  signal?: AbortSignal;
}

export interface LocalizerAnswer {
  locations: LocalizedLine[];
  reasoning: string;
}

export const MAX_LOCATIONS = 5;

/** The request the localizer sends (exported for tests and for --verbose). */
export function buildLocalizerPrompt(input: LocalizerInput, limit: number = MAX_PROMPT_TOKENS): { system: string; user: string } {
  const system = loadPrompt('localizer', { maxLocations: MAX_LOCATIONS, tools: toolsParagraph(input.tools) });
  const start = input.startingPoints?.length ? input.startingPoints : undefined;
  const fixed: Section[] = [
    { title: 'Failing tests', body: renderFailingTests(input.failingTests, 400) },
    { title: 'Test output (head and tail)', body: '```\n' + renderTestOutput(input.testOutput, 600) + '\n```' },
    ...(start
      ? [{ title: 'Coverage cannot tell the lines apart: start from the failure', body: `Every executed line scored alike (or no coverage was collected). The failure points at:\n${start.slice(0, 12).join('\n')}` }]
      : []),
    {
      title: start ? 'Ranking (stack frames and the functions the test names first, then the flat coverage)' : 'SBFL ranking (Ochiai, most suspicious first)',
      body: renderRanking(input.ranking, 10, 500),
    },
    { title: 'Traced values of local variables during a failing test', body: renderTraces(input.traces, 800) },
  ];
  const blocks = input.suspectCode.map((w) => {
    const end = w.startLine + w.code.replace(/\n$/, '').split('\n').length - 1;
    return `### ${w.file} (lines ${w.startLine}-${end})\n\`\`\`\n${numbered(w.code, w.startLine)}\n\`\`\``;
  });
  const budget = limit - PROMPT_MARGIN;
  // Never tokenize a multi-megabyte outline whole: it cannot take more than the budget anyway.
  let outline = fitToTokens(input.outline.trim() || '(no outline)', budget);
  let code = blocks;
  const assemble = () =>
    renderSections([
      ...fixed,
      { title: 'Suspicious code (line numbers in the gutter)', body: code.length ? code.join('\n\n') : '(none)' },
      { title: 'Outline of the suspects’ files (function signatures) and the other source files', body: outline },
    ]);
  let user = assemble();
  let total = promptTokens(system, user);
  if (total > budget) {
    // 1. the outline gives way first
    const outlineTokens = countTokens(outline);
    const room = budget - (total - outlineTokens);
    outline = room > 150 ? fitToTokens(outline, room) : '(omitted to keep the prompt small)';
    user = assemble();
    total = promptTokens(system, user);
  }
  if (total > budget) {
    // 2. then the code windows, least suspicious first
    const codeTokens = countTokens(code.join('\n\n'));
    code = fitBlocks(blocks, Math.max(0, budget - (total - codeTokens)));
    user = assemble();
    total = promptTokens(system, user);
  }
  if (total > budget) user = fitToTokens(user, Math.max(0, budget - countTokens(system)));
  return { system, user };
}

const cleanPath = (p: string) => p.trim().replace(/^\.\//, '').replace(/^[ab]\//, '').replace(/\\/g, '/');

/**
 * Ask the model where the fault is. Null when the model gives no usable answer (offline, budget,
 * endpoint down, bad output twice: see llm.notes()). Test files and duplicates are dropped.
 */
export async function localizeWithModel(llm: LlmClient, input: LocalizerInput): Promise<LocalizerAnswer | null> {
  const { system, user } = buildLocalizerPrompt(input);
  const answer = await llm.structured({
    agent: 'localizer',
    system,
    user,
    schema: LocalizerOutputSchema,
    schemaName: 'localization',
    ...(input.tools ? { tools: input.tools } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  if (!answer) return null;
  const seen = new Set<string>();
  const locations: LocalizedLine[] = [];
  for (const loc of answer.locations) {
    const file = cleanPath(loc.file);
    const key = `${file}:${loc.line}`;
    if (isTestFile(file) || seen.has(key)) continue;
    seen.add(key);
    locations.push({ file, line: loc.line, reason: loc.reason });
    if (locations.length >= MAX_LOCATIONS) break;
  }
  return { locations, reasoning: answer.reasoning };
}
