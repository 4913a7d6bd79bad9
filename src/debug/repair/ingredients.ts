/**
 * copy-statement: a statement missing here that exists in a similar form elsewhere in the same
 * file ("fix ingredients" from the program itself: withdraw() lacks the history line deposit()
 * has; merge() updates min but not max). Each ingredient is inserted before or after a suspect
 * statement, as written or adapted:
 *  - the name of the function it comes from becomes the name of the one it goes to
 *    (`("deposit", …)` → `("withdraw", …)` when copied from deposit() into withdraw());
 *  - a sibling word swapped throughout (min ↔ max, start ↔ end, first ↔ last, left ↔ right …);
 *  - one string literal replaced by another one of the file.
 * Only statements whose names are all in scope at the insertion point are offered, and the ones
 * whose neighbourhood looks most like the insertion point's come first.
 */
import { walk, type SyntaxNode } from '../ast.js';
import { blockFunction, blockStatements, enclosingClass, indentAt, isStatement, lineOf, localNames, statementAt, type Edit, type RepairContext } from './context.js';

const PY_BUILTINS = new Set(
  'len str int float bool list dict set tuple frozenset min max abs sum sorted reversed range enumerate zip map filter any all print isinstance issubclass round divmod pow hash id iter next repr type object super getattr setattr hasattr format ord chr open None True False self cls Exception ValueError KeyError IndexError TypeError RuntimeError StopIteration NotImplementedError'.split(' '),
);
const JS_BUILTINS = new Set(
  'Math Object Array JSON Number String Boolean Date Map Set WeakMap Promise Symbol BigInt console undefined null NaN Infinity Error TypeError RangeError SyntaxError parseInt parseFloat isNaN this true false require module exports process globalThis'.split(' '),
);

/** Pairs of words a copied statement may be mirrored by (a whole-word swap throughout). */
const MIRRORS: [string, string][] = [
  ['min', 'max'],
  ['Min', 'Max'],
  ['start', 'end'],
  ['Start', 'End'],
  ['first', 'last'],
  ['First', 'Last'],
  ['left', 'right'],
  ['Left', 'Right'],
  ['head', 'tail'],
  ['lo', 'hi'],
  ['low', 'high'],
  ['prev', 'next'],
  ['before', 'after'],
  ['open', 'close'],
  ['width', 'height'],
  ['x', 'y'],
  ['row', 'col'],
  ['rows', 'cols'],
  ['push', 'pop'],
  ['inc', 'dec'],
  ['add', 'remove'],
  ['deposit', 'withdraw'],
];

function moduleNames(ctx: RepairContext): Set<string> {
  const out = new Set<string>();
  for (const n of ctx.root.namedChildren) {
    if (!n) continue;
    walk(n, (x) => {
      if (/^(function_definition|function_declaration|class_definition|class_declaration|generator_function_declaration)$/.test(x.type)) {
        const nm = x.childForFieldName('name');
        if (nm) out.add(nm.text);
        return false;
      }
      if (x.type === 'variable_declarator') {
        const nm = x.childForFieldName('name');
        if (nm) walk(nm, (y) => void (y.type === 'identifier' ? out.add(y.text) : undefined));
        return false;
      }
      if (x.type === 'assignment') {
        const l = x.childForFieldName('left');
        if (l?.type === 'identifier') out.add(l.text);
        return false;
      }
      if (/import/.test(x.type)) {
        walk(x, (y) => void (y.type === 'identifier' || y.type === 'dotted_name' ? out.add(y.text.split('.')[0]!) : undefined));
        return false;
      }
      if (x.type === 'export_statement') return undefined;
      return x === n ? undefined : false;
    });
  }
  return out;
}

/** Free names of a statement (not properties, not keys, not callee members). */
function freeNames(n: SyntaxNode): string[] {
  const out = new Set<string>();
  walk(n, (x) => {
    if (x.type !== 'identifier') return;
    const p = x.parent;
    if (p && (p.type === 'attribute' || p.type === 'member_expression') && !p.child(0)?.equals(x)) return;
    if (p && (p.type === 'keyword_argument' || p.type === 'pair') && p.child(0)?.equals(x)) return;
    out.add(x.text);
  });
  return [...out];
}

