import { filePath, type FilePatch } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';

/**
 * The comment a file's SPDX line is written in (Documentation/process/license-rules.rst), by
 * extension; undefined for files that carry none (plain text, Makefiles, Kconfig).
 */
function commentFor(path: string, shebang: boolean): string | undefined {
  if (/\.(?:h|s|S)$/.test(path)) return '/*';
  if (/\.(?:c|dts|dtsi|rs)$/.test(path)) return '//';
  if (shebang || /\.(?:sh|pl|py|awk|tc|yaml)$/.test(path)) return '#';
  if (/\.rst$/.test(path)) return '..';
  return undefined;
}

function problem(file: FilePatch): { message: string; index: number } | undefined {
  const added = (file.hunks[0]?.lines ?? []).filter((l) => l.kind === 'add');
  if (added.length === 0) return undefined;
  // The tag belongs on line 1, or on line 2 after a `#!` line.
  const shebang = /^\s*#!\s*\//.test(added[0]!.text);
  const index = shebang ? 1 : 0;
  const comment = commentFor(filePath(file), shebang);
  const line = added[index];
  if (comment === undefined || !line) return undefined;
  const text = line.text.replace(/\r$/, '');
  if (text.startsWith(`${comment} SPDX-License-Identifier: `)) return undefined;
  if (/SPDX-License-Identifier:/.test(text)) return { message: `SPDX-License-Identifier not written as \`${comment} SPDX-License-Identifier: …\``, index };
  const elsewhere = added.findIndex((l) => l.text.includes('SPDX-License-Identifier'));
  if (elsewhere >= 0) return { message: `SPDX-License-Identifier on line ${elsewhere + 1}; it belongs on line ${index + 1}`, index };
  return { message: 'new file has no SPDX-License-Identifier', index };
}

export const spdxLicense: PatchRule = {
  id: 'kernel/spdx-license',
  pack: 'kernel',
  scope: 'patch',
  severity: 'warning',
  doc: {
    what: 'A new source file (.c, .h, .S, .rs, .dts, scripts, .rst, …) whose line 1 (line 2 after `#!`) is not its `SPDX-License-Identifier`, in the comment style of its type.',
    why: 'Every kernel file must state its licence in machine-readable form on its first possible line (Documentation/process/license-rules.rst); tools read only that line.',
    fix: 'Make the first line `// SPDX-License-Identifier: GPL-2.0` (C sources), `/* SPDX-License-Identifier: GPL-2.0 */` (headers), `# …` after any `#!` (scripts) or `.. …` (reST).',
  },
  check(patch): RuleFinding[] {
    const out: RuleFinding[] = [];
    for (const file of patch.files) {
      if (file.status !== 'added' || file.binary) continue;
      if (file.newMode === '120000') continue; // a symlink's content is its target path
      const found = problem(file);
      if (!found) continue;
      const line = (file.hunks[0]?.lines ?? []).filter((l) => l.kind === 'add')[found.index];
      out.push({
        message: found.message,
        location: { kind: 'diff', file: filePath(file), line: found.index + 1, side: 'new', patchLine: line?.patchLine ?? file.patchLine },
        ...(line ? { evidence: line.text } : {}),
      });
    }
    return out;
  },
};
