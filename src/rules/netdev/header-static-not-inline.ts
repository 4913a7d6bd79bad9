import { addedLines, filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';
import { isCHeader } from './util.js';

/** `static <type> name(` at the start of a line: a function, not a variable or a macro-made object. */
const STATIC_FUNCTION = /^static\s+(?![A-Z][A-Z0-9_]*\s*\()[^=;(]*?\b[A-Za-z_]\w*\s*\(/;
const INLINE = /\b(?:__always_inline|__inline__|__inline|inline)\b/;

export const headerStaticNotInline: PatchRule = {
  id: 'netdev/header-static-not-inline',
  pack: 'netdev',
  severity: 'error',
  scope: 'patch',
  doc: {
    what: 'A `static` function added to a header without `inline`.',
    why: 'Every file including the header gets its own copy, and an unused one draws -Wunused-function warnings.',
    fix: 'Make it `static inline`, or move it to a .c file and export a declaration.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    for (const { file, line } of addedLines(patch)) {
      if (!isCHeader(filePath(file))) continue;
      if (!STATIC_FUNCTION.test(line.text) || INLINE.test(line.text)) continue;
      if (/^static\s+(?:const\s+)?struct\s+\w+\s+\w+\s*=/.test(line.text)) continue;
      out.push(lineFinding(file, line, '`static` function in a header should be `static inline`'));
    }
    return out;
  },
};