const tokens = (s: string) => new Set(s.match(/[A-Za-z_$][\w$]*|\d+|[^\s\w]/g) ?? []);
function similarity(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.size === 0 || tb.size === 0) return 0;
  let both = 0;
  for (const t of ta) if (tb.has(t)) both++;
  return both / (ta.size + tb.size - both);
}

const squash = (s: string) => s.replace(/\s+/g, '');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function functionName(fn: SyntaxNode | undefined): string | undefined {
  if (!fn) return undefined;
  return fn.childForFieldName('name')?.text ?? (fn.parent?.type === 'variable_declarator' ? fn.parent.childForFieldName('name')?.text : undefined);
}

interface Ingredient {
  stmt: SyntaxNode;
  fn: SyntaxNode | undefined;
  /** The statement before it in its block (its context). */
  before: SyntaxNode | undefined;
}

function ingredientsOf(ctx: RepairContext): Ingredient[] {
  const out: Ingredient[] = [];
  walk(ctx.root, (n) => {
    if (n.type !== 'expression_statement' || !isStatement(ctx, n)) return undefined;
    if (n.startPosition.row !== n.endPosition.row || n.text.length > 160) return undefined;
    const inner = n.namedChild(0);
    // Docstrings, bare names and yields are not ingredients.
    if (!inner || inner.type === 'string' || inner.type === 'identifier' || /yield|await/.test(inner.type)) return undefined;
    const block = n.parent!;
    const stmts = blockStatements(block);
    const i = stmts.findIndex((s) => s.equals(n));
    out.push({ stmt: n, fn: blockFunction(ctx, lineOf(n)), before: i > 0 ? stmts[i - 1] : undefined });
    return undefined;
  });
  return out;
}

/** The adapted forms of an ingredient's text for a target function, best first. */
function variants(ctx: RepairContext, ing: Ingredient, target: SyntaxNode, strings: string[]): { text: string; how: string; alt: number }[] {
  const text = ing.stmt.text;
  const out: { text: string; how: string; alt: number }[] = [];
  const from = functionName(ing.fn);
  const to = functionName(target);
  let renamed = false;
  if (from && to && from !== to && new RegExp(`\\b${escape(from)}\\b`).test(text)) {
    out.push({ text: text.replace(new RegExp(`\\b${escape(from)}\\b`, 'g'), to), how: `with '${from}' → '${to}'`, alt: 0 });
    renamed = true;
  }
  out.push({ text, how: '', alt: renamed ? 2 : 0 });
  for (const [a, b] of MIRRORS) {
    for (const [w, v] of [
      [a, b],
      [b, a],
    ] as const) {
      const re = new RegExp(`(?<![A-Za-z0-9_$])${w}(?![a-z0-9_$])`, 'g');
      if (re.test(text)) out.push({ text: text.replace(re, v), how: `with '${w}' → '${v}'`, alt: 1 });
    }
  }
  let k = 0;
  walk(ing.stmt, (x) => {
    if (x.type !== 'string' || k >= 3) return x.type === 'string' ? false : undefined;
    for (const s of strings) {
      if (s === x.text || k >= 3 || s.slice(1, -1) === x.text.slice(1, -1)) continue;
      out.push({ text: text.slice(0, x.startIndex - ing.stmt.startIndex) + s + text.slice(x.endIndex - ing.stmt.startIndex), how: `with the string ${x.text} → ${s}`, alt: 1 });
      k++;
    }
    return false;
  });
  return out;
}

