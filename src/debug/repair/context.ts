/**
 * What every repair template works from: the parsed file, the target lines, the functions around
 * them, the names in scope and the traced facts; and what a template gives back (an Edit: one
 * replacement of a source range, with the template's name for the report).
 */
import { walk, type SyntaxNode } from '../ast.js';
import type { Language } from '../types.js';
import { NO_FACTS, sameFamily, type TraceFacts } from './values.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
  /** The template (operator) name the report shows: `swap-comparison`, `insert-guard`, … */
  operator: string;
  description: string;
  /** The suspect line the edit was made for (1-based). */
  line: number;
  /** Preference among the alternatives of one template at one place (0 = most likely). */
  alt?: number;
  /** Variables the edit is about (a guarded name, a replaced one): the traced values rank it. */
  focus?: string[];
  /** Extra cost in operator levels (positive = later), e.g. a guard without trace evidence. */
  cost?: number;
}

export interface RepairContext {
  file: string;
  lang: Language;
  py: boolean;
  source: string;
  root: SyntaxNode;
  targetLines: Set<number>;
  facts: TraceFacts;
  /** Function-like nodes of the file (defs, methods, arrows, lambdas). */
  functions: SyntaxNode[];
}

export type Template = (ctx: RepairContext) => Edit[];

const FUNCTION_TYPES = /^(function_definition|function_declaration|generator_function_declaration|method_definition|arrow_function|function_expression|function|generator_function|lambda)$/;

export function makeContext(file: string, lang: Language, source: string, root: SyntaxNode, targetLines: Set<number>, facts: TraceFacts = NO_FACTS): RepairContext {
  const functions: SyntaxNode[] = [];
  walk(root, (n) => {
    if (FUNCTION_TYPES.test(n.type)) functions.push(n);
  });
  return { file, lang, py: lang === 'python', source, root, targetLines, facts, functions };
}

export function lineOf(n: SyntaxNode): number {
  return n.startPosition.row + 1;
}

export function lineStart(source: string, idx: number): number {
  return source.lastIndexOf('\n', idx - 1) + 1;
}

export function indentAt(source: string, idx: number): string {
  const ls = lineStart(source, idx);
  return /^[ \t]*/.exec(source.slice(ls))?.[0] ?? '';
}

/** One indentation step of the file (four spaces unless the file says otherwise). */
export function indentUnit(source: string): string {
  const m = /\n([ \t]+)\S/.exec(source);
  if (!m) return '    ';
  const ws = m[1]!;
  return ws.startsWith('\t') ? '\t' : ws.length <= 4 ? ws : '    ';
}

/** The innermost function node holding a line (named functions, methods, arrows, lambdas). */
export function innermostFunction(ctx: RepairContext, line: number, named = false): SyntaxNode | undefined {
  let best: SyntaxNode | undefined;
  for (const f of ctx.functions) {
    if (named && (f.type === 'lambda' || f.type === 'arrow_function')) continue;
    if (line >= f.startPosition.row + 1 && line <= f.endPosition.row + 1) {
      if (!best || f.endIndex - f.startIndex < best.endIndex - best.startIndex) best = f;
    }
  }
  return best;
}

/** Function nodes that are real bodies (not lambdas or expression arrows). */
export function blockFunction(ctx: RepairContext, line: number): SyntaxNode | undefined {
  let best: SyntaxNode | undefined;
  for (const f of ctx.functions) {
    const body = f.childForFieldName('body');
    if (!body || (body.type !== 'block' && body.type !== 'statement_block')) continue;
    if (line >= f.startPosition.row + 1 && line <= f.endPosition.row + 1) {
      if (!best || f.endIndex - f.startIndex < best.endIndex - best.startIndex) best = f;
    }
  }
  return best;
}

/** The enclosing class (Python class_definition, JS class_declaration / class), if any. */
export function enclosingClass(n: SyntaxNode): SyntaxNode | undefined {
  for (let p = n.parent; p; p = p.parent) if (/^(class_definition|class_declaration|class|abstract_class_declaration)$/.test(p.type)) return p;
  return undefined;
}

