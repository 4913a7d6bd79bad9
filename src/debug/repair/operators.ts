/**
 * Single-token mutations (the first repair templates): swap a comparison, boolean or arithmetic
 * operator, ± 1 on an integer literal or a range/slice/index bound, negate or weaken a condition,
 * unwrap a call, add a missing return or base case.
 */
import { walk, type SyntaxNode } from '../ast.js';
import { argsOf, atom, blockStatements, indentAt, isCall, lineOf, typesOfName, type Edit, type RepairContext } from './context.js';

const COMPARISON_SWAPS: Record<string, string[]> = {
  '<': ['<=', '>', '!='],
  '<=': ['<', '>=', '=='],
  '>': ['>=', '<', '!='],
  '>=': ['>', '<=', '=='],
  '==': ['!=', '<=', '>='],
  '!=': ['==', '<', '>'],
  '===': ['!==', '<=', '>='],
  '!==': ['===', '<', '>'],
  is: ['is not'],
  'is not': ['is'],
  in: ['not in'],
  'not in': ['in'],
};

const ARITH_SWAPS: Record<string, string[]> = {
  '+': ['-'],
  '-': ['+'],
  '*': ['/', '+'],
  '/': ['*', '//'],
  '//': ['/', '*'],
  '%': ['//', '/'],
  '^': ['&', '|'],
  '&': ['|', '^'],
  '|': ['&', '^'],
  '<<': ['>>'],
  '>>': ['<<', '>>>'],
  '>>>': ['>>'],
  '**': ['*'],
};

const BOOL_SWAPS: Record<string, string[]> = {
  and: ['or'],
  or: ['and'],
  '&&': ['||'],
  '||': ['&&', '??'],
  '??': ['||'],
};

/** Operator tokens of a binary node (the unnamed children between the operands). */
export function operatorTokens(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let i = 0; i < n.childCount; i++) {
    const c = n.child(i);
    if (c && !c.isNamed && c.type !== '(' && c.type !== ')') out.push(c);
  }
  return out;
}

/** Python `is not` / `not in` come as two tokens: merge adjacent ones. */
export function mergedOperators(n: SyntaxNode): { start: number; end: number; op: string; row: number }[] {
  const toks = operatorTokens(n);
  const out: { start: number; end: number; op: string; row: number }[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const next = toks[i + 1];
    // tree-sitter-python gives both words of `is not` / `not in` the type 'is not' / 'not in'.
    if (next && t.type.includes(' ') && next.type === t.type) {
      out.push({ start: t.startIndex, end: next.endIndex, op: t.type, row: t.startPosition.row });
      i++;
    } else {
      out.push({ start: t.startIndex, end: t.endIndex, op: t.text, row: t.startPosition.row });
    }
  }
  return out;
}

export const isBinary = (n: SyntaxNode) => n.type === 'comparison_operator' || n.type === 'binary_expression' || n.type === 'binary_operator' || n.type === 'boolean_operator';

