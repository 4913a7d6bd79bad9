/**
 * remove-statement: delete one simple statement that starts on a suspect line (an extra
 * `i++`, a stray reset). Last in the order: deletion overfits the most.
 */
import { walk } from '../ast.js';
import { lineOf, lineStart, type Edit, type RepairContext } from './context.js';

const PY_STATEMENTS = new Set(['expression_statement', 'return_statement', 'break_statement', 'continue_statement', 'raise_statement', 'assert_statement', 'delete_statement']);
const JS_STATEMENTS = new Set(['expression_statement', 'lexical_declaration', 'variable_declaration', 'return_statement', 'break_statement', 'continue_statement', 'throw_statement']);

export function removeStatement(ctx: RepairContext): Edit[] {
  const { py, source } = ctx;
  const edits: Edit[] = [];
  const stmts = py ? PY_STATEMENTS : JS_STATEMENTS;
  walk(ctx.root, (n) => {
    const line = lineOf(n);
    if (!ctx.targetLines.has(line)) return;
    if (!stmts.has(n.type)) return;
    const ls = lineStart(source, n.startIndex);
    let le = source.indexOf('\n', n.endIndex);
    if (le < 0) le = source.length;
    const alone = /^[ \t]*$/.test(source.slice(ls, n.startIndex)) && /^[ \t;]*$/.test(source.slice(n.endIndex, le));
    const siblings = (n.parent?.namedChildren ?? []).filter((c) => c && c.type !== 'comment').length;
    const what = `line ${line}: remove '${n.text.split('\n')[0]}'`;
    if (alone && (!py || siblings > 1) && le < source.length) {
      edits.push({ start: ls, end: le + 1, text: '', operator: 'remove-statement', description: what, line });
    } else {
      edits.push({ start: n.startIndex, end: n.endIndex, text: py ? 'pass' : ';', operator: 'remove-statement', description: what, line });
    }
  });
  return edits;
}
