/**
 * The explainer's offline behaviour: a five-point Markdown explanation built from what the
 * pipeline measured — the failure message, the SBFL suspects, the traced variable values, the
 * validated patch and the test counts. No model involved.
 *
 * 1. What fails and how   2. Where   3. Why (traced values)   4. What changed   5. Why that fixes it
 * When nothing was fixed: 1–3 and what was tried.
 */
import type { TestCase, TestRun, VariableTrace } from '../../src/debug/types.js';
import type { Alternative, PassingPatch, Suspect, TriedCandidate } from '../../src/graphs/debug/state.js';

export interface ExplainInput {
  testCommand: string;
  baseline: TestRun | null;
  failing: TestCase[];
  suspects: Suspect[];
  trace: VariableTrace | null;
  best: PassingPatch | null;
  tried: TriedCandidate[];
  /** Why the search stopped, when it did not find a fix (budget, nothing left to try). */
  stopReason?: string;
  /** Other passing patches that were not chosen, with why (nodes/validate.ts). */
  alternatives?: Alternative[];
}

export interface ExpectedActual {
  expected: string;
  actual: string;
}

const clip = (s: string, max = 160) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/**
 * The test's local variables as pytest prints them with --showlocals (`expected   = 5`), first
 * frame first: the explanation shows values, not the names an assert happens to use.
 */
export function localsOf(message: string): Map<string, string> {
  const locals = new Map<string, string>();
  for (const line of message.split('\n')) {
    const m = /^([A-Za-z_]\w*)\s+= (.+)$/.exec(line);
    if (m && !locals.has(m[1]!)) locals.set(m[1]!, m[2]!.trim());
  }
  return locals;
}