export function copyStatement(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  const ingredients = ingredientsOf(ctx);
  if (ingredients.length === 0) return edits;
  const modNames = moduleNames(ctx);
  const builtins = ctx.py ? PY_BUILTINS : JS_BUILTINS;
  const strings: string[] = [];
  walk(ctx.root, (x) => {
    if (x.type === 'string' && /^(['"])[\w -]{1,24}\1$/.test(x.text) && !strings.some((s) => s.slice(1, -1) === x.text.slice(1, -1))) strings.push(x.text);
    return x.type === 'string' ? false : undefined;
  });
  const done = new Set<number>();
  for (const line of [...ctx.targetLines].sort((a, b) => a - b)) {
    const stmt = statementAt(ctx, line);
    if (!stmt || lineOf(stmt) !== line) continue;
    const fn = blockFunction(ctx, line);
    if (!fn) continue;
    const block = stmt.parent!;
    const stmts = blockStatements(block);
    const here = new Set(stmts.map((s) => squash(s.text)));
    const inScope = new Set([...localNames(ctx, fn), ...modNames, ...builtins]);
    const idx = stmts.findIndex((s) => s.equals(stmt));
    const hasSelf = (fn.childForFieldName('parameters')?.namedChildren ?? []).some((p) => p?.text === 'self');
    const inClass = !!enclosingClass(fn);
    // Before the statement (context: the one above it) and after it (context: itself).
    const places: { at: number; context: SyntaxNode | undefined; where: string; indentFrom: SyntaxNode; after: boolean }[] = [];
    if (!done.has(stmt.startIndex)) places.push({ at: stmt.startIndex, context: idx > 0 ? stmts[idx - 1] : undefined, where: `before line ${line}`, indentFrom: stmt, after: false });
    done.add(stmt.startIndex);
    if (stmt.type !== 'return_statement' && !/^(raise|throw|break|continue)/.test(stmt.type)) {
      const next = stmts[idx + 1];
      if (next) done.add(next.startIndex);
      places.push({ at: stmt.endIndex, context: stmt, where: `after line ${stmt.endPosition.row + 1}`, indentFrom: stmt, after: true });
    }
    const ranked = ingredients.map((ing) => ({ ing, near: ing.fn && fn && ing.fn.equals(fn) ? 0.15 : 0 }));
    for (const place of places) {
      // Right after the statement it comes from is the place for a mirrored copy (min → max).
      const scored = ranked
        .map(({ ing, near }) => ({ ing, score: similarity(ing.before?.text ?? '', place.context?.text ?? '') + near + (place.context?.equals(ing.stmt) ? 0.5 : 0) }))
        .filter((x) => x.score >= 0.15)
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const ind = indentAt(ctx.source, place.indentFrom.startIndex);
      for (const [rank, { ing, score }] of scored.entries()) {
        for (const v of variants(ctx, ing, fn, strings)) {
          if (here.has(squash(v.text))) continue;
          // Every name the statement reads must exist where it lands.
          const swap = /^with '(\w+)' → '(\w+)'$/.exec(v.how);
          const names = freeNames(ing.stmt).map((n) => (swap && n === swap[1] ? swap[2]! : n));
          if (names.some((n) => !inScope.has(n) && !/^(self|this)$/.test(n))) continue;
          if (/\bself\./.test(v.text) && !hasSelf) continue;
          if (/\bthis\./.test(v.text) && !inClass) continue;
          const text = place.after ? `\n${ind}${v.text}` : `${v.text}\n${ind}`;
          edits.push({
            alt: v.alt,
            // A statement whose neighbour looks like the insertion point's (`balance += amount`
            // before it, `balance -= amount` here) is the likely missing one.
            cost: (score >= 0.6 ? -3 : score >= 0.4 ? -1.5 : 0) + Math.min(3, rank) * 0.5,
            start: place.at,
            end: place.at,
            text,
            operator: 'copy-statement',
            description: `line ${line}: add '${v.text}' ${place.where} (from line ${lineOf(ing.stmt)}${v.how ? `, ${v.how}` : ''})`,
            line,
            focus: freeNames(ing.stmt),
          });
        }
      }
    }
  }
  return edits;
}
