/**
 * The explainer's model-backed half: a short account of the bug and of the validated fix, and a
 * consistency check: when the model blames a line the patch does not touch, the graph may send
 * the run back to the localizer once (contradictsPatch).
 */
import type { TestCase, VariableTrace } from '../../src/debug/types.js';
import { loadPrompt } from '../../src/llm/prompts.js';
import { MAX_PROMPT_TOKENS, PROMPT_MARGIN, renderFailingTests, renderSections, renderTestOutput, renderTraces } from '../evidence.js';
import { countTokens, fitToTokens } from '../../src/llm/tokens.js';
import type { LlmClient } from '../../src/llm/types.js';
import { ExplainerOutputSchema } from './schema.js';

export interface TestCounts {
  passed: number;
  failed: number;
}

export interface ExplainerInput {
  failingTests: TestCase[];
  testOutput: string;
  suspects: { file: string; line: number; score?: number; why?: string; functionName?: string }[];
  traces: VariableTrace[];
  /** The validated patch, unified diff relative to the project root. */
  patch: string;
  testsBefore: TestCounts;
  testsAfter: TestCounts;
  /** The offline explanation (agents/explainer/offline.ts), given to the model as a draft to improve. */
  offlineExplanation?: string;
  /** Cancels the model call (Ctrl-C). */
  signal?: AbortSignal;
}

export interface Explanation {
  whatFails: string;
  where: string;
  why: string;
  whatChanged: string;
  whyItFixes: string;
  blamed?: { file: string; line: number };
  /** The fields as Markdown, for the report and the terminal. */
  markdown: string;
}

const counts = (c: TestCounts) => `${c.passed} passed, ${c.failed} failed`;

/** The trace steps in the files the patch changes (the values that matter to the fix), else all. */
function stepsThatMatter(traces: readonly VariableTrace[], patch: string): VariableTrace[] {
  const files = new Set(touchedLines(patch).flatMap((f) => [f.oldPath, f.newPath].filter((p): p is string => !!p)));
  return traces.map((t) => {
    const steps = t.steps.filter((s) => files.has(s.file));
    return steps.length ? { ...t, steps } : t;
  });
}

export function buildExplainerPrompt(input: ExplainerInput, limit: number = MAX_PROMPT_TOKENS): { system: string; user: string } {
  const system = loadPrompt('explainer', {});
  const suspects = input.suspects.length
    ? input.suspects
        .slice(0, 3)
        .map((s) => `- ${s.file}:${s.line}${s.functionName ? ` in ${s.functionName}` : ''}${s.score !== undefined ? ` (score ${s.score.toFixed(3)})` : ''}${s.why ? ` — ${s.why}` : ''}`)
        .join('\n')
    : '(none)';
  const budget = limit - PROMPT_MARGIN - countTokens(system);
  const user = renderSections([
    { title: 'Failing tests (before the fix)', body: renderFailingTests(input.failingTests, 400) },
    { title: 'Test output before the fix (head and tail)', body: '```\n' + renderTestOutput(input.testOutput, 400) + '\n```' },
    { title: 'Suspicious lines', body: suspects },
    { title: 'Traced values of local variables during a failing test', body: renderTraces(stepsThatMatter(input.traces, input.patch), 500) },
    { title: 'The patch', body: '```diff\n' + fitToTokens(input.patch.trim(), 2500) + '\n```' },
    { title: 'Tests', body: `before: ${counts(input.testsBefore)}\nafter:  ${counts(input.testsAfter)}` },
    ...(input.offlineExplanation?.trim()
      ? [{ title: 'Draft written from the measurements alone (check it, improve on it)', body: fitToTokens(input.offlineExplanation.trim(), 500) }]
      : []),
  ]);
  return { system, user: fitToTokens(user, Math.max(0, budget)) };
}

