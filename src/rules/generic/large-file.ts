import { filePath } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';

/** Added text files above this many bytes are flagged. */
export const LARGE_FILE_BYTES = 1024 * 1024;

const SOURCE_FOLDER = /(?:^|\/)(?:src|lib|app|pkg|cmd|internal)\//;
const ASSET = /\.(?:png|jpe?g|gif|svg|ico|webp|avif|bmp|woff2?|ttf|otf|eot|mp3|ogg|wav|mp4|webm)$/i;

export const largeFile: PatchRule = {
  id: 'generic/large-file',
  pack: 'generic',
  severity: 'warning',
  scope: 'patch',
  doc: {
    what: 'An added file over 1 MiB, or a binary file added to a source folder.',
    why: 'Large and binary blobs bloat every clone for good and usually belong in releases, LFS or build output.',
    fix: 'Remove it from the change; generate it at build time, or track it with Git LFS.',
  },
  check(patch) {
    const out: RuleFinding[] = [];
    for (const file of patch.files) {
      if (file.status !== 'added' && file.status !== 'copied') continue;
      const path = filePath(file);
      if (file.binary) {
        if (SOURCE_FOLDER.test(path) && !ASSET.test(path)) {
          out.push({ message: `binary file added to a source folder: ${path}`, location: { kind: 'diff', file: path, line: 1, side: 'new', patchLine: file.patchLine } });
        }
        continue;
      }
      let bytes = 0;
      for (const hunk of file.hunks) for (const line of hunk.lines) if (line.kind === 'add') bytes += Buffer.byteLength(line.text) + 1;
      if (bytes > LARGE_FILE_BYTES) {
        out.push({
          message: `added file is ${(bytes / 1024 / 1024).toFixed(1)} MiB (limit ${LARGE_FILE_BYTES / 1024 / 1024} MiB): ${path}`,
          location: { kind: 'diff', file: path, line: 1, side: 'new', patchLine: file.patchLine },
        });
      }
    }
    return out;
  },
};
