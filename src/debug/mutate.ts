/**
 * Candidate patches at suspicious lines (the repair agent's offline behaviour): generating and
 * ordering. The templates live in src/debug/repair/<family>.ts, each a tree-sitter rewrite with
 * the name the report shows:
 *
 *   operators.ts   swap-comparison, swap-boolean, swap-arithmetic, off-by-one (literals and
 *                  range/slice/index bounds), negate-condition, weaken-condition, unwrap-call,
 *                  add-return, add-base-case
 *   arithmetic.ts  off-by-one on any integer sub-expression; wrap-min-max-abs
 *   guards.ts      insert-guard (None / empty / bounds, from the trace), loop-guard
 *   variables.ts   replace-identifier (same traced type; fields too)
 *   swaps.ts       swap-arguments (any two), swap-operands (non-commutative operators, leaves)
 *   siblings.ts    sibling-method (append/extend, startswith/endswith, min/max, floor/ceil …)
 *   ingredients.ts copy-statement (from elsewhere in the file, adapted)
 *   delete.ts      remove-statement
 *   two-edits      two single edits at once (combineEdits below; the repairer picks the pairs)
 *
 * Every candidate is the whole new file and parses; no edit touches module loading.
 *
 * Order: the line's suspiciousness first, then the template's prior (the table below, adjusted
 * by what the traced values say: an edit about the first variable whose value differs between
 * the failing and the passing tests moves ahead), then the size of the edit.
 */
import { hasSyntaxError, parseSource, walk, type SyntaxNode } from './ast.js';
import { integerOffByOne, wrapMinMaxAbs } from './repair/arithmetic.js';
import { makeContext, type Edit, type Template } from './repair/context.js';
import { removeStatement } from './repair/delete.js';
import { insertGuard, loopGuard } from './repair/guards.js';
import { copyStatement } from './repair/ingredients.js';
import { functionLevel, literalAndBoundOffByOne, swapOperators, unwrapAndNegate } from './repair/operators.js';
import { siblingMethod } from './repair/siblings.js';
import { swapArguments, swapOperands } from './repair/swaps.js';
import { NO_FACTS, type TraceFacts } from './repair/values.js';
import { replaceVariable } from './repair/variables.js';
import type { Candidate, Language } from './types.js';

/*
 * Template priority (lower first): how often each kind of edit fixes real one-hunk bugs in the
 * repair literature (boundary conditions and off-by-ones dominate; guards, wrong variables and
 * sibling calls follow; copied statements and deletions overfit most), in operator levels.
 * A second alternative of a template at one place costs 1.5 levels more; a guard without trace
 * evidence up to 3 more (guards.ts).
 */
export const OPERATOR_PRIORITY: Record<string, number> = {
  'swap-comparison': 1,
  'off-by-one': 2,
  'swap-boolean': 3,
  'loop-guard': 3,
  'swap-arithmetic': 4,
  'insert-guard': 4,
  'negate-condition': 5,
  'swap-arguments': 5,
  'replace-identifier': 6,
  'sibling-method': 6,
  'swap-operands': 6,
  'unwrap-call': 7,
  'wrap-min-max-abs': 7,
  'weaken-condition': 8,
  'add-return': 8,
  'copy-statement': 8,
  'add-base-case': 9,
  'remove-statement': 10,
  'two-edits': 11,
};

/** Every template family, in the order above (order does not matter: candidates are sorted). */
export const TEMPLATES: Record<string, Template> = {
  operators: swapOperators,
  bounds: literalAndBoundOffByOne,
  conditions: unwrapAndNegate,
  functions: functionLevel,
  integers: integerOffByOne,
  wrap: wrapMinMaxAbs,
  guards: insertGuard,
  loops: loopGuard,
  variables: replaceVariable,
  arguments: swapArguments,
  operands: swapOperands,
  siblings: siblingMethod,
  ingredients: copyStatement,
  delete: removeStatement,
};

