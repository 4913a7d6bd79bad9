import { filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';

export const newFileMaintainers: PatchRule = {
  id: 'kernel/new-file-maintainers',
  pack: 'kernel',
  scope: 'patch',
  severity: 'info',
  doc: {
    what: 'Files are added, moved or deleted and MAINTAINERS is not touched.',
    why: 'Files outside every MAINTAINERS pattern end up with no reviewer; get_maintainer.pl then returns nobody.',
    fix: 'Check `scripts/get_maintainer.pl -f <file>`; if the new path is not covered, add it to the right MAINTAINERS entry.',
  },
  check(patch): RuleFinding[] {
    if (patch.isCover) return [];
    if (patch.files.some((f) => filePath(f) === 'MAINTAINERS' || f.oldPath === 'MAINTAINERS')) return [];
    const moved = patch.files.filter((f) => f.status === 'added' || f.status === 'deleted' || f.status === 'renamed');
    const first = moved[0];
    if (!first) return [];
    const verb = first.status === 'added' ? 'added' : first.status === 'deleted' ? 'deleted' : 'moved';
    return [
      {
        message: `${moved.length === 1 ? `${filePath(first)} ${verb}` : `${moved.length} files added, moved or deleted`}; does MAINTAINERS need updating?`,
        location: { kind: 'diff', file: filePath(first), line: 1, side: first.status === 'deleted' ? 'old' : 'new', patchLine: first.patchLine },
      },
    ];
  },
};
