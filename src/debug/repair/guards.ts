/**
 * Guards, built from what the statement dereferences and what the trace saw:
 *  - insert-guard: `if boss is None: return None` / `if (item === undefined) return false;` /
 *    `if not self._undo: return False` / `if (i < 0 || i >= this.count) return undefined;` before a
 *    suspect statement (or at the top of its function), returning a value the function or its
 *    siblings already return, or `continue` / `break` inside a loop;
 *  - loop-guard: `while True:` → `while queue:`, `while (c)` → `while (q.length > 0 && c)` for a
 *    collection the loop consumes (pop, popleft, shift).
 * A guard whose condition the failing test met and no passing test did (values.ts `differing`),
 * or that the failing test's values or exception point at, comes first; the others are offered
 * later (a guard that merely hides a failure overfits).
 */
import { walk, type SyntaxNode } from '../ast.js';
import {
  blockFunction,
  blockStatements,
  classFields,
  enclosingClass,
  firstBodyStatement,
  inLoop,
  indentAt,
  indentUnit,
  isCall,
  lineOf,
  statementAt,
  typesOfName,
  type Edit,
  type RepairContext,
} from './context.js';
import { shapeOf } from './values.js';

interface Condition {
  text: string;
  /** Names it is about. */
  focus: string[];
  /** 0 = the trace says so, 1 = the failure points at it, 3 = a plain guess. */
  evidence: number;
  what: string;
}

const SIMPLE = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*){0,2}$/;

function noneCheck(ctx: RepairContext, x: string): string[] {
  return ctx.py ? [`${x} is None`] : [`${x} === undefined`, `${x} == null`];
}
function emptyCheck(ctx: RepairContext, x: string, types: Set<string>): string[] {
  if (ctx.py) return [`not ${x}`];
  if (types.has('dict') || types.has('set')) return [`${x}.size === 0`];
  return [`${x}.length === 0`];
}

/** How strongly the failing run points at `x` being None / empty at `line`. */
function evidenceFor(ctx: RepairContext, x: string, kind: 'none' | 'empty', line: number, fnSpan: [number, number], prop?: string): number {
  const d = ctx.facts.differing.find((f) => f.file === ctx.file && f.name === x && f.kind === kind && f.line >= fnSpan[0] && f.line <= fnSpan[1]);
  if (d) return 0;
  const vals = ctx.facts.failingValuesAt(ctx.file, line, x);
  if (vals.some((v) => (kind === 'none' ? shapeOf(v) === 'none' : shapeOf(v).endsWith(':empty')))) return 0.5;
  const exc = ctx.facts.exception ?? '';
  if (kind === 'none') {
    if (prop && new RegExp(`'NoneType' object has no attribute '${prop}'|of (undefined|null) \\(reading '${prop}'\\)|Cannot read propert\\w* '${prop}' of (undefined|null)`).test(exc)) return 1;
    if (/NoneType|of undefined|of null|is not an object/.test(exc)) return 2;
  } else if (/empty|out of range|IndexError|of undefined/.test(exc)) return 1.5;
  return 3;
}

/**
 * Values for a guard to return, likeliest first: what the function's own early returns (returns
 * inside an `if`) give, then the early returns of its sibling methods, then its other returns,
 * then the "nothing" value. A function that never returns a value gets a bare return.
 */
function returnValues(ctx: RepairContext, fn: SyntaxNode): string[] {
  const constant = ctx.py ? /^(None|True|False|-?\d+|\[\]|\{\}|\(\)|''|""|set\(\))$/ : /^(undefined|null|true|false|-?\d+|\[\]|\{\}|''|""|NaN)$/;
  const early = (x: SyntaxNode) => {
    for (let p = x.parent; p && p !== fn; p = p.parent) if (/^(if_statement|else_clause|elif_clause)$/.test(p.type)) return true;
    return false;
  };
  let returnsValue = false;
  const collect = (root: SyntaxNode, guards: string[], others: string[] | null) => {
    walk(root, (x) => {
      if (x !== root && /function_definition|function_declaration|method_definition|arrow_function|function_expression|lambda/.test(x.type)) return false;
      if (x.type !== 'return_statement') return undefined;
      const v = x.namedChild(0);
      if (!v) return undefined;
      if (root === fn) returnsValue = true;
      if (!constant.test(v.text)) return undefined;
      if (early(x)) guards.push(v.text);
      else others?.push(v.text);
      return undefined;
    });
  };
  const ownGuards: string[] = [];
  const ownOthers: string[] = [];
  collect(fn, ownGuards, ownOthers);
  const siblingGuards: string[] = [];
  const cls = enclosingClass(fn);
  if (cls) {
    const body = cls.childForFieldName('body');
    for (const m of body?.namedChildren ?? []) {
      const def = m?.type === 'decorated_definition' ? m.childForFieldName('definition') : m;
      if (def && !def.equals(fn) && /function_definition|method_definition/.test(def.type)) collect(def, siblingGuards, null);
    }
  }
  if (!returnsValue && ownGuards.length + ownOthers.length === 0) return [''];
  const nothing = ctx.py ? 'None' : 'undefined';
  return [...new Set([...ownGuards, ...siblingGuards, ...ownOthers, nothing])].slice(0, 3);
}