export interface GenerateInput {
  file: string;
  lang: Language;
  source: string;
  /** Suspicious lines (1-based) with their scores; higher score = tried first. */
  lines: { line: number; score: number }[];
  maxCandidates: number;
  /** What the traces say (types, values that differ between failing and passing tests). */
  facts?: TraceFacts;
  /** Template families to use (keys of TEMPLATES); all by default. */
  families?: string[];
}

/** A rank step of the line's suspiciousness is worth three template levels (capped). */
export function orderKey(rank: number, priority: number): number {
  return Math.min(rank, 8) * 300 + priority;
}

/**
 * Operator levels an edit gains from the traced values: it replaces a variable whose value differs
 * between the failing and the passing tests (the first such variable most). Guards weigh their
 * own evidence (guards.ts `cost`); other templates gain nothing from it.
 */
function traceBonus(e: Edit, facts: TraceFacts, file: string): number {
  if (!e.focus || facts.differing.length === 0) return 0;
  if (e.operator !== 'replace-identifier' && e.operator !== 'sibling-method') return 0;
  const mine = facts.differing.filter((d) => d.file === file);
  const idx = mine.findIndex((d) => e.focus!.includes(d.name) || (d.other !== undefined && e.focus!.includes(d.other)));
  if (idx < 0) return 0;
  // A missing or empty value is a strong sign; a sign or an order of numbers changes with any input.
  const strong = mine[idx]!.kind === 'none' || mine[idx]!.kind === 'empty';
  return strong ? (idx === 0 ? 1.5 : 0.75) : 0.25;
}

/** The priority of an edit without the line's rank: template, alternative, evidence, trace, size. */
function editPriority(e: Edit, facts: TraceFacts, file: string): number {
  const op = OPERATOR_PRIORITY[e.operator] ?? 10;
  const size = Math.abs(e.text.length - (e.end - e.start)) + Math.min(e.text.length, e.end - e.start) / 10;
  const levels = Math.max(0, op + 1.5 * Math.min(4, e.alt ?? 0) + (e.cost ?? 0) - traceBonus(e, facts, file));
  return Math.round(levels * 100) + Math.min(99, Math.round(size));
}
/**
 * Source ranges that load modules: `import …`, `from … import …`, `export … from`, `require(…)`,
 * dynamic `import(…)`, `__import__(…)` / `importlib.import_module(…)`. No edit may touch them:
 * turning `require('qs')` into `'qs'` breaks module loading, the suite dies before running a
 * test, and the failing tests "vanish" — that is never a repair.
 */
export function moduleLoadingRanges(root: SyntaxNode): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = [];
  walk(root, (n) => {
    const t = n.type;
    if (t === 'import_statement' || t === 'import_from_statement' || t === 'future_import_statement') {
      ranges.push({ start: n.startIndex, end: n.endIndex });
      return false;
    }
    if (t === 'export_statement' && n.childForFieldName('source')) {
      ranges.push({ start: n.startIndex, end: n.endIndex });
      return false;
    }
    if (t === 'call_expression' || t === 'call') {
      const fn = n.childForFieldName('function');
      if (fn && (fn.type === 'import' || /^(require|require\.resolve|__import__|importlib\.import_module|import_module)$/.test(fn.text))) {
        ranges.push({ start: n.startIndex, end: n.endIndex });
        return false;
      }
    }
    return undefined;
  });
  return ranges;
}

function touchesAny(e: { start: number; end: number }, ranges: readonly { start: number; end: number }[]): boolean {
  return ranges.some((r) => (e.start === e.end ? e.start > r.start && e.start < r.end : e.start < r.end && e.end > r.start));
}

/**
 * Candidates at the given lines, ordered by the line's suspiciousness, then by the template's
 * priority (table above, with the trace's say), then by the size of the edit. Identical outputs
 * are kept once. `priority` holds the whole order key; `cost` the part without the line's rank
 * (the repairer re-ranks across files).
 */