/** `text` with every local variable name (not a called name) replaced by its value. */
export function withValues(text: string, locals: ReadonlyMap<string, string>): string {
  if (locals.size === 0) return text;
  const bare = locals.get(text.trim());
  if (bare !== undefined) return bare;
  return text.replace(/(?<![\w.'"])([A-Za-z_]\w*)(?![\w(])/g, (name) => locals.get(name) ?? name);
}

/** Pull "expected vs actual" out of a failure message (pytest, node:assert, vitest/jest, chai), with values. */
export function expectedVsActual(message: string | undefined): ExpectedActual | null {
  const found = rawExpectedVsActual(message);
  if (!found || !message) return found;
  const locals = localsOf(message);
  return { expected: clip(withValues(found.expected, locals)), actual: clip(withValues(found.actual, locals)) };
}

function rawExpectedVsActual(message: string | undefined): ExpectedActual | null {
  if (!message) return null;
  const m = message;
  let r: RegExpExecArray | null;
  // pytest long form: the source line (`>   assert f(2) == 4`) and the E lines (`E   assert 3 == 4`,
  // `E    +  where 3 = f(2)`, or an exception `E   ValueError: …`).
  const eLines = m
    .split('\n')
    .filter((l) => /^E\s/.test(l))
    .map((l) => l.replace(/^E\s+/, '').trim());
  if (eLines.length > 0) {
    const assertion = eLines.find((l) => /^assert\s/.test(l));
    if (assertion && (r = /^assert\s+(.+?)\s+==\s+(.+)$/.exec(assertion))) {
      let actual = r[1]!;
      const where = eLines.map((l) => /^\+\s*where\s+(.+?)\s+=\s+(.+)$/.exec(l)).find((w) => w && w[1] === actual);
      if (where) actual = `${actual} (from ${where[2]})`;
      return { expected: clip(r[2]!), actual: clip(actual) };
    }
    const source = /^>\s+assert\s+(.+?)\s+==\s+(.+?)\s*$/m.exec(m);
    const exception = eLines.find((l) => /^[\w.]*(Error|Exception|Interrupt|Exit)\b/.test(l));
    if (source && exception) return { expected: clip(source[2]!), actual: clip(`${source[1]} raises ${exception}`) };
    if (assertion) return null;
  }
  // jest / vitest: "Expected: 4\nReceived: 3"
  if ((r = /Expected(?: value)?:\s*(.+)\n\s*Received(?: value)?:\s*(.+)/i.exec(m))) return { expected: clip(r[1]!), actual: clip(r[2]!) };
  // node:assert strictEqual / deepStrictEqual: "Expected values to be strictly equal:\n\n3 !== 4"
  if (/Expected values to be/i.test(m) && (r = /^\s*(.+?)\s+!==?\s+(.+?)\s*$/m.exec(m))) return { expected: clip(r[2]!), actual: clip(r[1]!) };
  // node:assert objects / JUnit: "expected: 4 actual: 3", "expected '4' got '3'"
  if ((r = /expected(?! values):?\s+(.+?)[,;]?\s+(?:actual|but got|got|received):?\s+(.+)/i.exec(m))) return { expected: clip(r[1]!), actual: clip(r[2]!) };
  if ((r = /actual:?\s+(.+?)[,;]?\s+expected:?\s+(.+)/i.exec(m))) return { expected: clip(r[2]!), actual: clip(r[1]!) };
  // chai: "expected 3 to equal 4"
  if ((r = /expected (.+?) to (?:deeply )?(?:strictly )?(?:equal|be|eql) (.+)/i.exec(m))) return { expected: clip(r[2]!), actual: clip(r[1]!) };
  // node:assert strictEqual: "Expected values to be strictly equal:\n\n3 !== 4"
  if ((r = /^\s*(.+?)\s+!==?\s+(.+?)\s*$/m.exec(m))) return { expected: clip(r[2]!), actual: clip(r[1]!) };
  // pytest: "assert 3 == 4" (left is what the code gave, right what the test wanted), with "where 3 = f(2)"
  if ((r = /assert\s+(.+?)\s+==\s+(.+?)\s*$/m.exec(m))) {
    let actual = r[1]!;
    const where = /where\s+(.+?)\s+=\s+(.+?)\s*$/m.exec(m);
    if (where && where[1] === actual) actual = `${actual} (from ${where[2]})`;
    return { expected: clip(r[2]!), actual: clip(actual) };
  }
  return null;
}

/** First meaningful lines of a failure message (for pytest: the failing source line and the E lines). */
function messageHead(message: string | undefined, lines = 6): string {
  if (!message) return '';
  const all = message.split('\n').map((l) => l.trimEnd());
  const pytest = all.filter((l) => /^E\s/.test(l));
  if (pytest.length > 0) {
    const src = all.find((l) => /^>\s/.test(l));
    return [...(src ? [src] : []), ...pytest].slice(0, lines).join('\n');
  }
  return all
    .filter((l) => l.trim() && !/^\s*(at |File "|Traceback|_ _ _)/.test(l))
    .slice(0, lines)
    .join('\n');
}

/** The removed and added lines of a unified diff (without the +/- markers). */
export function changedLines(patch: string): { file: string; before: string[]; after: string[] }[] {
  const out: { file: string; before: string[]; after: string[] }[] = [];
  let cur: { file: string; before: string[]; after: string[] } | undefined;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++ ')) {
      cur = { file: line.slice(4).replace(/^b\//, ''), before: [], after: [] };
      out.push(cur);
    } else if (line.startsWith('--- ') || line.startsWith('diff ') || line.startsWith('index ')) {
      continue;
    } else if (cur && line.startsWith('-')) cur.before.push(line.slice(1));
    else if (cur && line.startsWith('+')) cur.after.push(line.slice(1));
  }
  return out;
}

/** Variable values recorded at (or nearest before) a line, last occurrences first. */
export function valuesAt(trace: VariableTrace | null, file: string, line: number, max = 4): { line: number; locals: Record<string, string> }[] {
  if (!trace) return [];
  let steps = trace.steps.filter((s) => s.file === file && s.line === line);
  if (steps.length === 0) {
    // Nearest traced line in the same function at or before the line.
    const same = trace.steps.filter((s) => s.file === file && s.line <= line);
    const nearest = same.reduce((m, s) => Math.max(m, s.line), -1);
    steps = same.filter((s) => s.line === nearest);
  }
  const seen = new Set<string>();
  const out: { line: number; locals: Record<string, string> }[] = [];
  for (const s of steps.slice().reverse()) {
    const key = JSON.stringify(s.locals);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ line: s.line, locals: s.locals });
    if (out.length >= max) break;
  }
  return out.reverse();
}

function formatLocals(locals: Record<string, string>, max = 6): string {
  const entries = Object.entries(locals).slice(0, max);
  if (entries.length === 0) return '(no locals)';
  return entries.map(([k, v]) => `\`${k} = ${clip(v, 60)}\``).join(', ');
}

/** A sentence on why a kind of change repairs a kind of fault (by the mutation operator). */
export function whyItFixes(description: string, operator: string): string {
  switch (operator) {
    case 'swap-comparison':
      return 'The comparison was wrong at its boundary (or in its direction): with the corrected operator the boundary case is decided the way the test expects, so the loop or branch no longer stops one step early or runs one step too far.';
    case 'off-by-one':
      return 'A value was off by one: the corrected bound or constant makes the computation cover exactly the range the test expects.';
    case 'swap-boolean':
      return 'The logical operator combined the conditions wrongly: with it corrected, the condition holds for exactly the cases the test expects.';
    case 'swap-arithmetic':
      return 'The arithmetic used the wrong operator: with it corrected, the value computed at this line is the one the test expects.';
    case 'negate-condition':
      return 'The condition tested the opposite case: with it corrected, the branch runs exactly when it should.';
    case 'swap-arguments':
      return 'The arguments were passed in the wrong order: with them swapped, the callee receives the values in the roles it expects (and, here, the computation makes progress towards its end).';
    case 'replace-identifier':
      return 'The code read the wrong variable: with the right one, the expected value flows to the result.';
    case 'weaken-condition':
      return 'The condition had a superfluous part that rejected valid cases: without it, the guard accepts what the test expects.';
    case 'add-return':
      return 'The function computed its result but did not return it: now it does.';
    case 'add-base-case':
      return 'The function lacked a base case for the smallest input: with it, that input is handled directly.';
    case 'remove-statement':
      return 'A statement did something the rest of the code did not expect: without it, the state at the end is the one the test expects.';
    case 'insert-guard':
      return 'A case the code did not handle (a missing value, an empty collection, an index out of range) reached a statement that cannot cope with it: the guard handles that case before it, and the other cases run as before.';
    case 'loop-guard':
      return 'The loop went on after the collection it consumes was empty: it now stops when there is nothing left.';
    case 'sibling-method':
      return 'The code called the wrong one of two sibling methods (the other end, the other direction, one item instead of many): with the right one, the value is the one the test expects.';
    case 'swap-operands':
      return 'The operands were the wrong way round for a non-commutative operator: with them swapped, the value computed at this line is the one the test expects.';
    case 'wrap-min-max-abs':
      return 'The value was not kept within its bounds (or its sign mattered where only its size should): bounding it gives the value the test expects.';
    case 'copy-statement':
      return 'A step that the code performs in a similar place elsewhere in the file was missing here: with it, the state is updated as the test expects.';
    case 'two-edits':
      return 'The fault had two parts: each edit alone made some of the failing tests pass, and together they make all of them pass.';
    default:
      return `With this change (${description}) the value computed at the patched line is the one the failing test expects.`;
  }
}

export function explainOffline(input: ExplainInput): string {
  const parts: string[] = [];
  const first = input.failing[0];

  // 1. What fails and how
  const lines1: string[] = ['## 1. What fails'];
  if (first) {
    const others = input.failing.length - 1;
    lines1.push(`\`${first.id}\` fails${others > 0 ? ` (and ${others} more: ${input.failing.slice(1, 4).map((t) => `\`${t.id}\``).join(', ')}${others > 3 ? ', …' : ''})` : ''} under \`${input.testCommand}\`.`);
    const ea = expectedVsActual(first.message);
    if (ea) lines1.push(`- expected: \`${ea.expected}\``, `- actual: \`${ea.actual}\``);
    const head = messageHead(first.message);
    if (head) lines1.push('', '```', head, '```');
  } else if (input.baseline?.timedOut) {
    lines1.push(`\`${input.testCommand}\` does not finish: it was stopped after ${Math.round(input.baseline.durationMs / 1000)} s (a test hangs, likely an endless loop).`);
  } else if (input.baseline) {
    lines1.push(`\`${input.testCommand}\` fails with exit code ${input.baseline.exitCode}.`);
    const tail = input.baseline.output.trim().split('\n').slice(-4).join('\n');
    if (tail) lines1.push('', '```', tail, '```');
  }
  parts.push(lines1.join('\n'));

  // 2. Where
  const lines2: string[] = ['## 2. Where'];
  if (input.suspects.length === 0) lines2.push('No line could be singled out (no coverage of the failing tests).');
  else {
    lines2.push('Most suspicious lines (Ochiai score over the tests that cover them):', '');
    for (const s of input.suspects.slice(0, 5)) {
      lines2.push(`- \`${s.file}:${s.line}\`${s.functionName ? ` in \`${s.functionName}\`` : ''} — ${s.score.toFixed(2)}: ${s.why}`);
    }
  }
  parts.push(lines2.join('\n'));

  // 3. Why (traced values)
  const lines3: string[] = ['## 3. Why'];
  const focus = input.best
    ? { file: input.best.candidate.file, line: input.best.candidate.line }
    : input.suspects[0]
      ? { file: input.suspects[0].file, line: input.suspects[0].line }
      : undefined;
  const values = focus ? valuesAt(input.trace, focus.file, focus.line) : [];
  if (focus && values.length > 0) {
    lines3.push(`While \`${input.trace?.test ?? first?.id ?? 'the failing test'}\` ran, the variables at \`${focus.file}:${focus.line}\` held:`, '');
    for (const v of values) lines3.push(`- line ${v.line}: ${formatLocals(v.locals)}`);
    if (input.trace?.truncated) lines3.push('- … (trace cut to stay small)');
  } else if (focus) {
    lines3.push(`No variable values were recorded at \`${focus.file}:${focus.line}\`${input.trace ? '' : ' (the trace could not be taken)'}.`);
  } else {
    lines3.push('No trace was taken.');
  }
  if (input.trace?.outcome) lines3.push('', `The test ended with: \`${clip(input.trace.outcome, 200)}\``);
  parts.push(lines3.join('\n'));

  if (input.best) {
    // 4. What changed
    const c = input.best.candidate;
    const lines4: string[] = ['## 4. What changed', `\`${c.file}\` line ${c.line}, repair template \`${c.operator}\`${c.parts ? ` (${c.parts.join(' + ')})` : ''}: ${c.description}:`, ''];
    for (const ch of changedLines(input.best.patch)) {
      for (const b of ch.before) lines4.push(`- before: \`${b.trim()}\``);
      for (const a of ch.after) lines4.push(`- after:  \`${a.trim()}\``);
    }
    const alternatives = input.alternatives ?? [];
    if (alternatives.length > 0) {
      lines4.push('', `${alternatives.length} other candidate${alternatives.length === 1 ? '' : 's'} passed the tests too; not chosen:`, '');
      for (const a of alternatives.slice(0, 6)) {
        lines4.push(`- \`${a.candidate.file}:${a.candidate.line}\` ${a.candidate.description} (\`${a.candidate.operator}\`): ${a.reason}`);
      }
      if (alternatives.length > 6) lines4.push(`- … ${alternatives.length - 6} more`);
    }
    parts.push(lines4.join('\n'));

    // 5. Why that fixes it
    const before = input.failing.length;
    const lines5: string[] = [
      '## 5. Why that fixes it',
      whyItFixes(c.description, c.operator),
      '',
      `Validated in an isolated copy: ${before > 0 ? `${before === 1 ? 'the failing test now passes' : `the ${before} failing tests now pass`}` : 'the test command now passes'}` +
        ` and no test that passed before fails (${input.best.after.passed} passed, ${input.best.after.failed} failed after the change).`,
    ];
    parts.push(lines5.join('\n'));
  } else {
    // What was tried
    const lines4: string[] = ['## 4. What was tried'];
    if (input.tried.length === 0) lines4.push('No candidate patch could be produced for the suspect lines.');
    else {
      const counts = new Map<string, number>();
      for (const t of input.tried) counts.set(t.verdict, (counts.get(t.verdict) ?? 0) + 1);
      lines4.push(
        `${input.tried.length} candidate patch${input.tried.length === 1 ? '' : 'es'} validated, none passes: ` +
          [...counts].map(([v, n]) => `${n} ${v}`).join(', ') +
          '.',
        '',
      );
      for (const t of input.tried.slice(0, 8)) lines4.push(`- \`${t.file}:${t.line}\` ${t.description} → ${t.verdict} (${clip(t.detail, 100)})`);
      if (input.tried.length > 8) lines4.push(`- … ${input.tried.length - 8} more`);
    }
    if (input.stopReason) lines4.push('', `Stopped: ${input.stopReason}.`);
    parts.push(lines4.join('\n'));
  }
  return parts.join('\n\n') + '\n';
}
