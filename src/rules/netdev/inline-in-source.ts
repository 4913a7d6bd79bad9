import { filePath } from '../../model/changeset.js';
import type { DiffLine, FilePatch } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';
import { isCSource, stripCCommentsAndStrings } from './util.js';

/** `inline` / `__inline` / `__inline__` as a keyword; `__always_inline` and `noinline` are left alone. */
const INLINE = /(?<![\w])(?:__)?inline(?:__)?(?![\w])/g;

function count(text: string): number {
  // The substring check spares the comment/string cleanup on the many lines without the word.
  return text.includes('inline') ? (stripCCommentsAndStrings(text).match(INLINE)?.length ?? 0) : 0;
}

export const inlineInSource: PatchRule = {
  id: 'netdev/inline-in-source',
  pack: 'netdev',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: 'More `inline` keywords added than removed in .c files.',
    why: 'In source files the compiler decides inlining better than we do; netdev asks for `inline` only in headers.',
    fix: 'Drop `inline` from functions in .c files (use `__always_inline` only with a measured reason).',
  },
  check(patch) {
    let added = 0;
    let removed = 0;
    const sites: { file: FilePatch; line: DiffLine }[] = [];
    for (const file of patch.files) {
      if (!isCSource(filePath(file))) continue;
      for (const hunk of file.hunks) {
        for (const line of hunk.lines) {
          const n = line.kind === 'ctx' ? 0 : count(line.text);
          if (line.kind === 'add') {
            added += n;
            if (n > 0) sites.push({ file, line });
          } else if (line.kind === 'del') removed += n;
        }
      }
    }
    if (added <= removed) return [];
    const out: RuleFinding[] = [];
    // Report the last `added - removed` sites: the earlier ones are taken to replace removed ones.
    for (const { file, line } of sites.slice(Math.max(0, sites.length - (added - removed)))) {
      out.push(lineFinding(file, line, `\`inline\` in a .c file (${added} added, ${removed} removed); let the compiler decide`));
    }
    return out;
  },
};
