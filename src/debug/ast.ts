/**
 * Tree-sitter wrapper for the debugger: parsing, function spans, syntax checks and outlines.
 * Grammars ship as .wasm files in tree-sitter-wasms and are loaded once per process.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Language as TsLanguage, Parser, type Node, type Tree } from 'web-tree-sitter';
import type { FunctionSpan, Language } from './types.js';

export type { Node as SyntaxNode, Tree as SyntaxTree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

type Grammar = 'python' | 'javascript' | 'typescript' | 'tsx';

let initPromise: Promise<void> | undefined;
const grammarCache = new Map<Grammar, Promise<TsLanguage>>();
const parserCache = new Map<Grammar, Parser>();

function wasmDir(): string {
  // tree-sitter-wasms has no "exports" map, so its package.json resolves.
  return join(dirname(require.resolve('tree-sitter-wasms/package.json')), 'out');
}

async function loadGrammar(g: Grammar): Promise<TsLanguage> {
  initPromise ??= Parser.init();
  await initPromise;
  let p = grammarCache.get(g);
  if (!p) {
    p = TsLanguage.load(join(wasmDir(), `tree-sitter-${g}.wasm`));
    grammarCache.set(g, p);
    p.catch(() => grammarCache.delete(g));
  }
  return p;
}

async function parserFor(g: Grammar): Promise<Parser> {
  const cached = parserCache.get(g);
  if (cached) return cached;
  const lang = await loadGrammar(g);
  const again = parserCache.get(g);
  if (again) return again;
  const parser = new Parser();
  parser.setLanguage(lang);
  parserCache.set(g, parser);
  return parser;
}

function grammarFor(lang: Language, path?: string): Grammar {
  if (lang === 'python') return 'python';
  if (lang === 'typescript') return path && /\.tsx$/i.test(path) ? 'tsx' : 'typescript';
  // Plain JS grammar understands JSX too.
  return 'javascript';
}

/** The language of a source file by its extension, or null when we do not analyse it. */
export function languageOf(path: string): Language | null {
  const m = /\.([A-Za-z0-9]+)$/.exec(path);
  const ext = m?.[1]?.toLowerCase();
  switch (ext) {
    case 'py':
    case 'pyw':
      return 'python';
    case 'js':
    case 'mjs':
    case 'cjs':
    case 'jsx':
      return 'javascript';
    case 'ts':
    case 'mts':
    case 'cts':
    case 'tsx':
      return 'typescript';
    default:
      return null;
  }
}

/**
 * Parse a source text. `path` only matters for TypeScript (`.tsx` selects the TSX grammar).
 * The returned tree lives in wasm memory; call `tree.delete()` when done if you parse a lot.
 */
export async function parseSource(lang: Language, text: string, path?: string): Promise<Tree> {
  const parser = await parserFor(grammarFor(lang, path));
  const tree = parser.parse(text);
  if (!tree) throw new Error(`tree-sitter could not parse ${path ?? lang} source`);
  return tree;
}

/** True when the text does not parse cleanly (ERROR or MISSING nodes anywhere). */
export async function hasSyntaxError(lang: Language, text: string, path?: string): Promise<boolean> {
  const tree = await parseSource(lang, text, path);
  try {
    return tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

/** Walk every node (pre-order). Return false from `visit` to skip a node's children. */
export function walk(node: Node, visit: (n: Node) => boolean | void): void {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    for (let i = n.childCount - 1; i >= 0; i--) {
      const c = n.child(i);
      if (c) stack.push(c);
    }
  }
}

const JS_FUNCTION_VALUE = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);