/** The guard statement text inserted before a statement at `at` (ends with the next line's indent). */
function guardText(ctx: RepairContext, cond: string, body: string, at: number): string {
  const ind = indentAt(ctx.source, at);
  if (ctx.py) return `if ${cond}:\n${ind}${indentUnit(ctx.source)}${body}\n${ind}`;
  return `if (${cond}) ${body};\n${ind}`;
}

function bodies(ctx: RepairContext, fn: SyntaxNode, stmt: SyntaxNode): string[] {
  const out = returnValues(ctx, fn).map((v) => (v === '' ? 'return' : `return ${v}`));
  if (inLoop(stmt)) out.push('continue', 'break');
  return out;
}

/** What a statement dereferences: receivers of `.x`, consumed collections, subscripted containers and their indexes. */
function subjects(ctx: RepairContext, head: SyntaxNode): { deref: Map<string, string>; consumed: Set<string>; indexed: { index: string; container: string }[] } {
  const deref = new Map<string, string>();
  const consumed = new Set<string>();
  const indexed: { index: string; container: string }[] = [];
  walk(head, (x) => {
    if (x !== head && /function_definition|arrow_function|function_expression|lambda/.test(x.type)) return false;
    if (x.type === 'attribute' || x.type === 'member_expression') {
      const obj = x.childForFieldName('object') ?? x.child(0);
      const prop = x.childForFieldName(ctx.py ? 'attribute' : 'property');
      if (obj && prop && SIMPLE.test(obj.text) && !/^(self|this|Math|JSON|Object|Array|console|math|os|sys|re)$/.test(obj.text)) {
        const isCallee = x.parent && isCall(x.parent) && x.parent.childForFieldName('function')?.equals(x);
        if (isCallee && /^(pop|popleft|shift|pop_front)$/.test(prop.text)) consumed.add(obj.text);
        else if (!deref.has(obj.text)) deref.set(obj.text, prop.text);
      }
    }
    if (x.type === 'subscript' || x.type === 'subscript_expression') {
      const obj = x.childForFieldName('value') ?? x.childForFieldName('object');
      const idx = x.childForFieldName('subscript') ?? x.childForFieldName('index');
      if (obj && idx && SIMPLE.test(obj.text)) {
        if (/^(0|-1)$/.test(idx.text)) consumed.add(obj.text);
        walk(idx, (y) => {
          if (y.type === 'identifier' && !indexed.some((q) => q.index === y.text && q.container === obj.text)) indexed.push({ index: y.text, container: obj.text });
        });
      }
    }
    return undefined;
  });
  return { deref, consumed, indexed };
}

/** Conditions worth guarding at a statement. */
function conditionsAt(ctx: RepairContext, stmt: SyntaxNode, fn: SyntaxNode): Condition[] {
  const span: [number, number] = [fn.startPosition.row + 1, fn.endPosition.row + 1];
  const line = lineOf(stmt);
  // The part of the statement that runs first: a loop's or an if's condition, else the whole statement.
  const head = /^(if_statement|while_statement|for_statement|for_in_statement)$/.test(stmt.type) ? (stmt.childForFieldName('condition') ?? stmt.childForFieldName('right') ?? stmt) : stmt;
  const { deref, consumed, indexed } = subjects(ctx, head);
  const conds: Condition[] = [];
  const add = (texts: string[], focus: string[], evidence: number, what: string) => {
    for (const [i, text] of texts.entries()) if (!conds.some((c) => c.text === text)) conds.push({ text, focus, evidence: evidence + i * 0.5, what });
  };
  for (const [x, prop] of deref) add(noneCheck(ctx, x), [x], evidenceFor(ctx, x, 'none', line, span, prop), `${x} is missing`);
  for (const x of consumed) add(emptyCheck(ctx, x, typesOfName(ctx, stmt, x)), [x], evidenceFor(ctx, x, 'empty', line, span), `${x} is empty`);
  for (const { index, container } of indexed) {
    const types = typesOfName(ctx, stmt, index);
    if (types.size > 0 && !types.has('int')) continue;
    const bounds = new Set<string>([ctx.py ? `len(${container})` : `${container}.length`]);
    for (const f of classFields(ctx, stmt)) {
      if (f === container || f === index) continue;
      const ft = typesOfName(ctx, stmt, f);
      if ((ft.size > 0 && [...ft].every((t) => t === 'int')) || (ft.size === 0 && /count|size|len|length|capacity|total/i.test(f))) bounds.add(f);
    }
    const rel = ctx.facts.differing.find((d) => d.kind === 'relation' && d.file === ctx.file && d.line >= span[0] && d.line <= span[1] && d.name === index);
    for (const b of bounds) {
      const ev = rel && rel.other === b ? 0.5 : /out of range|IndexError|undefined/.test(ctx.facts.exception ?? '') ? 1.5 : 3;
      add([ctx.py ? `${index} < 0 or ${index} >= ${b}` : `${index} < 0 || ${index} >= ${b}`, ctx.py ? `${index} >= ${b}` : `${index} >= ${b}`], [index, b], ev, `${index} is out of bounds`);
    }
  }
  // Conditions the failing test met and no passing test did, in this function.
  for (const d of ctx.facts.differing) {
    if (d.file !== ctx.file || d.line < span[0] || d.line > span[1]) continue;
    const types = typesOfName(ctx, stmt, d.name);
    // A missing or empty value is the classic guard; a sign or an order between two numbers is
    // a weaker hint (it changes with every input), so those guards come later.
    if (d.kind === 'none') add(noneCheck(ctx, d.name), [d.name], 0, `${d.name} is missing`);
    else if (d.kind === 'empty') add(emptyCheck(ctx, d.name, types), [d.name], 0, `${d.name} is empty`);
    else if (d.kind === 'neg') add([`${d.name} < 0`], [d.name], 3, `${d.name} is negative`);
    // An order between two numbers becomes a guard only as a bounds check of an index (above).
  }
  return conds;
}

