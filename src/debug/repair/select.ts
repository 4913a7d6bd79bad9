/**
 * Prefer the correct patch over the merely plausible one. When several candidates pass the
 * tests, the choice goes, in this order, to:
 *  1. no new special case: a patch that compares with a constant taken from a test file (and
 *     not already in the source) is suspect — it likely teaches the code the test's input;
 *  2. the smallest semantic change: the fewest traced values of the suspect functions that
 *     change while the PASSING tests run (0 = they see exactly what they saw before the patch);
 *  3. the smallest edit (characters changed);
 *  4. the likelier candidate (the repairer's order: suspiciousness, template, trace, size).
 * Each passing patch not chosen gets the reason of the first rule that put it behind.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { languageOf, parseSource, walk } from '../ast.js';
import type { Candidate, VariableTrace } from '../types.js';

/** Literals of the test files (numbers and strings, as written), trivial ones left out. */
export async function testLiterals(dir: string, files: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const file of files.slice(0, 30)) {
    const lang = languageOf(file);
    if (!lang) continue;
    let text: string;
    try {
      text = await readFile(join(dir, file), 'utf8');
    } catch {
      continue;
    }
    const tree = await parseSource(lang, text, file);
    try {
      walk(tree.rootNode, (n) => {
        if (n.type === 'integer' || n.type === 'float' || n.type === 'number') {
          if (!TRIVIAL.has(n.text)) out.add(n.text);
          return false;
        }
        if (n.type === 'string') {
          const body = n.text.replace(/^[bfru]*(['"`]{1,3})([\s\S]*)\1$/i, '$2');
          if (body.length > 0 && body.length <= 40 && !/\{|\$\{/.test(body)) out.add(body);
          return false;
        }
        return undefined;
      });
    } finally {
      tree.delete();
    }
  }
  return out;
}

const TRIVIAL = new Set(['0', '1', '2', '-1', '0.0', '1.0']);
const COMPARES = /===?|!==?|<=?|>=?|\bin\b|\bis\b|\.(includes|has|startsWith|endsWith|startswith|endswith)\(/;

/** The added code of a candidate (the text its edits insert), or the changed middle of the file. */
function addedText(original: string, cand: Candidate): string {
  if (cand.edits) return cand.edits.map((e) => e.text).join('\n');
  let p = 0;
  const a = original;
  const b = cand.newSource;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return b.slice(p, b.length - s);
}

/**
 * Constants of the tests that the patch brings into a comparison and that the original file
 * does not have: `if sku === 'GHOST-1'`, `n in (0, 1, 127)`. Empty when the patch is clean.
 */
export function specialCaseLiterals(original: string, cand: Candidate, literals: ReadonlySet<string>): string[] {
  const added = addedText(original, cand);
  if (!COMPARES.test(added) && !/\bif\b|\?|case\b/.test(added)) return [];
  const found: string[] = [];
  for (const m of added.matchAll(/(['"`])((?:\\.|(?!\1).)*)\1|-?\b\d+(?:\.\d+)?\b/g)) {
    const lit = m[2] ?? m[0];
    if (TRIVIAL.has(lit) || !literals.has(lit)) continue;
    const quoted = m[1] ? new RegExp(`(['"\`])${lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`) : new RegExp(`(^|[^\\w.])${lit.replace(/[.]/g, '\\.')}(?![\\w.])`);
    if (quoted.test(original)) continue;
    if (!found.includes(lit)) found.push(lit);
  }
  return found;
}

/** What a trace saw, as a set of (function, values) snapshots, line numbers left out (an inserted line shifts them). */
function snapshots(trace: VariableTrace): Set<string> {
  const out = new Set<string>();
  for (const s of trace.steps) {
    const locals = Object.entries(s.locals)
      .filter(([k]) => k !== '<exception>')
      .sort(([a], [b]) => a.localeCompare(b));
    out.add(`${s.function}\0${JSON.stringify(locals)}`);
  }
  return out;
}

/** How many traced snapshots differ between the passing tests' trace before and after a patch. */
export function behaviourDiff(before: VariableTrace, after: VariableTrace): number {
  const a = snapshots(before);
  const b = snapshots(after);
  let n = 0;
  for (const x of a) if (!b.has(x)) n++;
  for (const x of b) if (!a.has(x)) n++;
  return n;
}

export interface Contender {
  candidate: Candidate;
  /** Order in which it was validated (the repairer's order: lower = likelier). */
  order: number;
  /** behaviourDiff on the passing tests, when measured. */
  behaviourChanges?: number;
  /** Test constants the patch compares with (specialCaseLiterals). */
  specialCase: string[];
  /** Tokens changed (editSize). */
  size: number;
}

export interface Choice<T extends Contender> {
  best: T;
  others: { contender: T; reason: string }[];
}

/** Apply the rules above. */
export function choosePreferred<T extends Contender>(contenders: readonly T[]): Choice<T> | undefined {
  if (contenders.length === 0) return undefined;
  const measured = contenders.filter((c) => c.behaviourChanges !== undefined).map((c) => c.behaviourChanges!);
  const worst = measured.length > 0 ? Math.max(...measured) + 1 : 0;
  const key = (c: T) => [c.specialCase.length > 0 ? 1 : 0, c.behaviourChanges ?? worst, c.size, c.order] as const;
  const sorted = [...contenders].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
    return 0;
  });
  const best = sorted[0]!;
  const kb = key(best);
  const others = sorted.slice(1).map((c) => {
    const k = key(c);
    let reason: string;
    if (k[0] !== kb[0]) reason = `compares with a constant of the tests (${c.specialCase.slice(0, 2).join(', ')}): a special case for a test's input`;
    else if (k[1] !== kb[1])
      reason =
        c.behaviourChanges === undefined
          ? 'its effect on the passing tests could not be measured'
          : `changes more of what the passing tests see (${c.behaviourChanges} traced value${c.behaviourChanges === 1 ? '' : 's'} differ, ${best.behaviourChanges ?? 0} for the chosen patch)`;
    else if (k[2] !== kb[2]) reason = `a larger edit (${c.size} tokens changed, ${best.size} for the chosen patch)`;
    else reason = 'found later in the candidate order (less likely by suspiciousness and template)';
    return { contender: c, reason };
  });
  return { best, others };
}

const TOKENS = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|===|!==|==|!=|<=|>=|&&|\|\||\*\*|\/\/|[^\s\w]/g;
const count = (s: string) => (s.match(TOKENS) ?? []).length;

/** Tokens changed by a candidate (removed or added, whichever is more): `<` → `>` and `||` → `&&` are one each. */
export function editSize(original: string, cand: Candidate): number {
  const edits = cand.edits ?? [singleRange(original, cand.newSource)];
  return edits.reduce((n, e) => n + Math.max(count(e.text), count(original.slice(e.start, e.end))), 0);
}

function singleRange(a: string, b: string): { start: number; end: number; text: string } {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { start: p, end: a.length - s, text: b.slice(p, b.length - s) };
}