function oneLine(s: string, max = 200): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Header text of a function node: from its start to the start of its body. */
function headerOf(node: Node, body: Node | null, source: string): string {
  if (!body) return oneLine(node.text);
  return oneLine(source.slice(node.startIndex, body.startIndex).replace(/[:{\s]+$/, '').replace(/=>\s*$/, '=>'));
}

/** Function spans of one tree (shared by functionsIn and the mutator). */
export function functionsOfTree(file: string, lang: Language, root: Node, source: string): FunctionSpan[] {
  const spans: FunctionSpan[] = [];
  const classStack: { name: string; end: number }[] = [];
  const push = (name: string, node: Node, header: Node, body: Node | null) => {
    spans.push({
      file,
      name,
      startLine: node.startPosition.row + 1,
      endLine: node.endPosition.row + 1,
      signature: headerOf(header, body, source),
    });
  };
  walk(root, (n) => {
    while (classStack.length && n.startIndex >= classStack[classStack.length - 1]!.end) classStack.pop();
    const cls = classStack[classStack.length - 1]?.name;
    if (lang === 'python') {
      if (n.type === 'class_definition') {
        classStack.push({ name: n.childForFieldName('name')?.text ?? '?', end: n.endIndex });
      } else if (n.type === 'function_definition') {
        const name = n.childForFieldName('name')?.text ?? '<anonymous>';
        // Decorated definitions: span from the decorator so coverage of decorators maps here too.
        const outer = n.parent?.type === 'decorated_definition' ? n.parent : n;
        spans.push({
          file,
          name: cls ? `${cls}.${name}` : name,
          startLine: outer.startPosition.row + 1,
          endLine: n.endPosition.row + 1,
          signature: headerOf(n, n.childForFieldName('body'), source),
        });
      }
      return;
    }
    switch (n.type) {
      case 'class_declaration':
      case 'class':
      case 'abstract_class_declaration': {
        const name = n.childForFieldName('name')?.text ?? (n.parent?.type === 'variable_declarator' ? n.parent.childForFieldName('name')?.text : undefined);
        classStack.push({ name: name ?? '<class>', end: n.endIndex });
        break;
      }
      case 'function_declaration':
      case 'generator_function_declaration': {
        const name = n.childForFieldName('name')?.text ?? '<anonymous>';
        push(name, n, n, n.childForFieldName('body'));
        break;
      }
      case 'method_definition': {
        const name = n.childForFieldName('name')?.text ?? '<method>';
        push(cls ? `${cls}.${name}` : name, n, n, n.childForFieldName('body'));
        break;
      }
      case 'variable_declarator':
      case 'assignment_expression':
      case 'pair':
      case 'public_field_definition':
      case 'field_definition': {
        const nameNode =
          n.childForFieldName('name') ?? n.childForFieldName('left') ?? n.childForFieldName('key') ?? n.childForFieldName('property');
        const value = n.childForFieldName('value') ?? n.childForFieldName('right');
        if (nameNode && value && JS_FUNCTION_VALUE.has(value.type)) {
          let name = nameNode.text;
          if (n.type === 'public_field_definition' || n.type === 'field_definition') name = cls ? `${cls}.${name}` : name;
          // Span from the statement holding the declaration, so `const f = (...) =>` lines count.
          let holder: Node = n;
          if (n.type === 'variable_declarator' && n.parent && /declaration$/.test(n.parent.type)) holder = n.parent;
          if (holder.parent?.type === 'export_statement') holder = holder.parent;
          if (n.type === 'assignment_expression' && n.parent?.type === 'expression_statement') holder = n.parent;
          spans.push({
            file,
            name,
            startLine: holder.startPosition.row + 1,
            endLine: value.endPosition.row + 1,
            signature: oneLine(`${nameNode.text} = ${headerOf(value, value.childForFieldName('body'), source)}`),
          });
        }
        break;
      }
      default:
        break;
    }
  });
  spans.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
  return spans;
}

/** Functions of a file: Python defs (methods as `Class.method`), JS/TS declarations, methods, named arrows. */
export async function functionsIn(file: string, lang: Language, text: string): Promise<FunctionSpan[]> {
  const tree = await parseSource(lang, text, file);
  try {
    return functionsOfTree(file, lang, tree.rootNode, text);
  } finally {
    tree.delete();
  }
}

/** The innermost function whose span holds `line` (1-based), if any. */
export function enclosingFunction(spans: FunctionSpan[], line: number, file?: string): FunctionSpan | undefined {
  let best: FunctionSpan | undefined;
  for (const s of spans) {
    if (file !== undefined && s.file !== file) continue;
    if (line < s.startLine || line > s.endLine) continue;
    if (!best || s.endLine - s.startLine < best.endLine - best.startLine) best = s;
  }
  return best;
}

/**
 * A signatures-only outline of several files for the LLM localizer: one header per file, then one
 * line per function (`  12-30 def name(args)`), nested methods indented. Cut at maxChars.
 */
export async function outline(files: { path: string; text: string; lang: Language }[], maxChars: number): Promise<string> {
  const out: string[] = [];
  let used = 0;
  let cut = false;
  for (const f of files) {
    const spans = await functionsIn(f.path, f.lang, f.text);
    const lines = [`${f.path}:`];
    const open: FunctionSpan[] = [];
    let lastClass: string | undefined;
    for (const s of spans) {
      while (open.length && s.startLine > open[open.length - 1]!.endLine) open.pop();
      const dot = s.name.lastIndexOf('.');
      let cls = dot > 0 && open.length === 0 ? s.name.slice(0, dot) : undefined;
      // `exports.f = …` is a dotted name too: only real classes get a header.
      if (cls && !new RegExp(`\\bclass\\s+${cls.replace(/[$]/g, '\\$')}\\b`).test(f.text)) cls = undefined;
      if (cls && cls !== lastClass) lines.push(`  class ${cls}`);
      if (open.length === 0) lastClass = cls;
      const depth = open.length + 1 + (lastClass ? 1 : 0);
      lines.push(`${'  '.repeat(depth)}${s.startLine}-${s.endLine} ${s.signature}`);
      open.push(s);
    }
    if (spans.length === 0) lines.push('  (no functions)');
    for (const l of lines) {
      if (used + l.length + 1 > maxChars) {
        cut = true;
        break;
      }
      out.push(l);
      used += l.length + 1;
    }
    if (cut) break;
  }
  if (cut && used + 4 <= maxChars) out.push('…');
  return out.join('\n');
}