/** swap-comparison, swap-boolean, swap-arithmetic (compound assignments too), weaken-condition. */
export function swapOperators(ctx: RepairContext): Edit[] {
  const { py, targetLines } = ctx;
  const edits: Edit[] = [];
  walk(ctx.root, (n) => {
    if (isBinary(n)) {
      for (const op of mergedOperators(n)) {
        const opLine = op.row + 1;
        if (!targetLines.has(opLine)) continue;
        const cmp = COMPARISON_SWAPS[op.op];
        const arith = ARITH_SWAPS[op.op];
        const bool = BOOL_SWAPS[op.op];
        if (py && (op.op === '===' || op.op === '!==')) continue;
        const alts = cmp ?? bool ?? arith ?? [];
        const operator = cmp ? 'swap-comparison' : bool ? 'swap-boolean' : arith ? 'swap-arithmetic' : '';
        for (const [index, a] of alts.entries()) {
          // A boundary change (`<` ↔ `<=`, `==` ↔ `!=`) is the usual fix; flipping a comparison's
          // direction (`<` → `>`) is a much bigger change of meaning: it comes later.
          const ai = cmp && index > 0 && !/^(==|!=|===|!==)$/.test(op.op) ? 2 : index;
          // JavaScript: equality alternatives are strict unless the original was loose.
          const alt = !py && cmp && (a === '==' || a === '!=') && op.op !== '==' && op.op !== '!=' ? `${a}=` : a;
          if (py && (alt === '??' || alt === '>>>' || alt === '===' || alt === '!==')) continue;
          if (!py && (alt === '//' || alt === 'is' || alt === 'is not' || alt === 'in' || alt === 'not in')) continue;
          edits.push({ alt: ai, start: op.start, end: op.end, text: alt, operator, description: `line ${opLine}: '${op.op}' → '${alt}'`, line: opLine });
        }
        if (bool && n.namedChildCount === 2 && (op.op === 'and' || op.op === 'or' || op.op === '&&' || op.op === '||')) {
          const l = n.namedChild(0)!;
          const r = n.namedChild(1)!;
          edits.push({ start: n.startIndex, end: n.endIndex, text: l.text, operator: 'weaken-condition', description: `line ${opLine}: keep only '${l.text}'`, line: opLine });
          edits.push({ start: n.startIndex, end: n.endIndex, text: r.text, operator: 'weaken-condition', description: `line ${opLine}: keep only '${r.text}'`, line: opLine });
        }
      }
    }
    if (n.type === 'augmented_assignment' || n.type === 'augmented_assignment_expression') {
      for (const tok of operatorTokens(n)) {
        if (!targetLines.has(tok.startPosition.row + 1) || !tok.text.endsWith('=')) continue;
        const base = tok.text.slice(0, -1);
        for (const [ai, alt] of (ARITH_SWAPS[base] ?? BOOL_SWAPS[base] ?? []).entries()) {
          if (py && (alt === '>>>' || alt === '??')) continue;
          if (!py && alt === '//') continue;
          edits.push({ alt: ai, start: tok.startIndex, end: tok.endIndex, text: `${alt}=`, operator: 'swap-arithmetic', description: `line ${tok.startPosition.row + 1}: '${tok.text}' → '${alt}='`, line: tok.startPosition.row + 1 });
        }
      }
    }
  });
  return edits;
}

/** off-by-one on integer literals and on the bounds of range()/slice()/subscripts. */
export function literalAndBoundOffByOne(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  walk(ctx.root, (n) => {
    const line = lineOf(n);
    if (!ctx.targetLines.has(line)) return;
    if ((n.type === 'integer' || n.type === 'number') && /^\d+$/.test(n.text) && n.text.length < 15) {
      const v = Number(n.text);
      // Small constants (0, 1, 2) are the classic bounds; ±1 on 100 or 400 is a long shot.
      const alt = v <= 2 ? 0 : 1;
      edits.push({ alt, start: n.startIndex, end: n.endIndex, text: String(v + 1), operator: 'off-by-one', description: `line ${line}: ${v} → ${v + 1}`, line });
      if (v > 0) edits.push({ alt, start: n.startIndex, end: n.endIndex, text: String(v - 1), operator: 'off-by-one', description: `line ${line}: ${v} → ${v - 1}`, line });
    }
    const boundExprs: SyntaxNode[] = [];
    if (isCall(n)) {
      const fnName = n.childForFieldName('function')?.text ?? '';
      if (/(^|\.)(range|slice|substring|substr|splice|insert|pop|at|charAt|repeat|fill)$/.test(fnName)) boundExprs.push(...argsOf(n));
    }
    if (n.type === 'slice') for (const c of n.namedChildren) if (c) boundExprs.push(c);
    if (n.type === 'subscript') {
      for (const c of n.childrenForFieldName('subscript')) if (c && c.type !== 'slice') boundExprs.push(c);
    }
    if (n.type === 'subscript_expression') {
      const idx = n.childForFieldName('index');
      if (idx && idx.type !== 'string' && idx.type !== 'template_string') boundExprs.push(idx);
    }
    // A key of a dict (or a Map) is no bound.
    if ((n.type === 'subscript' || n.type === 'subscript_expression') && boundExprs.length > 0) {
      const obj = n.childForFieldName('value') ?? n.childForFieldName('object');
      if (obj && /^[\w.$]+$/.test(obj.text) && typesOfName(ctx, obj, obj.text).has('dict')) boundExprs.length = 0;
    }
    for (const b of boundExprs) {
      if (b.type === 'integer' || b.type === 'number' || b.type === 'string' || b.type === 'keyword_argument') continue;
      if (b.type === 'unary_operator' || b.type === 'unary_expression') continue;
      // The trace says it is not a number (a string key, an object): no ± 1.
      if (/^[\w.$]+$/.test(b.text)) {
        const types = typesOfName(ctx, b, b.text);
        if (types.size > 0 && ![...types].some((t) => t === 'int' || t === 'float')) continue;
      }
      const t = atom(b.text);
      // A trailing `- 1` / `+ 1` is undone rather than doubled.
      const m = /^(.*\S)\s*([-+])\s*1$/s.exec(b.text);
      if (m) {
        edits.push({ start: b.startIndex, end: b.endIndex, text: m[1]!, operator: 'off-by-one', description: `line ${line}: '${b.text}' → '${m[1]}'`, line });
        const twice = `${m[1]} ${m[2]} 2`;
        edits.push({ alt: 1, start: b.startIndex, end: b.endIndex, text: twice, operator: 'off-by-one', description: `line ${line}: '${b.text}' → '${twice}'`, line });
        continue;
      }
      for (const d of ['+ 1', '- 1']) {
        edits.push({ start: b.startIndex, end: b.endIndex, text: `${t} ${d}`, operator: 'off-by-one', description: `line ${line}: '${b.text}' → '${t} ${d}'`, line });
      }
    }
  });
  return edits;
}

