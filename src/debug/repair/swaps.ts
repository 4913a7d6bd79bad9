/**
 * Swaps: the arguments of a call (any two of the first four, `f(a, v, b)` → `f(a, b, v)`), the
 * operands of a non-commutative operator (`start - now` → `now - start`), and two leaves of one
 * arithmetic expression (`c * 5 / 9` → `c * 9 / 5`).
 */
import { walk, type SyntaxNode } from '../ast.js';
import { argsOf, isCall, lineOf, type Edit, type RepairContext } from './context.js';
import { isBinary, mergedOperators } from './operators.js';

const NON_COMMUTATIVE = new Set(['-', '/', '//', '%', '**', '<<', '>>', '>>>']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '//', '%', '**']);

const swapText = (source: string, a: SyntaxNode, b: SyntaxNode) => `${b.text}${source.slice(a.endIndex, b.startIndex)}${a.text}`;

export function swapArguments(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  walk(ctx.root, (n) => {
    if (!isCall(n) || !ctx.targetLines.has(lineOf(n))) return;
    const line = lineOf(n);
    const args = argsOf(n).slice(0, 4);
    if (args.length < 2 || args.some((a) => /keyword_argument|list_splat|dictionary_splat|spread_element/.test(a.type))) return;
    const fn = n.childForFieldName('function')?.text ?? '';
    if (/^(print|console\.\w+|Math\.(min|max)|min|max)$/.test(fn)) return; // order does not matter there
    for (let i = 0; i < args.length; i++) {
      for (let j = i + 1; j < args.length; j++) {
        const a = args[i]!;
        const b = args[j]!;
        if (a.text === b.text) continue;
        edits.push({
          // Neighbours are the usual mix-up; farther pairs come later.
          alt: j - i - 1,
          start: a.startIndex,
          end: b.endIndex,
          text: `${b.text}${ctx.source.slice(a.endIndex, b.startIndex)}${a.text}`,
          operator: 'swap-arguments',
          description: `line ${line}: swap '${a.text}' and '${b.text}'`,
          line,
        });
      }
    }
  });
  return edits;
}

/** Leaves of a chain of arithmetic operators (through parentheses), left to right. */
function arithmeticLeaves(n: SyntaxNode, out: SyntaxNode[]): void {
  const inner = n.type === 'parenthesized_expression' ? n.namedChild(0) : n;
  if (inner && isBinary(inner) && inner.type !== 'comparison_operator' && inner.type !== 'boolean_operator' && mergedOperators(inner).every((o) => ARITHMETIC.has(o.op))) {
    const l = inner.childForFieldName('left') ?? inner.namedChild(0);
    const r = inner.childForFieldName('right') ?? inner.namedChild(1);
    if (l) arithmeticLeaves(l, out);
    if (r) arithmeticLeaves(r, out);
    return;
  }
  out.push(n);
}

export function swapOperands(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  const done = new Set<SyntaxNode>();
  walk(ctx.root, (n) => {
    if (!isBinary(n) || n.type === 'comparison_operator' || n.type === 'boolean_operator') return;
    const ops = mergedOperators(n);
    if (ops.length !== 1) return;
    const op = ops[0]!;
    const line = op.row + 1;
    if (!ctx.targetLines.has(line)) return;
    const l = n.childForFieldName('left') ?? n.namedChild(0);
    const r = n.childForFieldName('right') ?? n.namedChild(1);
    if (!l || !r) return;
    if (NON_COMMUTATIVE.has(op.op) && l.text !== r.text) {
      edits.push({ start: l.startIndex, end: r.endIndex, text: swapText(ctx.source, l, r), operator: 'swap-operands', description: `line ${line}: '${n.text}' → '${r.text} ${op.op} ${l.text}'`, line });
    }
    // Two leaves of the largest arithmetic expression around (once per expression).
    if (!ARITHMETIC.has(op.op)) return;
    let top: SyntaxNode = n;
    for (let p = n.parent; p; p = p.parent) {
      if (p.type === 'parenthesized_expression') continue;
      if (isBinary(p) && p.type !== 'comparison_operator' && p.type !== 'boolean_operator' && mergedOperators(p).every((o) => ARITHMETIC.has(o.op))) top = p;
      else break;
    }
    if (done.has(top)) return;
    done.add(top);
    const leaves: SyntaxNode[] = [];
    arithmeticLeaves(top, leaves);
    if (leaves.length < 3 || leaves.length > 6) return; // two leaves are the operand swap above
    let alt = 0;
    for (let i = 0; i < leaves.length; i++) {
      for (let j = i + 1; j < leaves.length; j++) {
        const a = leaves[i]!;
        const b = leaves[j]!;
        if (a.text === b.text) continue;
        // Leaves that are whole operands of the same operator are the operand swap.
        if (a.parent?.equals(b.parent!) && isBinary(a.parent)) continue;
        edits.push({
          alt: 1 + alt++,
          start: a.startIndex,
          end: b.endIndex,
          text: `${b.text}${ctx.source.slice(a.endIndex, b.startIndex)}${a.text}`,
          operator: 'swap-operands',
          description: `line ${line}: swap '${a.text}' and '${b.text}' in '${top.text}'`,
          line,
        });
      }
    }
  });
  return edits;
}
