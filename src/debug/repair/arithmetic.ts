/**
 * Numeric templates:
 *  - off-by-one on any integer sub-expression (`hi - lo` → `hi - lo + 1`, `text.count(…)` →
 *    `text.count(…) + 1`), not only on literals and range bounds (operators.ts): integer by the
 *    trace (the assigned variable, the returned value, the names in it), or by construction
 *    (len(), .length, indexOf(), Math.floor() …);
 *  - wrap-min-max-abs: `E` → `max(E, 0)`, `min(E, B)`, `abs(a - b)` (Math.* in JavaScript), B an
 *    unused numeric parameter, a number of the function, or a numeric field.
 */
import { walk, type SyntaxNode } from '../ast.js';
import { blockFunction, classFields, innermostFunction, isCall, lineOf, namesIn, typesOfName, type Edit, type RepairContext } from './context.js';
import { isBinary, mergedOperators } from './operators.js';

const INT_CALL_PY = /^(len|int|round|ord|sum|abs|min|max|math\.floor|math\.ceil|floor|ceil|[\w.]+\.(count|index|rindex|find|rfind|bit_length))$/;
const INT_CALL_JS = /^(Math\.(floor|ceil|round|trunc|abs|min|max|sign)|parseInt|Number\.parseInt|[\w.$]+\.(indexOf|lastIndexOf|findIndex|findLastIndex|search|charCodeAt|codePointAt|getUTC\w+|get(Date|Day|Month|FullYear|Hours|Minutes|Seconds)))$/;
const INT_OPS_PY = new Set(['+', '-', '*', '//', '%']);
const INT_OPS_JS = new Set(['+', '-', '*', '%']);

type Numeric = 'int' | 'num' | 'no' | '?';

/** Is the expression an integer (or a number) by the trace or by construction? */
function numericKind(ctx: RepairContext, e: SyntaxNode): Numeric {
  const t = e.type;
  if (t === 'integer' || (t === 'number' && /^\d+$/.test(e.text))) return 'int';
  if (t === 'float' || t === 'number') return 'num';
  if (t === 'parenthesized_expression') return e.namedChild(0) ? numericKind(ctx, e.namedChild(0)!) : '?';
  if (t === 'identifier' || ((t === 'attribute' || t === 'member_expression') && /^(self|this)\./.test(e.text))) {
    const types = typesOfName(ctx, e, e.text);
    if (types.size === 0) return '?';
    if ([...types].every((x) => x === 'int')) return 'int';
    if ([...types].every((x) => x === 'int' || x === 'float')) return 'num';
    return 'no';
  }
  if (t === 'member_expression' && /^(length|size)$/.test(e.childForFieldName('property')?.text ?? '')) return 'int';
  if (isCall(e)) {
    const fn = e.childForFieldName('function')?.text ?? '';
    return (ctx.py ? INT_CALL_PY : INT_CALL_JS).test(fn) ? 'int' : '?';
  }
  if (isBinary(e) && e.type !== 'comparison_operator' && e.type !== 'boolean_operator') {
    const ops = mergedOperators(e);
    const l = e.childForFieldName('left') ?? e.namedChild(0);
    const r = e.childForFieldName('right') ?? e.namedChild(1);
    if (!l || !r || ops.length !== 1) return '?';
    const lk = numericKind(ctx, l);
    const rk = numericKind(ctx, r);
    if (lk === 'no' || rk === 'no') return 'no';
    if (lk === 'int' && rk === 'int' && (ctx.py ? INT_OPS_PY : INT_OPS_JS).has(ops[0]!.op)) return 'int';
    if ((lk === 'int' || lk === 'num') && (rk === 'int' || rk === 'num')) return 'num';
    return '?';
  }
  return '?';
}

/** The traced type of what an expression becomes: the assigned variable, or the returned value. */
function destinationKind(ctx: RepairContext, e: SyntaxNode): Numeric {
  const p = e.parent;
  if (!p) return '?';
  if ((p.type === 'assignment' || p.type === 'assignment_expression' || p.type === 'augmented_assignment') && p.childForFieldName('right')?.equals(e)) {
    const left = p.childForFieldName('left');
    if (left && /^[\w.$]+$/.test(left.text)) {
      const types = typesOfName(ctx, left, left.text);
      if (types.size > 0) return [...types].every((x) => x === 'int') ? 'int' : [...types].every((x) => x === 'int' || x === 'float') ? 'num' : 'no';
    }
  }
  if (p.type === 'variable_declarator' && p.childForFieldName('value')?.equals(e)) {
    const nm = p.childForFieldName('name');
    if (nm && /^[\w$]+$/.test(nm.text)) {
      const types = typesOfName(ctx, nm, nm.text);
      if (types.size > 0) return [...types].every((x) => x === 'int') ? 'int' : [...types].every((x) => x === 'int' || x === 'float') ? 'num' : 'no';
    }
  }
  if (p.type === 'return_statement') {
    const fn = innermostFunction(ctx, lineOf(e), true);
    if (fn) {
      const types = ctx.facts.typesIn(ctx.file, fn.startPosition.row + 1, fn.endPosition.row + 1, '<return>');
      if (types.size > 0) return [...types].every((x) => x === 'int') ? 'int' : [...types].every((x) => x === 'int' || x === 'float') ? 'num' : 'no';
    }
  }
  return '?';
}