/** unwrap-call (f(x) → x) and negate-condition (if c → if not c, drop a not/!). */
export function unwrapAndNegate(ctx: RepairContext): Edit[] {
  const { py } = ctx;
  const edits: Edit[] = [];
  walk(ctx.root, (n) => {
    const line = lineOf(n);
    if (!ctx.targetLines.has(line)) return;
    if (isCall(n)) {
      const args = argsOf(n);
      const fnName = n.childForFieldName('function')?.text ?? '';
      if (args.length === 1 && args[0]!.type !== 'keyword_argument' && n.childForFieldName('arguments')?.type !== 'generator_expression' && !/^(print|console\.\w+|assert\w*)$/.test(fnName)) {
        edits.push({ start: n.startIndex, end: n.endIndex, text: args[0]!.text, operator: 'unwrap-call', description: `line ${line}: '${n.text}' → '${args[0]!.text}'`, line });
      }
    }
    if (/^(if_statement|while_statement|elif_clause|do_statement|ternary_expression|conditional_expression)$/.test(n.type)) {
      let cond = n.childForFieldName('condition');
      if (cond && cond.type === 'parenthesized_expression' && !py) cond = cond.namedChild(0) ?? cond;
      if (cond && lineOf(cond) === line) {
        const neg = py ? `not (${cond.text})` : `!(${cond.text})`;
        edits.push({ start: cond.startIndex, end: cond.endIndex, text: neg, operator: 'negate-condition', description: `line ${line}: negate '${cond.text}'`, line });
      }
    }
    if (n.type === 'not_operator' || (n.type === 'unary_expression' && n.child(0)?.type === '!')) {
      const arg = n.childForFieldName('argument') ?? n.namedChild(0);
      if (arg) edits.push({ start: n.startIndex, end: n.endIndex, text: arg.text, operator: 'negate-condition', description: `line ${line}: drop the negation of '${arg.text}'`, line });
    }
  });
  return edits;
}

