/**
 * The read-only tools the localizer and the repairer offer the model, the way AutoCodeRover and
 * SWE-agent let a model look for code itself: LangChain tools (zod schemas) over
 * src/debug/code-tools.ts, bound to the isolated copy of the project. The model client runs the
 * tool-calling loop (src/llm/client.ts, LangGraph's ToolNode) and enforces the bounds below; the
 * tools never write, never leave the copy, and show test files as read-only.
 *
 * The schemas list every field as required (nullable where optional) so that OpenAI's strict
 * mode accepts them next to a json_schema answer.
 */
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { CodeToolError, CodeTools } from '../src/debug/code-tools.js';
import type { CoverageMatrix } from '../src/debug/types.js';
import type { ToolSet } from '../src/llm/types.js';

/** Tool calls per agent and run. */
export const TOOL_CALLS = { localizer: 6, repairer: 6 } as const;
/** Longest tool answer, in characters (about 1,000 tokens). */
export const TOOL_OUTPUT_CHARS = 4000;

export const TOOL_NAMES = ['search_code', 'show_function', 'show_lines', 'tests_covering'] as const;

/** A refusal or a miss is the tool's answer (the model reads it); anything else is a bug. */
async function answer(run: () => string | Promise<string>): Promise<string> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CodeToolError) return `error: ${error.message}`;
    throw error;
  }
}

/** The four tools over one copy of the project (and its coverage matrix, when there is one). */
export function codeTools(code: CodeTools) {
  return [
    tool(({ query, path }) => answer(() => code.search(query, path)), {
      name: 'search_code',
      description:
        'Search the project for a name or a literal string (case-sensitive). Lists the functions of that name first (file:start-end), then matching lines as file:line: text. Test files are marked read-only.',
      schema: z.object({
        query: z.string().describe('A function, class or variable name, or any literal text.'),
        path: z.string().nullable().describe('Only this file or folder (relative to the project root), or null for the whole project.'),
      }),
    }),
    tool(({ name, file }) => answer(() => code.showFunction(name, file)), {
      name: 'show_function',
      description:
        'Show the whole code of a function or method by name (`handle`, `Router.handle`, `app.handle`), with line numbers as `N | text` (the text after `| ` is exact).',
      schema: z.object({
        name: z.string().describe('The function name.'),
        file: z.string().nullable().describe('The file to look in (relative path), or null to look everywhere.'),
      }),
    }),
    tool(({ file, start, end }) => answer(() => code.showLines(file, start, end)), {
      name: 'show_lines',
      description: 'Show lines start..end of a file (at most 120 lines per call), with line numbers as `N | text`.',
      schema: z.object({
        file: z.string().describe('Path relative to the project root.'),
        start: z.number().int().describe('First line (1-based).'),
        end: z.number().int().describe('Last line (inclusive).'),
      }),
    }),
    tool(({ file, line }) => answer(() => code.testsCovering(file, line)), {
      name: 'tests_covering',
      description: 'List the tests (failing first, then passing) that executed a line, from this run’s per-test coverage.',
      schema: z.object({
        file: z.string().describe('Path relative to the project root.'),
        line: z.number().int().describe('1-based line number.'),
      }),
    }),
  ];
}

/** The tool set one agent offers, bounded: `maxCalls` per run, TOOL_OUTPUT_CHARS per answer. */
export function codeToolSet(root: string, coverage: CoverageMatrix | null, maxCalls: number): ToolSet {
  const code = new CodeTools(root, { coverage, maxChars: TOOL_OUTPUT_CHARS });
  return { tools: codeTools(code), maxCalls, maxOutputChars: TOOL_OUTPUT_CHARS };
}
