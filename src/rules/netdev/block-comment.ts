import { filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';

const OPEN_ALONE = /^[ \t]*\/\*[ \t]*$/;
const CONTINUATION = /^[ \t]*\*/;

export const blockComment: PatchRule = {
  id: 'netdev/block-comment',
  pack: 'netdev',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: 'Under net/ or drivers/net/, a multi-line comment whose `/*` stands alone on its line.',
    why: 'Networking code has long used the compact block comment style, with the text starting on the `/*` line.',
    fix: 'Start the comment text on the opening line: `/* Text…` followed by ` * more…` and ` */`.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    for (const file of patch.files) {
      const path = filePath(file);
      if (!(path.startsWith('net/') || path.startsWith('drivers/net/'))) continue;
      for (const hunk of file.hunks) {
        const lines = hunk.lines.filter((l) => l.kind !== 'del');
        lines.forEach((line, i) => {
          const next = lines[i + 1];
          if (line.kind !== 'add' || !OPEN_ALONE.test(line.text) || next?.kind !== 'add' || !CONTINUATION.test(next.text)) return;
          // The comment that opens a file (licence, copyright) is left alone.
          if ((next.newLine ?? 0) <= 2) return;
          // Reported on the first line of text, where checkpatch reports it.
          out.push(lineFinding(file, next, 'networking block comments start their text on the `/*` line: `/* Comment…`'));
        });
      }
    }
    return out;
  },
};