/** add-return (a computed value never returned) and add-base-case (recursion without a stop). */
export function functionLevel(ctx: RepairContext): Edit[] {
  const { py, source, targetLines } = ctx;
  const edits: Edit[] = [];
  for (const fn of ctx.functions) {
    const body = fn.childForFieldName('body');
    if (!body || (body.type !== 'block' && body.type !== 'statement_block')) continue;
    const first = lineOf(fn);
    const last = fn.endPosition.row + 1;
    const hits = [...targetLines].filter((l) => l >= first && l <= last);
    if (hits.length === 0) continue;
    const hitLine = Math.min(...hits);
    const stmts = blockStatements(body);
    const lastStmt = stmts[stmts.length - 1];
    if (!lastStmt) continue;
    let hasValueReturn = false;
    walk(body, (x) => {
      if (x !== body && ctx.functions.includes(x)) return false;
      if (x.type === 'return_statement' && x.namedChildCount > 0) hasValueReturn = true;
      return undefined;
    });
    const indent = indentAt(source, lastStmt.startIndex);
    if (!hasValueReturn && lastStmt.type !== 'return_statement') {
      let value: string | undefined;
      for (let i = stmts.length - 1; i >= 0 && !value; i--) {
        const s = stmts[i]!;
        const inner = s.type === 'expression_statement' ? s.namedChild(0) : s;
        if (!inner) continue;
        if (inner.type === 'assignment' || inner.type === 'augmented_assignment' || inner.type === 'assignment_expression' || inner.type === 'augmented_assignment_expression') {
          const left = inner.childForFieldName('left');
          if (left && /^[\w$]+$/.test(left.text)) value = left.text;
        } else if (inner.type === 'lexical_declaration' || inner.type === 'variable_declaration') {
          const d = inner.namedChildren.filter((x) => x?.type === 'variable_declarator').pop();
          const nm = d?.childForFieldName('name');
          if (nm && /^[\w$]+$/.test(nm.text)) value = nm.text;
        } else if (i === stmts.length - 1 && s.type === 'expression_statement' && !/yield|await_expression|^await$/.test(inner.type) && inner.type !== 'string') {
          value = inner.text;
        }
        if (value === undefined && (s.type === 'for_statement' || s.type === 'while_statement' || s.type === 'if_statement')) continue;
      }
      if (value) {
        const isCallValue = lastStmt.text === value || lastStmt.text === `${value};` || lastStmt.namedChild(0)?.text === value;
        const ret = py ? `return ${value}` : `return ${value};`;
        if (isCallValue) {
          edits.push({ start: lastStmt.startIndex, end: lastStmt.endIndex, text: ret, operator: 'add-return', description: `line ${lineOf(lastStmt)}: return the result of '${value}'`, line: hitLine });
        } else {
          edits.push({ start: lastStmt.endIndex, end: lastStmt.endIndex, text: `\n${indent}${ret}`, operator: 'add-return', description: `line ${lastStmt.endPosition.row + 2}: add '${ret}'`, line: hitLine });
        }
      }
    }
    const nameNode = fn.childForFieldName('name') ?? (fn.parent?.type === 'variable_declarator' ? fn.parent.childForFieldName('name') : null);
    const name = nameNode?.text;
    const recursive = !!name && new RegExp(`\\b${name.replace(/[$]/g, '\\$')}\\s*\\(`).test(body.text);
    let earlyReturn = false;
    walk(body, (x) => {
      if (x.type === 'return_statement' && !x.equals(lastStmt)) earlyReturn = true;
    });
    const params = (fn.childForFieldName('parameters')?.namedChildren ?? [])
      .map((p) => (p?.type === 'identifier' ? p.text : (p?.childForFieldName('pattern') ?? p?.childForFieldName('name'))?.text))
      .filter((p): p is string => !!p && /^[A-Za-z_$][\w$]*$/.test(p) && p !== 'self' && p !== 'cls');
    const p0 = params[0];
    const firstStmt = stmts[0]!;
    if ((recursive || earlyReturn) && p0) {
      const ind = indentAt(source, firstStmt.startIndex);
      const guards = py
        ? [`if not ${p0}:\n${ind}    return ${p0}`, `if ${p0} <= 1:\n${ind}    return ${p0}`]
        : [`if (${p0} <= 1) return ${p0};`, `if (!${p0} || ${p0}.length === 0) return ${p0};`];
      for (const g of guards) {
        if (body.text.includes(g.split('\n')[0]!)) continue;
        edits.push({ start: firstStmt.startIndex, end: firstStmt.startIndex, text: `${g}\n${ind}`, operator: 'add-base-case', description: `line ${lineOf(firstStmt)}: add '${g.replace(/\s+/g, ' ')}'`, line: hitLine });
      }
    }
  }
  return edits;
}