export function insertGuard(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  const done = new Set<number>();
  for (const line of [...ctx.targetLines].sort((a, b) => a - b)) {
    const stmt = statementAt(ctx, line);
    if (!stmt || lineOf(stmt) !== line || done.has(stmt.startIndex)) continue;
    done.add(stmt.startIndex);
    const fn = blockFunction(ctx, line);
    if (!fn) continue;
    const body = fn.childForFieldName('body');
    const first = body ? firstBodyStatement(body) : undefined;
    const conds = conditionsAt(ctx, stmt, fn);
    const guardBodies = bodies(ctx, fn, stmt);
    for (const c of conds) {
      // Before the statement; and at the function's top when it is about a parameter or a field.
      const places = [stmt];
      if (first && first.startIndex < stmt.startIndex && !inLoop(stmt) && c.focus.every((f) => /^(self|this)\./.test(f) || fnParams(fn).includes(f))) places.push(first);
      for (const [pi, place] of places.entries()) {
        for (const [bi, b] of guardBodies.entries()) {
          const text = guardText(ctx, c.text, b, place.startIndex);
          const shown = ctx.py ? `if ${c.text}: ${b}` : `if (${c.text}) ${b};`;
          edits.push({
            alt: bi + pi,
            cost: c.evidence,
            start: place.startIndex,
            end: place.startIndex,
            text,
            operator: 'insert-guard',
            description: `line ${lineOf(place)}: add '${shown}' (${c.what})`,
            line,
            focus: c.focus,
          });
        }
      }
    }
  }
  return edits;
}

function fnParams(fn: SyntaxNode): string[] {
  const out: string[] = [];
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    const nm = p?.type === 'identifier' ? p : (p?.childForFieldName('pattern') ?? p?.childForFieldName('name') ?? p?.namedChild(0));
    if (nm && /^[A-Za-z_$][\w$]*$/.test(nm.text)) out.push(nm.text);
  }
  return out;
}

export function loopGuard(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  walk(ctx.root, (loop) => {
    if (loop.type !== 'while_statement' && loop.type !== 'do_statement') return;
    const from = lineOf(loop);
    const to = loop.endPosition.row + 1;
    if (![...ctx.targetLines].some((l) => l >= from && l <= to)) return;
    const cond = loop.childForFieldName('condition');
    const body = loop.childForFieldName('body');
    if (!cond || !body) return;
    const inner = cond.type === 'parenthesized_expression' ? (cond.namedChild(0) ?? cond) : cond;
    const consumed = new Set<string>();
    for (const s of blockStatements(body.type === 'block' || body.type === 'statement_block' ? body : loop)) {
      const found = subjects(ctx, s);
      for (const x of found.consumed) consumed.add(x);
    }
    const span: [number, number] = [from, to];
    for (const x of consumed) {
      if (inner.text.includes(x)) continue;
      const types = typesOfName(ctx, loop, x);
      const check = ctx.py ? x : types.has('dict') || types.has('set') ? `${x}.size > 0` : `${x}.length > 0`;
      const always = /^(True|true|1)$/.test(inner.text);
      const text = always ? check : ctx.py ? `${check} and ${atomCond(inner.text)}` : `${check} && ${atomCond(inner.text)}`;
      const evidence = evidenceFor(ctx, x, 'empty', from, span);
      edits.push({
        alt: 0,
        cost: Math.min(evidence, 1),
        start: inner.startIndex,
        end: inner.endIndex,
        text,
        operator: 'loop-guard',
        description: `line ${from}: loop while '${text}' (${x} is consumed in the loop)`,
        line: from,
        focus: [x],
      });
    }
  });
  return edits;
}

function atomCond(text: string): string {
  return /\b(or|and)\b|\|\||&&|\?/.test(text) ? `(${text})` : text;
}
