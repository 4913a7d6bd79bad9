import { addedLines, filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';

const OUTER = /^(?:<{7}|>{7}|\|{7})(?: .*)?$/;
const SEPARATOR = /^={7}$/;

export const conflictMarker: PatchRule = {
  id: 'generic/conflict-marker',
  pack: 'generic',
  severity: 'error',
  scope: 'patch',
  doc: {
    what: 'A merge conflict marker (`<<<<<<<`, `=======`, `>>>>>>>`) in an added line.',
    why: 'It is the remains of an unresolved merge or rebase; the file no longer builds or reads as intended.',
    fix: 'Resolve the conflict and remove the markers.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    const lines = [...addedLines(patch)];
    // A lone `=======` is a reStructuredText/Markdown underline unless real markers surround it.
    const filesWithMarkers = new Set(lines.filter(({ line }) => OUTER.test(line.text)).map(({ file }) => filePath(file)));
    for (const { file, line } of lines) {
      if (OUTER.test(line.text) || (SEPARATOR.test(line.text) && filesWithMarkers.has(filePath(file)))) {
        out.push(lineFinding(file, line, 'merge conflict marker left in the file'));
      }
    }
    return out;
  },
};