export function isCall(n: SyntaxNode): boolean {
  return n.type === 'call' || n.type === 'call_expression';
}

export function argsOf(call: SyntaxNode): SyntaxNode[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is SyntaxNode => !!a && a.type !== 'comment');
}

const PY_STATEMENT = /^(expression_statement|return_statement|if_statement|for_statement|while_statement|raise_statement|assert_statement|delete_statement|break_statement|continue_statement|pass_statement|with_statement|try_statement)$/;
const JS_STATEMENT = /^(expression_statement|lexical_declaration|variable_declaration|return_statement|if_statement|for_statement|for_in_statement|while_statement|do_statement|throw_statement|break_statement|continue_statement|try_statement|switch_statement)$/;

export function isStatement(ctx: RepairContext, n: SyntaxNode): boolean {
  return (ctx.py ? PY_STATEMENT : JS_STATEMENT).test(n.type) && (n.parent?.type === 'block' || n.parent?.type === 'statement_block' || n.parent?.type === 'module' || n.parent?.type === 'program' || n.parent?.type === 'class_body');
}

/** The innermost statement (directly inside a block) that starts on `line`, else the one holding it. */
export function statementAt(ctx: RepairContext, line: number): SyntaxNode | undefined {
  let best: SyntaxNode | undefined;
  walk(ctx.root, (n) => {
    if (n.startPosition.row + 1 > line || n.endPosition.row + 1 < line) return false;
    if (isStatement(ctx, n) && (n.parent?.type === 'block' || n.parent?.type === 'statement_block')) best = n;
    return undefined;
  });
  return best;
}

/** Statements of a block (comments and docstrings left out). */
export function blockStatements(block: SyntaxNode): SyntaxNode[] {
  return block.namedChildren.filter((s): s is SyntaxNode => !!s && s.type !== 'comment');
}

/** The body's first real statement (after a Python docstring). */
export function firstBodyStatement(body: SyntaxNode): SyntaxNode | undefined {
  const stmts = blockStatements(body);
  const first = stmts[0];
  if (first && first.type === 'expression_statement' && first.namedChild(0)?.type === 'string') return stmts[1] ?? undefined;
  return first;
}

/** Is the node inside a loop body (within its function)? */
export function inLoop(n: SyntaxNode): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (FUNCTION_TYPES.test(p.type)) return false;
    if (/^(for_statement|while_statement|for_in_statement|do_statement)$/.test(p.type)) return true;
  }
  return false;
}

/** Identifiers bound in a function: parameters and assigned names (not attributes). */
export function localNames(ctx: RepairContext, fn: SyntaxNode): string[] {
  const names = new Set<string>();
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (params) {
    walk(params, (n) => {
      if (n.type === 'identifier' && n.parent?.type !== 'type_annotation' && n.parent?.type !== 'type') names.add(n.text);
      if (/type_annotation|^type$/.test(n.type)) return false;
      return undefined;
    });
  }
  const body = fn.childForFieldName('body');
  if (body) {
    walk(body, (n) => {
      if (n !== fn && FUNCTION_TYPES.test(n.type)) return false;
      if (n.type === 'assignment' || n.type === 'augmented_assignment' || n.type === 'for_statement' || n.type === 'for_in_statement') {
        const left = n.childForFieldName('left');
        if (left) walk(left, (x) => (x.type === 'identifier' ? void names.add(x.text) : x.type === 'attribute' || x.type === 'subscript' ? false : undefined));
      }
      if (n.type === 'variable_declarator') {
        const nm = n.childForFieldName('name');
        if (nm) walk(nm, (x) => void (x.type === 'identifier' || x.type === 'shorthand_property_identifier_pattern' ? names.add(x.text) : undefined));
      }
      if (n.type === 'named_expression') {
        const nm = n.childForFieldName('name');
        if (nm) names.add(nm.text);
      }
      return undefined;
    });
  }
  for (const kw of ['self', 'cls', 'this', '_']) names.delete(kw);
  return [...names];
}

