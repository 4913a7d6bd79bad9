import { filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';

const SOURCE = /\.(?:c|h|py|sh|rs)$/;
/** checkpatch wants the tag on line 1, or line 2 after a `#!` line; we look a little further. */
const HEAD_LINES = 3;

export const spdxLicense: PatchRule = {
  id: 'kernel/spdx-license',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'A new source file (.c, .h, .py, .sh, .rs) has no `SPDX-License-Identifier` in its first lines.',
    why: 'Every kernel file must state its licence in machine-readable form (Documentation/process/license-rules.rst).',
    fix: 'Add `// SPDX-License-Identifier: GPL-2.0` (C sources), `/* … */` (headers) or `# …` (scripts) as the first line, after any `#!`.',
  },
  check(patch): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const file of patch.files) {
      if (file.status !== 'added' || file.binary || !SOURCE.test(filePath(file))) continue;
      if (file.newMode === '120000') continue; // a symlink's content is its target path
      const first = file.hunks[0];
      if (!first) continue;
      const head = first.lines.filter((l) => l.kind === 'add').slice(0, HEAD_LINES);
      if (head.length === 0) continue;
      if (head.some((l) => l.text.includes('SPDX-License-Identifier'))) continue;
      const line = head[0];
      out.push({
        message: 'new file has no SPDX-License-Identifier',
        location: { kind: 'diff', file: filePath(file), line: 1, side: 'new', patchLine: line?.patchLine ?? file.patchLine },
        ...(line ? { evidence: line.text } : {}),
      });
    }
    return out;
  },
};
