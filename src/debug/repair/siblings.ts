/**
 * sibling-method: a call replaced by its sibling on the same receiver type — append/extend,
 * lstrip/rstrip, startswith/endswith, indexOf/lastIndexOf, some/every, push/concat, min/max,
 * floor/ceil… With a trace, the receiver's type must be one the sibling belongs to.
 */
import { walk } from '../ast.js';
import { isCall, lineOf, typesOfName, type Edit, type RepairContext } from './context.js';

interface Group {
  names: string[];
  /** Receiver types (typeOf) the methods belong to; absent for plain functions. */
  on?: string[];
}

const PY_METHODS: Group[] = [
  { names: ['lstrip', 'rstrip', 'strip'], on: ['str'] },
  { names: ['startswith', 'endswith'], on: ['str'] },
  { names: ['find', 'rfind'], on: ['str'] },
  { names: ['index', 'rindex'], on: ['str'] },
  { names: ['split', 'rsplit'], on: ['str'] },
  { names: ['partition', 'rpartition'], on: ['str'] },
  { names: ['ljust', 'rjust', 'center'], on: ['str'] },
  { names: ['lower', 'upper', 'title', 'capitalize'], on: ['str'] },
  { names: ['removeprefix', 'removesuffix'], on: ['str'] },
  { names: ['append', 'extend'], on: ['list'] },
  { names: ['append', 'appendleft'], on: ['list'] },
  { names: ['pop', 'popleft'], on: ['list'] },
  { names: ['extend', 'extendleft'], on: ['list'] },
  { names: ['add', 'update'], on: ['set'] },
  { names: ['remove', 'discard'], on: ['set', 'list'] },
  { names: ['union', 'intersection', 'difference'], on: ['set'] },
  { names: ['keys', 'values', 'items'], on: ['dict'] },
  { names: ['floor', 'ceil'] },
];
const PY_FUNCTIONS: Group[] = [{ names: ['min', 'max'] }, { names: ['any', 'all'] }, { names: ['math.floor', 'math.ceil', 'round'] }, { names: ['floor', 'ceil'] }, { names: ['sorted', 'reversed'] }];

const JS_METHODS: Group[] = [
  { names: ['push', 'unshift'], on: ['list'] },
  { names: ['push', 'concat'], on: ['list'] },
  { names: ['pop', 'shift'], on: ['list'] },
  { names: ['startsWith', 'endsWith', 'includes'], on: ['str', 'list'] },
  { names: ['indexOf', 'lastIndexOf'], on: ['str', 'list'] },
  { names: ['some', 'every'], on: ['list'] },
  { names: ['find', 'findLast'], on: ['list'] },
  { names: ['findIndex', 'findLastIndex'], on: ['list'] },
  { names: ['trimStart', 'trimEnd', 'trim'], on: ['str'] },
  { names: ['toLowerCase', 'toUpperCase'], on: ['str'] },
  { names: ['padStart', 'padEnd'], on: ['str'] },
  { names: ['slice', 'substring'], on: ['str', 'list'] },
  { names: ['reduce', 'reduceRight'], on: ['list'] },
  { names: ['keys', 'values', 'entries'] },
];
const JS_FUNCTIONS: Group[] = [{ names: ['Math.min', 'Math.max'] }, { names: ['Math.floor', 'Math.ceil', 'Math.round', 'Math.trunc'] }];

export function siblingMethod(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  const methods = ctx.py ? PY_METHODS : JS_METHODS;
  const functions = ctx.py ? PY_FUNCTIONS : JS_FUNCTIONS;
  walk(ctx.root, (n) => {
    if (!isCall(n)) return;
    const callee = n.childForFieldName('function');
    if (!callee) return;
    const line = lineOf(callee);
    if (!ctx.targetLines.has(line) && !ctx.targetLines.has(callee.endPosition.row + 1)) return;
    const seen = new Set<string>();
    const offer = (start: number, end: number, from: string, to: string, alt: number, focus?: string) => {
      if (to === from || seen.has(to)) return;
      seen.add(to);
      edits.push({ alt, start, end, text: to, operator: 'sibling-method', description: `line ${line}: '${from}' → '${to}'`, line, ...(focus ? { focus: [focus] } : {}) });
    };
    // Plain functions: min(…) → max(…), Math.floor → Math.ceil.
    for (const g of functions) {
      if (!g.names.includes(callee.text)) continue;
      g.names.forEach((to, i) => offer(callee.startIndex, callee.endIndex, callee.text, to, i === 0 ? 0 : 1));
    }
    if (callee.type !== 'attribute' && callee.type !== 'member_expression') return;
    const prop = callee.childForFieldName(ctx.py ? 'attribute' : 'property');
    const receiver = callee.childForFieldName('object');
    if (!prop || !receiver) return;
    if (functions.some((g) => g.names.includes(callee.text))) return;
    const types = /^[\w.$]+$/.test(receiver.text) ? typesOfName(ctx, receiver, receiver.text) : new Set<string>();
    let alt = 0;
    for (const g of methods) {
      if (!g.names.includes(prop.text)) continue;
      // A known receiver type outside the group's types: not this group (a str's index, not a list's).
      if (g.on && types.size > 0 && ![...types].some((t) => g.on!.includes(t))) continue;
      for (const to of g.names) offer(prop.startIndex, prop.endIndex, prop.text, to, alt++, /^[\w.$]+$/.test(receiver.text) ? receiver.text : undefined);
    }
  });
  return edits;
}