/** Fields of the enclosing class (`self.x = …` / `this.x = …` / class fields), as `self.x` / `this.x`. */
export function classFields(ctx: RepairContext, n: SyntaxNode): string[] {
  const cls = enclosingClass(n);
  if (!cls) return [];
  const me = ctx.py ? 'self' : 'this';
  const out = new Set<string>();
  walk(cls, (x) => {
    if ((x.type === 'attribute' || x.type === 'member_expression') && x.child(0)?.text === me) {
      const prop = x.childForFieldName(ctx.py ? 'attribute' : 'property');
      if (prop && /^[A-Za-z_$][\w$]*$/.test(prop.text)) {
        const p = x.parent;
        const isCallee = p && isCall(p) && p.childForFieldName('function')?.equals(x);
        if (!isCallee) out.add(`${me}.${prop.text}`);
      }
    }
    if ((x.type === 'public_field_definition' || x.type === 'field_definition') && x.childForFieldName(ctx.py ? 'name' : 'name')) {
      const nm = x.childForFieldName('name') ?? x.childForFieldName('property');
      if (nm && /^[A-Za-z_$][\w$]*$/.test(nm.text)) out.add(`${me}.${nm.text}`);
    }
  });
  return [...out];
}

/**
 * Types of a name in the function around `at` from the traces (empty when unknown). `self.x` /
 * `this.x` fields come from the tracers' field records.
 */
export function typesOfName(ctx: RepairContext, at: SyntaxNode, name: string): Set<string> {
  const fn = innermostFunction(ctx, lineOf(at), true) ?? innermostFunction(ctx, lineOf(at));
  const start = fn ? fn.startPosition.row + 1 : 1;
  const end = fn ? fn.endPosition.row + 1 : Number.MAX_SAFE_INTEGER;
  let types = ctx.facts.typesIn(ctx.file, start, end, name);
  if (types.size === 0 && /^(self|this)\./.test(name)) {
    // A field seen in another method of the class.
    const cls = enclosingClass(at);
    if (cls) types = ctx.facts.typesIn(ctx.file, cls.startPosition.row + 1, cls.endPosition.row + 1, name);
  }
  return types;
}

/** True when two names may stand for each other: same traced type, or no type known for either. */
export function typesMatch(a: Set<string>, b: Set<string>): 'same' | 'unknown' | 'different' {
  if (a.size === 0 || b.size === 0) return 'unknown';
  for (const x of a) for (const y of b) if (sameFamily(x, y)) return 'same';
  return 'different';
}

/** Edit distance between two names, cheaper when one is a prefix of the other. */
export function nameDistance(a: string, b: string): number {
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

/** Parenthesised unless it is a name, a call, an attribute or a literal. */
export function atom(text: string): string {
  return /^[\w.$]+$/.test(text) || /^[\w.$]+(\[[^\]]*\]|\([^()]*\))$/.test(text) || /^\(.*\)$/s.test(text) && balanced(text.slice(1, -1)) ? text : `(${text})`;
}

function balanced(s: string): boolean {
  let d = 0;
  for (const c of s) {
    if (c === '(') d++;
    else if (c === ')' && --d < 0) return false;
  }
  return d === 0;
}

/** Identifier-ish leaves of a node (names, `self.x`, `this.x`), for an edit's focus. */
export function namesIn(n: SyntaxNode): string[] {
  const out = new Set<string>();
  walk(n, (x) => {
    if ((x.type === 'attribute' || x.type === 'member_expression') && /^(self|this)$/.test(x.child(0)?.text ?? '')) {
      out.add(x.text);
      return false;
    }
    if (x.type === 'identifier') out.add(x.text);
    return undefined;
  });
  return [...out];
}
