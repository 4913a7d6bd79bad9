import { addedLines, filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';
import { isTestPath } from './util.js';

const JS = /\.(?:[cm]?[jt]sx?|vue|svelte)$/;
const PY = /\.py$/;

function leftover(path: string, text: string): string | undefined {
  const code = text.trim();
  if (JS.test(path)) {
    if (code.startsWith('//') || code.startsWith('*')) return undefined;
    if (/^debugger\s*;?$/.test(code)) return '`debugger;`';
    if (/(?:^|\/)src\//.test(path) && !isTestPath(path) && /(?<![\w.])console\.log\s*\(/.test(code)) return '`console.log(`';
  } else if (PY.test(path)) {
    if (code.startsWith('#')) return undefined;
    if (/(?<![\w.])breakpoint\s*\(\s*\)/.test(code)) return '`breakpoint()`';
    if (/\b(?:i?pdb|pudb)\.set_trace\s*\(/.test(code)) return '`pdb.set_trace()`';
  }
  return undefined;
}

export const debugLeftover: PatchRule = {
  id: 'generic/debug-leftover',
  pack: 'generic',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: 'Debugging left in added code: `debugger;`, `console.log(` in src (not tests), `breakpoint()`, `pdb.set_trace()`.',
    why: 'Breakpoints stop programs in production and stray logging leaks data and clutters output.',
    fix: 'Remove it, or use the project\'s logger at a debug level.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    for (const { file, line } of addedLines(patch)) {
      const what = leftover(filePath(file), line.text);
      if (what) out.push(lineFinding(file, line, `debugging leftover ${what}`));
    }
    return out;
  },
};
