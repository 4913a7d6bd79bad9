import { filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';

const SOURCE = /\.(?:c|h)$/;

export const executableSource: PatchRule = {
  id: 'kernel/executable-source',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'A .c or .h file is added with, or changed to, mode 100755.',
    why: 'Source files are not programs; an executable bit on them is always an accident (often from a Windows or FAT checkout).',
    fix: 'Run `chmod -x` on the file, amend the commit and regenerate the patch.',
  },
  check(patch): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const file of patch.files) {
      if (file.status === 'deleted' || !SOURCE.test(filePath(file))) continue;
      const mode = file.newMode;
      if (!mode || !/755$/.test(mode)) continue;
      if (file.status !== 'added' && file.oldMode === mode) continue;
      const evidence = file.status === 'added' ? `new file mode ${mode}` : `new mode ${mode}`;
      out.push({
        message: `source file ${filePath(file)} is made executable (mode ${mode})`,
        location: { kind: 'diff', file: filePath(file), line: 1, side: 'new', patchLine: file.patchLine },
        evidence,
      });
    }
    return out;
  },
};
