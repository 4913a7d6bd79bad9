import { addedLines, filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { lineFinding } from '../lib/location.js';
import { isCFile, stripCCommentsAndStrings } from './util.js';

export const enotsupp: PatchRule = {
  id: 'netdev/enotsupp',
  pack: 'netdev',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: '`ENOTSUPP` added in C code.',
    why: '`ENOTSUPP` is a kernel-internal NFS code with no user-space meaning; it leaks to user space as "Unknown error 524".',
    fix: 'Use `EOPNOTSUPP`.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    for (const { file, line } of addedLines(patch)) {
      if (!isCFile(filePath(file))) continue;
      if (line.text.includes('ENOTSUPP') && /\bENOTSUPP\b/.test(stripCCommentsAndStrings(line.text))) {
        out.push(lineFinding(file, line, 'use `EOPNOTSUPP` rather than `ENOTSUPP`, which is not a user-space error code'));
      }
    }
    return out;
  },
};