function isTarget(e: SyntaxNode): boolean {
  const p = e.parent;
  if (!p) return true;
  if ((p.type === 'assignment' || p.type === 'augmented_assignment' || p.type === 'assignment_expression' || p.type === 'augmented_assignment_expression') && p.childForFieldName('left')?.equals(e)) return true;
  if ((p.type === 'update_expression' || p.type === 'for_statement' || p.type === 'for_in_statement') && (p.childForFieldName('left')?.equals(e) || p.childForFieldName('argument')?.equals(e))) return true;
  if (p.type === 'variable_declarator' && p.childForFieldName('name')?.equals(e)) return true;
  if ((p.type === 'attribute' || p.type === 'member_expression') && !p.child(0)?.equals(e)) return true;
  if (isCall(p) && p.childForFieldName('function')?.equals(e)) return true;
  if (/parameter|keyword_argument|pair|type/.test(p.type) && p.child(0)?.equals(e)) return true;
  return false;
}

/** Needs parentheses when `± 1` is appended inside its parent. */
function wrapFor(e: SyntaxNode, text: string): string {
  const p = e.parent;
  if (!p) return text;
  if (isBinary(p) || p.type === 'unary_operator' || p.type === 'unary_expression' || p.type === 'not_operator' || p.type === 'attribute' || p.type === 'member_expression' || p.type === 'subscript' || p.type === 'subscript_expression' || p.type === 'await') return `(${text})`;
  return text;
}

export function integerOffByOne(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  const seen = new Set<string>();
  walk(ctx.root, (e) => {
    const line = lineOf(e);
    if (!ctx.targetLines.has(line) || e.startPosition.row !== e.endPosition.row) return;
    if (e.type === 'integer' || e.type === 'number' || e.type === 'string' || e.type === 'parenthesized_expression') return;
    if (!/^(identifier|attribute|member_expression|call|call_expression|binary_operator|binary_expression)$/.test(e.type)) return;
    if (isTarget(e)) return;
    // `x - 1` / `x + 1` is undone by the bound template, not doubled here.
    if (/[-+]\s*1$/.test(e.text) && isBinary(e)) return;
    const own = numericKind(ctx, e);
    const dest = destinationKind(ctx, e);
    if (own === 'no' || own === 'num' || dest === 'no' || dest === 'num') return;
    if (own !== 'int' && dest !== 'int') return;
    const key = `${e.startIndex}:${e.endIndex}`;
    if (seen.has(key)) return;
    seen.add(key);
    // A whole value (assigned, returned) is the likelier place than a name deep inside.
    const whole = dest === 'int' || e.parent?.type === 'return_statement' || e.parent?.type === 'parenthesized_expression' || e.parent?.type === 'pair';
    // An integer by construction (len(), .count(), hi - lo) that is a whole value is the
    // classic place; a call of our own or a bare name deep inside is a longer shot.
    const alt = e.type === 'identifier' ? 3 : whole && own === 'int' ? 1 : 2;
    for (const d of ['+ 1', '- 1']) {
      const text = wrapFor(e, `${e.text} ${d}`);
      edits.push({ alt, start: e.startIndex, end: e.endIndex, text, operator: 'off-by-one', description: `line ${line}: '${e.text}' → '${text}'`, line, focus: namesIn(e) });
    }
  });
  return edits;
}

/** Every name a function's parameters bind (destructured ones included), with its declaration text. */
export function parameterNames(fn: SyntaxNode): { name: string; declared: string }[] {
  const out: { name: string; declared: string }[] = [];
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  for (const p of params?.namedChildren ?? []) {
    if (!p) continue;
    walk(p, (x) => {
      if (/type_annotation|^type$/.test(x.type)) return false;
      if (x.type === 'identifier' || x.type === 'shorthand_property_identifier_pattern') {
        const parent = x.parent;
        // a default value's names are not parameters
        if (parent && /default_parameter|assignment_pattern|object_assignment_pattern/.test(parent.type) && !parent.child(0)?.equals(x)) return false;
        out.push({ name: x.text, declared: p.text });
        return false;
      }
      return undefined;
    });
  }
  return out;
}