export async function generateCandidates(input: GenerateInput): Promise<Candidate[]> {
  const { file, lang, source, maxCandidates } = input;
  if (maxCandidates <= 0 || input.lines.length === 0) return [];
  const facts = input.facts ?? NO_FACTS;
  const tree = await parseSource(lang, source, file);
  let edits: Edit[] = [];
  const scoreOf = new Map<number, number>();
  for (const l of input.lines) scoreOf.set(l.line, Math.max(scoreOf.get(l.line) ?? -Infinity, l.score));
  try {
    const ctx = makeContext(file, lang, source, tree.rootNode, new Set(scoreOf.keys()), facts);
    for (const [name, template] of Object.entries(TEMPLATES)) {
      if (input.families && !input.families.includes(name)) continue;
      try {
        edits.push(...template(ctx));
      } catch {
        // A template that trips over an unusual tree offers nothing; the others still do.
      }
    }
    const protectedRanges = moduleLoadingRanges(tree.rootNode);
    edits = edits.filter((e) => !touchesAny(e, protectedRanges));
  } finally {
    tree.delete();
  }
  // Rank of each distinct score (0 = most suspicious).
  const distinct = [...new Set(scoreOf.values())].sort((a, b) => b - a);
  const rankOf = (line: number) => Math.max(0, distinct.indexOf(scoreOf.get(line) ?? -Infinity));
  const scored = edits
    .map((e) => {
      const cost = editPriority(e, facts, file);
      return { e, cost, key: orderKey(rankOf(e.line), cost) };
    })
    .sort((a, b) => a.key - b.key || a.e.line - b.e.line || a.e.start - b.e.start);

  const seen = new Set<string>([source]);
  const out: Candidate[] = [];
  for (const { e, cost, key } of scored) {
    if (out.length >= maxCandidates) break;
    const newSource = source.slice(0, e.start) + e.text + source.slice(e.end);
    if (seen.has(newSource)) continue;
    seen.add(newSource);
    if (await hasSyntaxError(lang, newSource, file)) continue;
    out.push({ file, operator: e.operator, description: e.description, line: e.line, newSource, priority: key, cost, edits: [{ start: e.start, end: e.end, text: e.text }] });
  }
  return out;
}

/** The one replaced range between two texts (common prefix and suffix), in `before`'s offsets. */
export function singleEdit(before: string, after: string): { start: number; end: number; text: string } {
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before[p] === after[p]) p++;
  let s = 0;
  while (s < max - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  return { start: p, end: before.length - s, text: after.slice(p, after.length - s) };
}

/**
 * two-edits: two candidates of the same file applied together (their edits must not overlap).
 * Null when they overlap or the result does not parse.
 */
export async function combineEdits(lang: Language, source: string, a: Candidate, b: Candidate): Promise<Candidate | null> {
  if (a.file !== b.file) return null;
  const ea = a.edits ?? [singleEdit(source, a.newSource)];
  const eb = b.edits ?? [singleEdit(source, b.newSource)];
  const all = [...ea, ...eb].sort((x, y) => x.start - y.start);
  for (let i = 1; i < all.length; i++) {
    const prev = all[i - 1]!;
    const cur = all[i]!;
    if (cur.start < prev.end || (cur.start === prev.start && cur.start === cur.end)) return null;
  }
  let text = source;
  for (const e of [...all].reverse()) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  if (text === source || text === a.newSource || text === b.newSource) return null;
  if (await hasSyntaxError(lang, text, a.file)) return null;
  const cost = OPERATOR_PRIORITY['two-edits']! * 100 + Math.min(99, ((a.cost ?? 0) % 100) + ((b.cost ?? 0) % 100));
  return {
    file: a.file,
    operator: 'two-edits',
    description: `${a.description} + ${b.description}`,
    line: Math.min(a.line, b.line),
    newSource: text,
    priority: cost,
    cost,
    edits: all,
    parts: [a.operator, b.operator],
  };
}
