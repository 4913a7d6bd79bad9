/**
 * The passing tests' view of the suspect functions: which passing tests to trace, and tracing
 * them (before any patch, by the repairer; under each passing patch, by validate) so that the
 * failing test's values can be compared with theirs (values.ts) and a patch's effect on them
 * measured (select.ts behaviourDiff).
 */
import { functionsIn, languageOf } from '../ast.js';
import { traceVariables } from '../trace-node.js';
import type { FunctionSpan, Language, RunnerKind, TestCase, VariableTrace } from '../types.js';

const fileOf = (t: { id: string; file?: string }) => t.file ?? t.id.split('::')[0]!.split(' > ')[0]!;

/** The baseline's passing tests to trace: those in the failing tests' files first, at most `max`. */
export function passingTestsToTrace(baseline: readonly TestCase[], failing: readonly TestCase[], max = 8): { id: string; file?: string }[] {
  const tests = baseline.filter((t) => t.status === 'passed');
  const files = new Set(failing.map(fileOf));
  const near = tests.filter((t) => files.has(fileOf(t)));
  return (near.length > 0 ? near : tests).slice(0, max).map((t) => (t.file ? { id: t.id, file: t.file } : { id: t.id }));
}

export interface TracePassingInput {
  dir: string;
  language: Language;
  testCommand: string;
  runner: RunnerKind;
  tests: { id: string; file?: string }[];
  functions: FunctionSpan[];
  /** A patched file: its functions are looked up again by name (lines move). */
  patched?: { file: string; newSource: string } | null;
  timeoutMs: number;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
}

/** Trace the given passing tests over the suspect functions; null when there is nothing to trace or it failed. */
export async function tracePassingTests(input: TracePassingInput): Promise<VariableTrace | null> {
  if (input.tests.length === 0 || input.functions.length === 0) return null;
  let functions = input.functions;
  const patched = input.patched;
  if (patched) {
    const lang = languageOf(patched.file);
    if (lang && functions.some((f) => f.file === patched.file)) {
      const spans = await functionsIn(patched.file, lang, patched.newSource).catch(() => [] as FunctionSpan[]);
      functions = functions.map((f) => (f.file === patched.file ? (spans.find((s) => s.name === f.name) ?? f) : f));
    }
  }
  try {
    return await traceVariables(input.dir, input.language, input.testCommand, input.runner, input.tests, functions, {
      timeoutMs: input.timeoutMs,
      ...(input.env ? { env: input.env } : {}),
      head: 1000,
      tail: 200,
      ...(input.signal ? { signal: input.signal } : {}),
    });
  } catch {
    return null;
  }
}