/** Numbers and names that may bound a value: 0, unused numeric parameters, the function's numbers, numeric fields. */
function boundsFor(ctx: RepairContext, at: SyntaxNode): string[] {
  const out: string[] = [];
  const fn = blockFunction(ctx, lineOf(at)) ?? innermostFunction(ctx, lineOf(at));
  if (fn) {
    const params = fn.childForFieldName('parameters');
    const body = fn.childForFieldName('body');
    for (const { name, declared } of parameterNames(fn)) {
      if (/^(self|cls|this)$/.test(name)) continue;
      let used = false;
      if (body) walk(body, (x) => void (x.type === 'identifier' && x.text === name ? (used = true) : undefined));
      const types = typesOfName(ctx, at, name);
      const numeric = types.size === 0 ? /:\s*(number|int|float)\b/.test(declared) || /cap|max|min|limit|bound|ceil|floor/i.test(name) : [...types].every((t) => t === 'int' || t === 'float');
      // An unused parameter is the classic "forgot to apply the cap".
      if (!used && numeric) out.push(name);
    }
    if (body) {
      walk(body, (x) => {
        if ((x.type === 'integer' || x.type === 'number' || x.type === 'float') && /^\d+(\.\d+)?$/.test(x.text) && !['0', '1', '2'].includes(x.text) && !out.includes(x.text)) out.push(x.text);
      });
    }
  }
  for (const f of classFields(ctx, at)) {
    const types = typesOfName(ctx, at, f);
    const named = /max|min|cap|limit|size|len|count|bound|total/i.test(f);
    if ((types.size > 0 && [...types].every((t) => t === 'int' || t === 'float')) || (types.size === 0 && named)) if (!out.includes(f)) out.push(f);
  }
  return out.slice(0, 4);
}

/** Node types that are never a number to bound. */
const NOT_NUMBERS = /^(comment|integer|float|number|string|template_string|list|array|tuple|dictionary|object|set|true|false|none|null|undefined|comparison_operator|boolean_operator|not_operator|list_comprehension|generator_expression|lambda|arrow_function|conditional_expression|ternary_expression|await|new_expression)$/;

export function wrapMinMaxAbs(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  const { py } = ctx;
  const min = py ? 'min' : 'Math.min';
  const max = py ? 'max' : 'Math.max';
  const abs = py ? 'abs' : 'Math.abs';
  walk(ctx.root, (e) => {
    const line = lineOf(e);
    if (!ctx.targetLines.has(line)) return;
    // abs() around a difference.
    if (isBinary(e) && e.type !== 'comparison_operator' && e.type !== 'boolean_operator') {
      const ops = mergedOperators(e);
      if (ops.length === 1 && ops[0]!.op === '-' && numericKind(ctx, e) !== 'no' && !/^(abs|Math\.abs)$/.test(e.parent?.parent?.childForFieldName?.('function')?.text ?? '')) {
        const inner = e.parent?.type === 'parenthesized_expression' ? e.parent : e;
        const text = `${abs}(${e.text})`;
        edits.push({ alt: 0, start: inner.startIndex, end: inner.endIndex, text, operator: 'wrap-min-max-abs', description: `line ${line}: '${e.text}' → '${text}'`, line, focus: namesIn(e) });
      }
    }
    // min/max around a whole value: assigned, returned, or passed.
    const p = e.parent;
    if (!p) return;
    const whole =
      (p.type === 'return_statement' && e.type !== 'return') ||
      ((p.type === 'assignment' || p.type === 'assignment_expression') && p.childForFieldName('right')?.equals(e)) ||
      (p.type === 'variable_declarator' && p.childForFieldName('value')?.equals(e));
    if (!whole || NOT_NUMBERS.test(e.type)) return;
    const callee = isCall(e) ? (e.childForFieldName('function')?.text ?? '') : '';
    const kind = numericKind(ctx, e);
    const dest = destinationKind(ctx, e);
    if (kind === 'no' || dest === 'no') return;
    if (kind === '?' && dest === '?' && !/[-+*/%]|\b(round|floor|ceil|min|max|len|length)\b/.test(e.text)) return;
    const bounds = boundsFor(ctx, e).filter((b) => !new RegExp(`(^|[^\\w$.])${b.replace(/[.$]/g, '\\$&')}([^\\w$]|$)`).test(e.text));
    const made = new Set<string>();
    const push = (text: string, alt: number) => {
      if (made.has(text)) return;
      made.add(text);
      edits.push({ alt, start: e.startIndex, end: e.endIndex, text, operator: 'wrap-min-max-abs', description: `line ${line}: '${e.text}' → '${text}'`, line, focus: namesIn(e) });
    };
    if (callee !== max) push(`${max}(${e.text}, 0)`, 1);
    for (const [i, b] of bounds.entries()) {
      if (callee !== min) push(`${min}(${b}, ${e.text})`, i === 0 ? 0 : 2);
      if (callee !== max) push(`${max}(${b}, ${e.text})`, 3);
    }
  });
  return edits;
}
