/**
 * Rendering of the debugger's evidence for prompts (shared by the localizer, repairer and
 * explainer agents), and the prompt-size discipline: every agent keeps its request under
 * MAX_PROMPT_TOKENS whatever the size of the repository.
 */
import type { RankedLine, TestCase, VariableTrace } from '../src/debug/types.js';
import type { ToolSet } from '../src/llm/types.js';
import { countTokens, fitToTokens } from '../src/llm/tokens.js';

export { MAX_PROMPT_TOKENS, PROMPT_MARGIN } from '../src/llm/tokens.js';


const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function renderFailingTests(tests: readonly TestCase[], maxTokens = 600): string {
  if (!tests.length) return '(no per-test results: see the test output)';
  const lines = tests.map((t) => `- ${t.id}${t.message ? `\n  ${clip(t.message.replace(/\s*\n\s*/g, ' ⏎ '), 600)}` : ''}`);
  return fitToTokens(lines.join('\n'), maxTokens);
}

export function renderTestOutput(output: string, maxTokens = 1200): string {
  return fitToTokens(output.trim() || '(empty)', maxTokens, 'both');
}

export function renderRanking(ranking: readonly RankedLine[], top = 25, maxTokens = 800): string {
  if (!ranking.length) return '(no coverage ranking)';
  const rows = ranking
    .slice(0, top)
    .map(
      (r, i) =>
        `${String(i + 1).padStart(2)}. ${r.file}:${r.line}  score ${r.score.toFixed(3)}  (failing tests ${r.failedCover}, passing ${r.passedCover})${r.functionName ? `  in ${r.functionName}` : ''}`,
    );
  return fitToTokens(rows.join('\n'), maxTokens);
}

/**
 * Traced values, one step per line. Only the values that matter: a step lists the locals that
 * changed since the previous step of the same function (the first step of a function lists them
 * all; a step where nothing changed is its line alone), so a loop of 30 steps does not repeat
 * every unchanged variable 30 times.
 */
export function renderTraces(traces: readonly VariableTrace[], maxTokens = 1500): string {
  if (!traces.length) return '(no variable trace)';
  const blocks = traces.map((t) => {
    const last = new Map<string, Record<string, string>>();
    const steps = t.steps.map((s) => {
      const before = last.get(s.function);
      last.set(s.function, s.locals);
      const changed = Object.entries(s.locals).filter(([k, v]) => !before || before[k] !== v);
      const locals = changed.map(([k, v]) => `${k}=${clip(v, 80)}`).join(', ');
      return locals ? `${s.file}:${s.line} ${s.function}: ${locals}` : `${s.file}:${s.line} ${s.function}`;
    });
    const head = `test ${t.test}${t.truncated ? ' (trace truncated)' : ''} — each step lists the locals that changed`;
    return [head, ...steps, ...(t.outcome ? [`→ ended with: ${clip(t.outcome, 400)}`] : [])].join('\n');
  });
  return fitToTokens(blocks.join('\n\n'), maxTokens, 'both');
}

/** Code with its line numbers in a gutter (`  12 | code`), for reading, not for copying. */
export function numbered(code: string, startLine: number): string {
  const lines = code.replace(/\n$/, '').split('\n');
  const width = String(startLine + lines.length - 1).length;
  return lines.map((l, i) => `${String(startLine + i).padStart(width)} | ${l}`).join('\n');
}

export interface Section {
  title: string;
  body: string;
}

export function renderSections(sections: readonly Section[]): string {
  return sections.map((s) => `## ${s.title}\n\n${s.body.trim()}`).join('\n\n');
}

/** Tokens of a prompt pair. */
export function promptTokens(system: string, user: string): number {
  return countTokens(system) + countTokens(user);
}

/**
 * Shrinks a list of code blocks to fit `budget` tokens: blocks are kept in order (most suspicious
 * first); the first block that does not fit is cut (its head kept), the rest are dropped.
 */
export function fitBlocks(blocks: readonly string[], budget: number): string[] {
  const out: string[] = [];
  let left = budget;
  for (const block of blocks) {
    const cost = countTokens(block) + 4;
    if (cost <= left) {
      out.push(block);
      left -= cost;
      continue;
    }
    if (left > 120) out.push(fitToTokens(block, left - 4));
    break;
  }
  return out;
}

/** The prompts' paragraph on the read-only tools ({{tools}}): what they are for, and the bound. */
export function toolsParagraph(tools: ToolSet | undefined): string {
  if (!tools || tools.tools.length === 0) return 'No tools are available for this request: answer from what is shown.';
  const names = tools.tools.map((t) => `\`${t.name}\``).join(', ');
  return (
    `Before answering you may call read-only tools (${names}; at most ${tools.maxCalls} calls in all): ` +
    'read the code that is not shown — a function the suspicious code calls, its callers, the rest of a file. ' +
    'Do not ask for what is already shown. Test files are read-only: never edit them.'
  );
}
