import { filePath } from '../../model/changeset.js';
import type { DiffLine, FilePatch, Hunk } from '../../model/changeset.js';
import type { Fix } from '../../model/finding.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';
import { visualWidth } from '../lib/width.js';
import { isCFile } from './util.js';

/** One declaration of a block, possibly wrapped over several lines. */
export interface Declaration {
  lines: DiffLine[];
  /** Visual width of the first line's code (tabs as 8, trailing comment left out). */
  width: number;
  /** Names it declares. */
  names: string[];
  /** Identifiers its initialisers use. */
  uses: Set<string>;
  added: boolean;
}

const STATEMENT_WORDS = new Set([
  'return', 'goto', 'break', 'continue', 'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'sizeof',
]);

/**
 * `type [*]name[array] [attrs] [= init][, more];` after exactly one tab. Group 1 is the first word
 * (to reject statements such as `return ret;`), group 2 the first declared name.
 */
const DECLARATION =
  /^(?:(?:const|static|volatile|unsigned|signed|struct|union|enum|register|long|short)\s+)*([A-Za-z_]\w*)(?:\s+(?:const|long|int|char|short)\b)*[\s*]+(?:(?:const|volatile|__\w+)\b\s*\**\s*)*\**\s*([A-Za-z_]\w*)(?:\[[^\]]*\])*(?:\s+__\w+(?:\([^()]*\))?)*\s*(?:[=,].*)?;?$/;

/** The code of a line with comments and string literals blanked, trailing space removed. */
function code(text: string): string {
  return text
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\]|\\.)*'/g, "''")
    .replace(/\/\*.*?\*\//g, '')
    .replace(/\/\*.*$/, '')
    .replace(/\/\/.*$/, '')
    .trimEnd();
}

