/**
 * AST-level candidate patches at suspicious lines (the repair agent's offline behaviour).
 * Every candidate is the whole new file with ONE small edit, and parses.
 */
import { functionsOfTree, hasSyntaxError, parseSource, walk, type SyntaxNode } from './ast.js';
import type { Candidate, Language } from './types.js';

/*
 * Operator priority: how often each kind of edit fixes real single-line bugs (from the
 * mutation-based repair literature — Defects4J/QuixBugs/BugsInPy studies of one-hunk fixes,
 * where boundary conditions and off-by-ones dominate, and deletion mostly overfits).
 *
 *   1  swap-comparison     < ↔ <=, > ↔ >=, == ↔ !=, is ↔ is not, in ↔ not in
 *   2  off-by-one          integer constant ±1; x → x+1 / x-1 in range()/slices/indices
 *   3  swap-boolean        and ↔ or, && ↔ ||
 *   4  swap-arithmetic     + ↔ -, * ↔ /, // ↔ /, ^ ↔ & ↔ |, compound assignments too
 *   5  negate-condition    if/while c → not c, drop an existing not/!
 *   6  swap-arguments      f(a, b) → f(b, a)
 *   7  replace-identifier  a variable → another variable of the same function (closest names first)
 *   7  unwrap-call         f(x) → x
 *   8  weaken-condition    a and b → a / b
 *   8  add-return          missing `return <last assigned>` at the end of a function
 *   9  add-base-case       `if not xs: return xs` / `if (n <= 1) return n;` at the top
 *  10  remove-statement    delete one statement (last: it overfits the most)
 */
export const OPERATOR_PRIORITY: Record<string, number> = {
  'swap-comparison': 1,
  'off-by-one': 2,
  'swap-boolean': 3,
  'swap-arithmetic': 4,
  'negate-condition': 5,
  'swap-arguments': 6,
  'replace-identifier': 7,
  'unwrap-call': 7,
  'weaken-condition': 8,
  'add-return': 8,
  'add-base-case': 9,
  'remove-statement': 10,
};

export interface GenerateInput {
  file: string;
  lang: Language;
  source: string;
  /** Suspicious lines (1-based) with their scores; higher score = tried first. */
  lines: { line: number; score: number }[];
  maxCandidates: number;
}

interface Edit {
  /** Preference among the alternatives of one operator at one place (0 = most likely). */
  alt?: number;
  start: number;
  end: number;
  text: string;
  operator: string;
  description: string;
  line: number;
}

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

const PY_STATEMENTS = new Set([
  'expression_statement',
  'return_statement',
  'break_statement',
  'continue_statement',
  'raise_statement',
  'assert_statement',
  'delete_statement',
]);
const JS_STATEMENTS = new Set([
  'expression_statement',
  'lexical_declaration',
  'variable_declaration',
  'return_statement',
  'break_statement',
  'continue_statement',
  'throw_statement',
]);

/** Edit distance between two names, cheaper when one is a prefix of the other. */
function nameDistance(a: string, b: string): number {
  if (b.startsWith(a) || a.startsWith(b)) return Math.abs(a.length - b.length) / 4;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

function lineOf(n: SyntaxNode): number {
  return n.startPosition.row + 1;
}

function isSimple(text: string): boolean {
  return /^[\w.$]+$/.test(text) || /^[\w.$]+(\[[^\]]*\]|\([^()]*\))$/.test(text);
}

function lineStart(source: string, idx: number): number {
  return source.lastIndexOf('\n', idx - 1) + 1;
}

function indentAt(source: string, idx: number): string {
  const ls = lineStart(source, idx);
  return /^[ \t]*/.exec(source.slice(ls))?.[0] ?? '';
}

/** Operator token of a binary node (JS: field `operator`; Python: the unnamed child(ren) between operands). */
function operatorTokens(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let i = 0; i < n.childCount; i++) {
    const c = n.child(i);
    if (c && !c.isNamed && c.type !== '(' && c.type !== ')') out.push(c);
  }
  return out;
}

