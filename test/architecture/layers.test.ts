/**
 * The layers stay honest (ARCHITECTURE.md): nothing outside src/cli imports from it, no two files
 * import each other through a cycle, and a graph's index.ts stays a map of nodes and routing.
 * The import graph comes from TypeScript's own pre-processor (no resolution, no type-check): fast,
 * and it sees `import type` too — a type-only cycle is still two modules that cannot be read
 * apart.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/git.js';

const ROOTS = ['src', 'agents', 'bench'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.ts$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** file (relative to the repository) → the project files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = ROOTS.flatMap((r) => sourceFiles(join(REPO_ROOT, r)));
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = info.importedFiles
      .map((f) => f.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => relative(REPO_ROOT, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    graph.set(relative(REPO_ROOT, file), deps);
  }
  return graph;
}

/**
 * The modules a file loads when it is run: static imports that are not type-only (elided by the
 * compiler) and re-exports; dynamic `import()` is left out on purpose (it loads on demand).
 */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const named = clause?.namedBindings;
      const onlyTypes = clause && !clause.name && named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      if (onlyTypes) continue;
      out.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      out.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return out;
}

/** The packages a module loads, through the project files it loads in turn. */
function packagesLoadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of valueImports(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(join(REPO_ROOT, entry));
  return packages;
}

/** Every cycle's members, found with Tarjan's strongly connected components. */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

describe('architecture', () => {
  const graph = importGraph();

  it('finds the project files (the check is not vacuous)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/cli/fix.ts')).toContain('src/graphs/debug/run.ts');
  });

  it('nothing outside src/cli imports from src/cli', () => {
    const offenders = [...graph].flatMap(([file, deps]) =>
      file.startsWith('src/cli/') ? [] : deps.filter((d) => d.startsWith('src/cli/')).map((d) => `${file} → ${d}`),
    );
    expect(offenders).toEqual([]);
  });

  it('no import cycles between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("a graph's index.ts is wiring only (about 100 lines at most)", () => {
    const graphsDir = join(REPO_ROOT, 'src', 'graphs');
    for (const name of readdirSync(graphsDir)) {
      const index = join(graphsDir, name, 'index.ts');
      const lines = readFileSync(index, 'utf8').split('\n').length;
      expect(lines, `src/graphs/${name}/index.ts`).toBeLessThanOrEqual(110);
    }
  });

  it('the front ends run graphs through their runners only', () => {
    const offenders = [...graph].flatMap(([file, deps]) =>
      /^src\/(cli|github|mail)\//.test(file) ? deps.filter((d) => /^src\/graphs\/[^/]+\/index\.ts$/.test(d)).map((d) => `${file} → ${d}`) : [],
    );
    expect(offenders).toEqual([]);
  });

  it('an offline review never loads LangGraph or the model client (start-up time of every review)', () => {
    for (const entry of ['src/cli/review.ts', 'src/graphs/review/run.ts', 'src/mail/triage.ts']) {
      const loaded = [...packagesLoadedBy(entry)];
      expect(loaded.filter((p) => p.startsWith('@langchain/') || p === 'openai'), entry).toEqual([]);
      expect(loaded.length, entry).toBeGreaterThan(0);
    }
  });
});