/** Split at commas outside brackets. */
function topLevelSplit(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) depth--;
    if (ch === sep && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

/** Whether a line starts a declaration at function-body level (one tab). */
export function declarationStart(text: string): RegExpMatchArray | undefined {
  if (!/^\t(?![\t ])/.test(text)) return undefined;
  const body = code(text).slice(1);
  const m = DECLARATION.exec(body);
  if (!m || STATEMENT_WORDS.has(m[1] ?? '') || STATEMENT_WORDS.has(m[2] ?? '')) return undefined;
  return m;
}

function analyse(lines: DiffLine[], match: RegExpMatchArray): Declaration {
  const text = lines.map((l) => code(l.text)).join(' ').trim().replace(/;$/, '');
  const names: string[] = [];
  const uses = new Set<string>();
  topLevelSplit(text, ',').forEach((piece, i) => {
    const eq = piece.search(/(?<![=!<>])=(?!=)/);
    const left = eq >= 0 ? piece.slice(0, eq) : piece;
    const init = eq >= 0 ? piece.slice(eq + 1) : '';
    if (i === 0) {
      if (match[2]) names.push(match[2]);
    } else {
      const n = /^\s*\**\s*([A-Za-z_]\w*)/.exec(left);
      if (n?.[1]) names.push(n[1]);
    }
    for (const id of init.replace(/->\s*\w+|\.\s*[A-Za-z_]\w*/g, ' ').match(/[A-Za-z_]\w*/g) ?? []) uses.add(id);
  });
  const first = lines[0];
  return {
    lines,
    width: first ? visualWidth(code(first.text)) : 0,
    names,
    uses,
    added: lines.some((l) => l.kind === 'add'),
  };
}

export interface DeclarationBlock {
  decls: Declaration[];
  /** The opening `{` and the line ending the block are both inside the hunk. */
  complete: boolean;
  /** The `{` line the block follows, or 'top' for a block at the top of the hunk. */
  key: DiffLine | 'top';
}

/** A hunk section that looks like a function header (`static int foo(struct bar *b)`). */
function sectionIsFunction(section: string): boolean {
  if (!section.includes('(')) return false;
  if (/^(?:#|struct\s+\w+\s*\{|union\b|enum\b|typedef\b)/.test(section)) return false;
  return !/[;=]\s*$/.test(section) && !/=\s*\{/.test(section);
}

/**
 * First declaration blocks of functions visible in a hunk (new side: context + added lines):
 * after a `{` line on its own, or at the top of a hunk whose section is a function header.
 */
export function declarationBlocks(hunk: Hunk, side: 'new' | 'old' = 'new'): DeclarationBlock[] {
  const lines = hunk.lines.filter((l) => l.kind !== (side === 'new' ? 'del' : 'add'));
  const blocks: DeclarationBlock[] = [];
  const starts: { index: number; complete: boolean; key: DiffLine | 'top' }[] = [];
  if (sectionIsFunction(hunk.section) && lines[0] && declarationStart(lines[0].text)) starts.push({ index: 0, complete: false, key: 'top' });
  lines.forEach((l, i) => {
    if (l.text === '{') starts.push({ index: i + 1, complete: true, key: l });
  });
  for (const start of starts) {
    const decls: Declaration[] = [];
    let i = start.index;
    let ended = false;
    while (i < lines.length) {
      const line = lines[i];
      if (!line) break;
      const m = declarationStart(line.text);
      if (!m) {
        ended = true;
        break;
      }
      const group = [line];
      i++;
      // A declaration wrapped over several lines ends at the line ending in `;`.
      let closed = code(line.text).endsWith(';');
      while (!closed && i < lines.length && group.length < 20) {
        const next = lines[i];
        if (!next || next.text.trim() === '') break;
        group.push(next);
        i++;
        closed = code(next.text).endsWith(';');
      }
      if (!closed) break;
      decls.push(analyse(group, m));
    }
    if (decls.length > 0) blocks.push({ decls, complete: start.complete && ended, key: start.key });
  }
  return blocks;
}

/** The block reordered longest-first, keeping each declaration after those its initialiser uses. */
export function reorder(decls: Declaration[]): Declaration[] {
  const remaining = [...decls];
  const placed: Declaration[] = [];
  while (remaining.length > 0) {
    const pending = new Set(remaining.flatMap((d) => d.names));
    let best = -1;
    remaining.forEach((d, i) => {
      const blocked = [...d.uses].some((u) => pending.has(u) && !d.names.includes(u));
      if (blocked) return;
      const current = best >= 0 ? remaining[best] : undefined;
      if (!current || d.width > current.width) best = i;
    });
    if (best < 0) best = 0; // a cycle cannot happen in valid C; keep the order if it does
    const [d] = remaining.splice(best, 1);
    if (d) placed.push(d);
  }
  return placed;
}

function blockFix(file: FilePatch, block: DeclarationBlock): Fix | undefined {
  if (!block.complete) return undefined;
  const ordered = reorder(block.decls);
  if (ordered.every((d, i) => d === block.decls[i])) return undefined;
  const first = block.decls[0]?.lines[0]?.newLine;
  const lastDecl = block.decls[block.decls.length - 1];
  const last = lastDecl?.lines[lastDecl.lines.length - 1]?.newLine;
  if (first === undefined || last === undefined) return undefined;
  return {
    description: 'order the declarations longest line first (reverse Christmas tree)',
    target: { kind: 'diff', file: filePath(file), startLine: first, endLine: last, lines: ordered.flatMap((d) => d.lines.map((l) => l.text)) },
  };
}

/** Pairs (above, below) where the line below is wider, not counting initialiser dependencies. */
export function violations(decls: Declaration[]): Array<[Declaration, Declaration]> {
  const out: Array<[Declaration, Declaration]> = [];
  const declaredAbove = new Set<string>();
  decls.forEach((d, i) => {
    const prev = decls[i - 1];
    if (prev && d.width > prev.width && ![...d.uses].some((u) => declaredAbove.has(u))) out.push([prev, d]);
    for (const n of d.names) declaredAbove.add(n);
  });
  return out;
}

export const reverseXmasTree: PatchRule = {
  id: 'netdev/reverse-xmas-tree',
  pack: 'netdev',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: "In a function's first declaration block touched by the patch, a declaration line longer than the one above it.",
    why: 'Netdev orders local variable declarations longest line first ("reverse Christmas tree") so blocks read evenly.',
    fix: 'Reorder the declarations from longest to shortest line; a variable whose initialiser needs another may stay below it.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    for (const file of patch.files) {
      if (!isCFile(filePath(file))) continue;
      for (const hunk of file.hunks) {
        // Cheap exits first: this rule runs on every C hunk, and most hunks add no declaration.
        if (!hunk.lines.some((l) => l.kind === 'add' && l.text.charCodeAt(0) === 9)) continue;
        const seen = new Set<DiffLine>();
        let before: DeclarationBlock[] | undefined;
        for (const block of declarationBlocks(hunk)) {
          if (!block.decls.some((d) => d.added)) continue;
          const found = violations(block.decls);
          if (found.length === 0) continue;
          // A block that was out of order before the patch: the function does not follow the
          // convention, and a reviewer would not ask this patch to fix it.
          before ??= declarationBlocks(hunk, 'old');
          const old = before.find((b) => b.key === block.key);
          if (old && violations(old.decls).length > 0) continue;
          let fix = blockFix(file, block);
          for (const [prev, d] of found) {
            if (!d.added && !prev.added) continue;
            const at = (d.added ? d : prev).lines[0];
            if (!at || seen.has(at)) continue;
            seen.add(at);
            const message = d.added
              ? `declaration is longer than the one above it (${d.width} > ${prev.width} columns): keep reverse Christmas tree order`
              : `declaration is shorter than the one below it (${prev.width} < ${d.width} columns): keep reverse Christmas tree order`;
            out.push(lineFinding(file, at, message, fix ? { fix } : {}));
            fix = undefined;
          }
        }
      }
    }
    return out;
  },
};