/** Python `is not` / `not in` come as two tokens: merge adjacent ones. */
function mergedOperators(n: SyntaxNode): { start: number; end: number; op: string; row: number }[] {
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

function collectEdits(lang: Language, source: string, root: SyntaxNode, targetLines: Set<number>, file: string): Edit[] {
  const edits: Edit[] = [];
  const py = lang === 'python';
  const add = (e: Edit) => edits.push(e);
  const functions = functionsOfTree(file, lang, root, source);
  const fnNodes: SyntaxNode[] = [];
  walk(root, (n) => {
    if (/^(function_definition|function_declaration|generator_function_declaration|method_definition|arrow_function|function_expression|function)$/.test(n.type))
      fnNodes.push(n);
  });
  const innermostFn = (line: number): SyntaxNode | undefined => {
    let best: SyntaxNode | undefined;
    for (const f of fnNodes) {
      if (line >= f.startPosition.row + 1 && line <= f.endPosition.row + 1) {
        if (!best || f.endIndex - f.startIndex < best.endIndex - best.startIndex) best = f;
      }
    }
    return best;
  };
  const identifiersOf = (fn: SyntaxNode): string[] => {
    const names = new Set<string>();
    walk(fn, (n) => {
      if (n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern') {
        const p = n.parent;
        // Skip callee names and attribute/property names.
        if (p && (p.type === 'call' || p.type === 'call_expression') && p.childForFieldName('function')?.equals(n)) return;
        if (p && (p.type === 'attribute' || p.type === 'member_expression') && !p.child(0)?.equals(n)) return;
        if (p && /^(function_definition|function_declaration|class_definition|class_declaration|method_definition)$/.test(p.type) && p.childForFieldName('name')?.equals(n))
          return;
        names.add(n.text);
      }
    });
    for (const kw of ['self', 'cls', 'this', 'True', 'False', 'None', 'undefined', 'len', 'range', 'print']) names.delete(kw);
    return [...names];
  };

  walk(root, (n) => {
    const line = lineOf(n);
    // ---- binary operators (operator token on a target line)
    if (n.type === 'comparison_operator' || n.type === 'binary_expression' || n.type === 'binary_operator' || n.type === 'boolean_operator') {
      for (const op of mergedOperators(n)) {
        const opLine = op.row + 1;
        if (!targetLines.has(opLine)) continue;
        const cmp = COMPARISON_SWAPS[op.op];
        const arith = ARITH_SWAPS[op.op];
        const bool = BOOL_SWAPS[op.op];
        if (py && (op.op === '===' || op.op === '!==')) continue;
        const alts = cmp ?? bool ?? arith ?? [];
        const operator = cmp ? 'swap-comparison' : bool ? 'swap-boolean' : arith ? 'swap-arithmetic' : '';
        for (const [ai, a] of alts.entries()) {
          // JavaScript: equality alternatives are strict unless the original was loose.
          const alt = !py && cmp && (a === '==' || a === '!=') && op.op !== '==' && op.op !== '!=' ? `${a}=` : a;
          if (py && (alt === '??' || alt === '>>>' || alt === '===' || alt === '!==')) continue;
          if (!py && (alt === '//' || alt === 'is' || alt === 'is not' || alt === 'in' || alt === 'not in')) continue;
          add({ alt: ai, start: op.start, end: op.end, text: alt, operator, description: `line ${opLine}: '${op.op}' → '${alt}'`, line: opLine });
        }
        // Drop a clause of a boolean condition.
        if (bool && n.namedChildCount === 2 && (op.op === 'and' || op.op === 'or' || op.op === '&&' || op.op === '||')) {
          const l = n.namedChild(0)!;
          const r = n.namedChild(1)!;
          add({ start: n.startIndex, end: n.endIndex, text: l.text, operator: 'weaken-condition', description: `line ${opLine}: keep only '${l.text}'`, line: opLine });
          add({ start: n.startIndex, end: n.endIndex, text: r.text, operator: 'weaken-condition', description: `line ${opLine}: keep only '${r.text}'`, line: opLine });
        }
      }
    }
    // ---- compound assignment operators
    if (n.type === 'augmented_assignment' || n.type === 'augmented_assignment_expression') {
      for (const tok of operatorTokens(n)) {
        if (!targetLines.has(tok.startPosition.row + 1) || !tok.text.endsWith('=')) continue;
        const base = tok.text.slice(0, -1);
        for (const [ai, alt] of (ARITH_SWAPS[base] ?? BOOL_SWAPS[base] ?? []).entries()) {
          if (py && (alt === '>>>' || alt === '??')) continue;
          if (!py && alt === '//') continue;
          add({ alt: ai, start: tok.startIndex, end: tok.endIndex, text: `${alt}=`, operator: 'swap-arithmetic', description: `line ${tok.startPosition.row + 1}: '${tok.text}' → '${alt}='`, line: tok.startPosition.row + 1 });
        }
      }
    }
    if (!targetLines.has(line)) return;
    // ---- integer constants ±1
    if ((n.type === 'integer' || n.type === 'number') && /^\d+$/.test(n.text) && n.text.length < 15) {
      const v = Number(n.text);
      // Small constants (0, 1, 2) are the classic bounds; ±1 on 100 or 400 is a long shot.
      const alt = v <= 2 ? 0 : 1;
      add({ alt, start: n.startIndex, end: n.endIndex, text: String(v + 1), operator: 'off-by-one', description: `line ${line}: ${v} → ${v + 1}`, line });
      if (v > 0) add({ alt, start: n.startIndex, end: n.endIndex, text: String(v - 1), operator: 'off-by-one', description: `line ${line}: ${v} → ${v - 1}`, line });
    }
    // ---- off-by-one on bounds: range()/slice()/substring() arguments, slice parts, subscripts
    const boundExprs: SyntaxNode[] = [];
    if (n.type === 'call' || n.type === 'call_expression') {
      const fnName = n.childForFieldName('function')?.text ?? '';
      if (/(^|\.)(range|slice|substring|substr|splice|insert|pop|at|charAt|repeat|fill)$/.test(fnName)) {
        const args = n.childForFieldName('arguments');
        for (const a of args?.namedChildren ?? []) if (a) boundExprs.push(a);
      }
    }
    if (n.type === 'slice') for (const c of n.namedChildren) if (c) boundExprs.push(c);
    if (n.type === 'subscript') {
      for (const c of n.childrenForFieldName('subscript')) if (c && c.type !== 'slice') boundExprs.push(c);
    }
    if (n.type === 'subscript_expression') {
      const idx = n.childForFieldName('index');
      if (idx && idx.type !== 'string' && idx.type !== 'template_string') boundExprs.push(idx);
    }
    for (const b of boundExprs) {
      if (b.type === 'integer' || b.type === 'number' || b.type === 'string' || b.type === 'keyword_argument') continue;
      if (b.type === 'unary_operator' || b.type === 'unary_expression') continue;
      const t = isSimple(b.text) ? b.text : `(${b.text})`;
      // A trailing `- 1` / `+ 1` is undone rather than doubled.
      const m = /^(.*\S)\s*([-+])\s*1$/s.exec(b.text);
      if (m) {
        add({ start: b.startIndex, end: b.endIndex, text: m[1]!, operator: 'off-by-one', description: `line ${line}: '${b.text}' → '${m[1]}'`, line });
        const twice = `${m[1]} ${m[2]} 2`;
        add({ alt: 1, start: b.startIndex, end: b.endIndex, text: twice, operator: 'off-by-one', description: `line ${line}: '${b.text}' → '${twice}'`, line });
        continue;
      }
      for (const d of ['+ 1', '- 1']) {
        add({ start: b.startIndex, end: b.endIndex, text: `${t} ${d}`, operator: 'off-by-one', description: `line ${line}: '${b.text}' → '${t} ${d}'`, line });
      }
    }
    // ---- unwrap a call: f(x) → x (a wrong wrapper, e.g. `yield flatten(x)` for `yield x`)
    if ((n.type === 'call' || n.type === 'call_expression') && lineOf(n) === line) {
      const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is SyntaxNode => !!a && a.type !== 'comment');
      const fnName = n.childForFieldName('function')?.text ?? '';
      if (args.length === 1 && args[0]!.type !== 'keyword_argument' && n.childForFieldName('arguments')?.type !== 'generator_expression' && !/^(print|console\.\w+|assert\w*)$/.test(fnName)) {
        add({ start: n.startIndex, end: n.endIndex, text: args[0]!.text, operator: 'unwrap-call', description: `line ${line}: '${n.text}' → '${args[0]!.text}'`, line });
      }
    }
    // ---- swap call arguments
    if ((n.type === 'call' || n.type === 'call_expression') && lineOf(n) === line) {
      const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is SyntaxNode => !!a && a.type !== 'comment');
      if (args.length >= 2 && args.every((a) => a.type !== 'keyword_argument' && a.type !== 'list_splat' && a.type !== 'spread_element')) {
        const a = args[0]!;
        const b = args[1]!;
        add({
          start: a.startIndex,
          end: b.endIndex,
          text: `${b.text}${source.slice(a.endIndex, b.startIndex)}${a.text}`,
          operator: 'swap-arguments',
          description: `line ${line}: swap '${a.text}' and '${b.text}'`,
          line,
        });
      }
    }
    // ---- negate a condition / drop a negation
    if (/^(if_statement|while_statement|elif_clause|do_statement|ternary_expression|conditional_expression)$/.test(n.type)) {
      let cond = n.childForFieldName('condition');
      if (cond && cond.type === 'parenthesized_expression' && !py) cond = cond.namedChild(0) ?? cond;
      if (cond && lineOf(cond) === line) {
        const neg = py ? `not (${cond.text})` : `!(${cond.text})`;
        add({ start: cond.startIndex, end: cond.endIndex, text: neg, operator: 'negate-condition', description: `line ${line}: negate '${cond.text}'`, line });
      }
    }
    if (n.type === 'not_operator' || (n.type === 'unary_expression' && n.child(0)?.type === '!')) {
      const arg = n.childForFieldName('argument') ?? n.namedChild(0);
      if (arg) add({ start: n.startIndex, end: n.endIndex, text: arg.text, operator: 'negate-condition', description: `line ${line}: drop the negation of '${arg.text}'`, line });
    }
    // ---- replace an identifier with another of the same function
    if (n.type === 'identifier') {
      const p = n.parent;
      const isCallee = p && (p.type === 'call' || p.type === 'call_expression') && p.childForFieldName('function')?.equals(n);
      const isProp = p && (p.type === 'attribute' || p.type === 'member_expression') && !p.child(0)?.equals(n);
      const isDecl =
        p &&
        ((/^(function_definition|function_declaration|class_definition|class_declaration|method_definition|parameters|formal_parameters|keyword_argument|default_parameter)$/.test(p.type) &&
          (p.childForFieldName('name')?.equals(n) || p.type === 'parameters' || p.type === 'formal_parameters')) ||
          (p.type === 'variable_declarator' && p.childForFieldName('name')?.equals(n)));
      const fn = innermostFn(line);
      if (!isCallee && !isProp && !isDecl && fn) {
        // Mixed-up names are usually similar names (numLess / numLessOrEq, i / j): closest first.
        const others = identifiersOf(fn)
          .filter((x) => x !== n.text)
          .map((x) => ({ x, d: nameDistance(n.text, x) }))
          .sort((a, b) => a.d - b.d)
          .map((o) => o.x);
        for (const [ai, o] of others.slice(0, 6).entries()) {
          add({ alt: ai, start: n.startIndex, end: n.endIndex, text: o, operator: 'replace-identifier', description: `line ${line}: '${n.text}' → '${o}'`, line });
        }
      }
    }
    // ---- remove a statement (only statements that start on the line)
    const stmts = py ? PY_STATEMENTS : JS_STATEMENTS;
    if (stmts.has(n.type) || (py && (n.type === 'expression_statement' || n.type === 'assignment'))) {
      if (n.type === 'assignment' && n.parent?.type === 'expression_statement') return;
      const ls = lineStart(source, n.startIndex);
      let le = source.indexOf('\n', n.endIndex);
      if (le < 0) le = source.length;
      const alone = /^[ \t]*$/.test(source.slice(ls, n.startIndex)) && /^[ \t;]*$/.test(source.slice(n.endIndex, le));
      const siblings = (n.parent?.namedChildren ?? []).filter((c) => c && c.type !== 'comment').length;
      const what = `line ${line}: remove '${n.text.split('\n')[0]}'`;
      if (alone && (!py || siblings > 1) && le < source.length) {
        // The statement is alone on its line(s): drop the line(s).
        add({ start: ls, end: le + 1, text: '', operator: 'remove-statement', description: what, line });
      } else {
        add({ start: n.startIndex, end: n.endIndex, text: py ? 'pass' : ';', operator: 'remove-statement', description: what, line });
      }
    }
  });

  // ---- function-level edits: missing return, missing base case (for functions holding a target line)
  for (const fn of fnNodes) {
    const body = fn.childForFieldName('body');
    if (!body || (body.type !== 'block' && body.type !== 'statement_block')) continue;
    const first = lineOf(fn);
    const last = fn.endPosition.row + 1;
    const hits = [...targetLines].filter((l) => l >= first && l <= last);
    if (hits.length === 0) continue;
    const hitLine = Math.min(...hits);
    const stmts = body.namedChildren.filter((s): s is SyntaxNode => !!s && s.type !== 'comment');
    const lastStmt = stmts[stmts.length - 1];
    if (!lastStmt) continue;
    let hasValueReturn = false;
    walk(body, (x) => {
      if (x !== body && fnNodes.includes(x)) return false;
      if (x.type === 'return_statement' && x.namedChildCount > 0) hasValueReturn = true;
      return undefined;
    });
    const indent = indentAt(source, lastStmt.startIndex);
    if (!hasValueReturn && lastStmt.type !== 'return_statement') {
      // Last assigned name, or the last expression statement's call result.
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
          // The last statement computes a value and drops it: return it.
          value = inner.text;
        }
        if (value === undefined && (s.type === 'for_statement' || s.type === 'while_statement' || s.type === 'if_statement')) continue;
      }
      if (value) {
        const isCall = lastStmt.text === value || lastStmt.text === `${value};` || lastStmt.namedChild(0)?.text === value;
        const ret = py ? `return ${value}` : `return ${value};`;
        if (isCall) {
          add({ start: lastStmt.startIndex, end: lastStmt.endIndex, text: ret, operator: 'add-return', description: `line ${lineOf(lastStmt)}: return the result of '${value}'`, line: hitLine });
        } else {
          add({ start: lastStmt.endIndex, end: lastStmt.endIndex, text: `\n${indent}${ret}`, operator: 'add-return', description: `line ${lastStmt.endPosition.row + 2}: add '${ret}'`, line: hitLine });
        }
      }
    }
    // Base case: only for recursive functions or functions that already return early somewhere.
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
        add({ start: firstStmt.startIndex, end: firstStmt.startIndex, text: `${g}\n${ind}`, operator: 'add-base-case', description: `line ${lineOf(firstStmt)}: add '${g.replace(/\s+/g, ' ')}'`, line: hitLine });
      }
    }
  }
  void functions;
  return edits;
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
 * Candidates at the given lines, ordered by the line's suspiciousness, then by the operator's
 * priority (table above), then by the size of the edit. Identical outputs are kept once.
 */