export function explanationMarkdown(e: Omit<Explanation, 'markdown'>, before?: TestCounts, after?: TestCounts): string {
  const lines = [
    `**What fails.** ${e.whatFails.trim()}`,
    `**Where.** ${e.where.trim()}`,
    `**Why.** ${e.why.trim()}`,
    `**What changed.** ${e.whatChanged.trim()}`,
    `**Why it fixes it.** ${e.whyItFixes.trim()}`,
  ];
  if (before && after) lines.push(`**Tests.** before: ${counts(before)}; after: ${counts(after)}.`);
  return lines.join('\n\n');
}

/** Ask the model to explain the fix. Null when it gives no usable answer (see llm.notes()). */
export async function explainWithModel(llm: LlmClient, input: ExplainerInput): Promise<Explanation | null> {
  const { system, user } = buildExplainerPrompt(input);
  const answer = await llm.structured({ agent: 'explainer', system, user, schema: ExplainerOutputSchema, schemaName: 'explanation', ...(input.signal ? { signal: input.signal } : {}) });
  if (!answer) return null;
  const { blamed, ...rest } = answer;
  const fields = { ...rest, ...(blamed ? { blamed: { file: blamed.file.trim().replace(/^\.\//, '').replace(/^[ab]\//, ''), line: blamed.line } } : {}) };
  return { ...fields, markdown: explanationMarkdown(fields, input.testsBefore, input.testsAfter) };
}

// contradictsPatch --------------------------------------------------------------------------------

interface TouchedFile {
  oldPath?: string;
  newPath?: string;
  /** Old-side lines removed, and old-side positions where lines were inserted. */
  oldLines: number[];
  /** New-side lines added. */
  newLines: number[];
}

const stripPrefix = (p: string) => p.trim().replace(/^"|"$/g, '').replace(/^[ab]\//, '').replace(/^\.\//, '');

/** Files and changed lines of a unified diff. */
export function touchedLines(patch: string): TouchedFile[] {
  const files: TouchedFile[] = [];
  let current: TouchedFile | undefined;
  let oldLine = 0;
  let newLine = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = { oldLines: [], newLines: [] };
      files.push(current);
      const m = /^diff --git (\S+) (\S+)/.exec(line);
      if (m) {
        current.oldPath = stripPrefix(m[1]!);
        current.newPath = stripPrefix(m[2]!);
      }
      continue;
    }
    if (line.startsWith('--- ')) {
      if (!current || current.oldLines.length || current.newLines.length) {
        current = { oldLines: [], newLines: [] };
        files.push(current);
      }
      const p = line.slice(4).split('\t')[0]!;
      if (p !== '/dev/null') current.oldPath = stripPrefix(p);
      continue;
    }
    if (line.startsWith('+++ ')) {
      const p = line.slice(4).split('\t')[0]!;
      if (current && p !== '/dev/null') current.newPath = stripPrefix(p);
      continue;
    }
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      continue;
    }
    if (!current) continue;
    if (line.startsWith('-')) {
      current.oldLines.push(oldLine++);
    } else if (line.startsWith('+')) {
      current.newLines.push(newLine++);
      // An insertion sits between old lines oldLine-1 and oldLine.
      current.oldLines.push(Math.max(1, oldLine - 1), oldLine);
    } else if (line.startsWith(' ')) {
      oldLine++;
      newLine++;
    }
  }
  return files;
}

/**
 * True when the explainer blames a line the patch does not touch: a file the patch does not
 * change, or a line more than `slack` lines away from every changed line (old or new numbering).
 * No blamed line, or an empty patch: false (nothing to contradict).
 */
export function contradictsPatch(blamed: { file: string; line: number } | undefined | null, patch: string, slack = 2): boolean {
  if (!blamed || !patch.trim()) return false;
  const file = stripPrefix(blamed.file);
  const touched = touchedLines(patch).filter((f) => f.oldPath === file || f.newPath === file);
  if (!touched.length) return true;
  const near = (lines: number[]) => lines.some((l) => Math.abs(l - blamed.line) <= slack);
  return !touched.some((f) => near(f.oldLines) || near(f.newLines));
}
