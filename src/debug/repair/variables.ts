/**
 * replace-identifier: a variable (or a `self.x` / `this.x` field) replaced by another one in
 * scope. With a trace, only names whose traced type matches are offered, same-typed ones first;
 * without one, the closest names first (numLess / numLessOrEq, rows / cols).
 */
import { walk, type SyntaxNode } from '../ast.js';
import { classFields, innermostFunction, isCall, lineOf, localNames, nameDistance, typesMatch, typesOfName, type Edit, type RepairContext } from './context.js';

const NOT_VARIABLES = new Set(['self', 'cls', 'this', 'True', 'False', 'None', 'undefined', 'null', 'len', 'range', 'print', 'super', 'arguments', 'console', 'Math', 'Object', 'Array', 'JSON', 'Number', 'String']);

/** Names used as values in a function (not callees, attributes or declared names). */
function usedNames(fn: SyntaxNode): string[] {
  const names = new Set<string>();
  walk(fn, (n) => {
    if (n.type !== 'identifier' && n.type !== 'shorthand_property_identifier_pattern') return;
    const p = n.parent;
    if (p && isCall(p) && p.childForFieldName('function')?.equals(n)) return;
    if (p && (p.type === 'attribute' || p.type === 'member_expression') && !p.child(0)?.equals(n)) return;
    if (p && /^(function_definition|function_declaration|class_definition|class_declaration|method_definition)$/.test(p.type) && p.childForFieldName('name')?.equals(n)) return;
    if (p && /type_annotation|^type$|type_identifier/.test(p.type)) return;
    names.add(n.text);
  });
  return [...names];
}

function isDeclaration(n: SyntaxNode): boolean {
  const p = n.parent;
  if (!p) return false;
  if (/^(function_definition|function_declaration|class_definition|class_declaration|method_definition|keyword_argument|default_parameter)$/.test(p.type) && p.childForFieldName('name')?.equals(n)) return true;
  if (p.type === 'parameters' || p.type === 'formal_parameters' || p.type === 'required_parameter' || p.type === 'optional_parameter' || p.type === 'typed_parameter' || p.type === 'typed_default_parameter') return true;
  if (p.type === 'variable_declarator' && p.childForFieldName('name')?.equals(n)) return true;
  if (p.type === 'pair' && p.childForFieldName('key')?.equals(n)) return true;
  return false;
}

interface Option {
  name: string;
  match: 'same' | 'unknown' | 'different';
  d: number;
}

function rank(ctx: RepairContext, at: SyntaxNode, original: string, others: string[], max: number): Option[] {
  const mine = typesOfName(ctx, at, original);
  return others
    .filter((x) => x !== original && !NOT_VARIABLES.has(x))
    .map((x) => ({ name: x, match: typesMatch(mine, typesOfName(ctx, at, x)), d: nameDistance(original, x) }))
    .filter((o) => o.match !== 'different')
    .sort((a, b) => (a.match === b.match ? 0 : a.match === 'same' ? -1 : 1) || a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, max);
}

export function replaceVariable(ctx: RepairContext): Edit[] {
  const edits: Edit[] = [];
  const scopeCache = new Map<SyntaxNode, string[]>();
  walk(ctx.root, (n) => {
    const line = lineOf(n);
    if (!ctx.targetLines.has(line)) return undefined;
    // A field: self.x / this.x → another field of the class.
    if ((n.type === 'attribute' || n.type === 'member_expression') && /^(self|this)$/.test(n.child(0)?.text ?? '')) {
      const p = n.parent;
      if (p && isCall(p) && p.childForFieldName('function')?.equals(n)) return false;
      const options = rank(ctx, n, n.text, classFields(ctx, n), 5);
      for (const [ai, o] of options.entries()) {
        edits.push({ alt: ai + (o.match === 'same' ? 0 : 1), start: n.startIndex, end: n.endIndex, text: o.name, operator: 'replace-identifier', description: `line ${line}: '${n.text}' → '${o.name}'`, line, focus: [n.text, o.name] });
      }
      return false;
    }
    if (n.type !== 'identifier') return undefined;
    const p = n.parent;
    if (p && isCall(p) && p.childForFieldName('function')?.equals(n)) return undefined;
    if (p && (p.type === 'attribute' || p.type === 'member_expression') && !p.child(0)?.equals(n)) return undefined;
    if (isDeclaration(n) || NOT_VARIABLES.has(n.text)) return undefined;
    const fn = innermostFunction(ctx, line, true) ?? innermostFunction(ctx, line);
    if (!fn) return undefined;
    let scope = scopeCache.get(fn);
    if (!scope) {
      // The named function around (arrows and lambdas inside it included).
      scope = [...new Set([...localNames(ctx, fn), ...usedNames(fn)])];
      scopeCache.set(fn, scope);
    }
    const options = rank(ctx, n, n.text, scope, 6);
    for (const [ai, o] of options.entries()) {
      edits.push({ alt: ai + (o.match === 'same' ? 0 : 1), start: n.startIndex, end: n.endIndex, text: o.name, operator: 'replace-identifier', description: `line ${line}: '${n.text}' → '${o.name}'`, line, focus: [n.text, o.name] });
    }
    return undefined;
  });
  return edits;
}
