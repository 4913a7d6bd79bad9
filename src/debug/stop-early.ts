/**
 * Runs that stop at the first failure (`pytest -x`, `jest --bail`, `mocha --bail`, …) hide every
 * later failure: a baseline cut short lists one failing test where there may be three, and a
 * candidate that fixes the first and breaks the next looks like a fix. The debugger's own runs
 * (baseline, coverage, candidates) therefore drop those flags when the runner is known, and any
 * run whose output says it was cut short is never taken as complete.
 *
 * The final confirmation of a patch runs the user's command exactly as given (validate.ts).
 */
import type { RunnerKind } from './types.js';

/** pytest's boolean short options that may share a cluster with `-x` (`-xvs`, `-qx`). */
const PYTEST_BOOLEAN_SHORT = /^-[qvsxl]+$/;

/** Shell tokens: words, with quoted strings kept whole (enough for flag surgery). */
function tokens(command: string): string[] {
  return command.match(/(?:[^\s'"]+|'[^']*'|"(?:\\.|[^"\\])*")+/g) ?? [];
}

/** Drop pytest's stop-early options from one token list; null when nothing changed. */
function dropPytest(words: string[]): string[] | null {
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-x' || w === '--exitfirst' || /^--(sw|stepwise|sw-skip|stepwise-skip)$/.test(w) || /^--maxfail=\d+$/.test(w)) {
      changed = true;
      continue;
    }
    if (w === '--maxfail' && /^\d+$/.test(words[i + 1] ?? '')) {
      changed = true;
      i++;
      continue;
    }
    if (PYTEST_BOOLEAN_SHORT.test(w) && w.includes('x')) {
      changed = true;
      const rest = w.replace(/x/g, '');
      if (rest !== '-') out.push(rest);
      continue;
    }
    out.push(w);
  }
  return changed ? out : null;
}

/** Drop jest / vitest / mocha bail options (`--bail`, `--bail=N`, `--bail N`, `-b`). */
function dropBail(words: string[], runner: RunnerKind): string[] | null {
  const out: string[] = [];
  let changed = false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (/^--bail(=\S*)?$/.test(w) || (w === '-b' && (runner === 'jest' || runner === 'mocha'))) {
      changed = true;
      // jest and vitest take an optional count after a bare --bail.
      if (w === '--bail' && runner !== 'mocha' && /^\d+$/.test(words[i + 1] ?? '')) i++;
      continue;
    }
    if (w === '--test-bail') {
      changed = true;
      continue;
    }
    out.push(w);
  }
  return changed ? out : null;
}

/**
 * The command without the runner's stop-early flags. Only simple commands are rewritten (no
 * quotes around the flags, any shell syntax is left in place token by token); a command that
 * needs no change comes back as it is.
 */
export function withoutStopEarly(command: string, runner: RunnerKind): string {
  const words = tokens(command);
  let kept: string[] | null = null;
  if (runner === 'pytest') kept = dropPytest(words);
  else if (runner === 'jest' || runner === 'vitest' || runner === 'mocha' || runner === 'node-test') kept = dropBail(words, runner);
  return kept ? kept.join(' ') : command;
}

/** True when the command carries a stop-early flag for its runner. */
export function hasStopEarlyFlag(command: string, runner: RunnerKind): boolean {
  return withoutStopEarly(command, runner) !== command;
}

/**
 * Why a run's output says it stopped before running everything, or null. Reads what the runners
 * print: pytest's "stopping after N failures" / "Interrupted:", jest's and vitest's bail notes.
 * A runner the debugger does not know cannot be neutralised; its run counts as cut short when
 * its command carries a bail/exit-first flag of any known runner.
 */
export function cutShortReason(output: string, runner: RunnerKind, commandAsRun: string): string | null {
  if (/!{3,}\s*stopping after \d+ failures?\s*!{3,}/i.test(output)) return 'pytest stopped after the first failures (-x / --maxfail)';
  if (/^!{3,}\s*Interrupted:/m.test(output)) return 'pytest was interrupted';
  if (/Test run was interrupted|Bail(?:ing)? out|bailed out|Test run aborted/i.test(output)) return 'the runner bailed out after a failure';
  if (runner === 'unknown') {
    for (const r of ['pytest', 'jest', 'mocha'] as const) {
      if (hasStopEarlyFlag(commandAsRun, r)) return `the command stops at the first failure (${r === 'pytest' ? '-x' : '--bail'})`;
    }
  }
  return null;
}