export async function generateCandidates(input: GenerateInput): Promise<Candidate[]> {
  const { file, lang, source, maxCandidates } = input;
  if (maxCandidates <= 0 || input.lines.length === 0) return [];
  const tree = await parseSource(lang, source, file);
  let edits: Edit[];
  const scoreOf = new Map<number, number>();
  for (const l of input.lines) scoreOf.set(l.line, Math.max(scoreOf.get(l.line) ?? -Infinity, l.score));
  try {
    const protectedRanges = moduleLoadingRanges(tree.rootNode);
    edits = collectEdits(lang, source, tree.rootNode, new Set(scoreOf.keys()), file).filter((e) => !touchesAny(e, protectedRanges));
  } finally {
    tree.delete();
  }
  // Rank of each distinct score (0 = most suspicious).
  const distinct = [...new Set(scoreOf.values())].sort((a, b) => b - a);
  const rankOf = (line: number) => distinct.indexOf(scoreOf.get(line) ?? -Infinity);
  const scored = edits
    .map((e) => {
      const rank = Math.max(0, rankOf(e.line));
      const op = OPERATOR_PRIORITY[e.operator] ?? 10;
      const size = Math.abs(e.text.length - (e.end - e.start)) + Math.min(e.text.length, e.end - e.start) / 10;
      // A second or third alternative of an operator (`<` → `>` rather than `<=`) is worth
      // 1.5 operator levels: it goes after the first choices of the next operators.
      return { e, priority: rank * 10_000 + Math.round((op + 1.5 * Math.min(4, e.alt ?? 0)) * 100) + Math.min(99, Math.round(size)) };
    })
    .sort((a, b) => a.priority - b.priority || a.e.line - b.e.line || a.e.start - b.e.start);

  const seen = new Set<string>([source]);
  const out: Candidate[] = [];
  for (const { e, priority } of scored) {
    if (out.length >= maxCandidates) break;
    const newSource = source.slice(0, e.start) + e.text + source.slice(e.end);
    if (seen.has(newSource)) continue;
    seen.add(newSource);
    if (await hasSyntaxError(lang, newSource, file)) continue;
    out.push({ file, operator: e.operator, description: e.description, line: e.line, newSource, priority });
  }
  return out;
}
