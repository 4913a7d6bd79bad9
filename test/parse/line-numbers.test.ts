/**
 * `#N:` counts from the start of the file, headers included, as checkpatch's does on an .eml;
 * in an mbox, from the start of the mbox (earlier messages and `From ` lines included).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import type { Patch } from '../../src/model/changeset.js';
import { loadChangeSet } from '../../src/parse/index.js';
import { fixture } from './helpers.js';

/** Every number the patch gives points at the line of the file it names. */
function expectLinesOfFile(patch: Patch, fileLines: string[]): void {
  const firstMessageLine = patch.message.split('\n')[0]!;
  expect(fileLines[patch.messageStartLine - 1], `${patch.id} message`).toBe(firstMessageLine);
  let checked = 0;
  for (const file of patch.files) {
    for (const hunk of file.hunks) {
      expect(fileLines[hunk.patchLine - 1]!.startsWith('@@ '), `${patch.id} hunk`).toBe(true);
      for (const line of hunk.lines) {
        const prefix = line.kind === 'add' ? '+' : line.kind === 'del' ? '-' : ' ';
        expect(fileLines[line.patchLine - 1]!.replace(/\r$/, ''), `${patch.id} line ${line.patchLine}`).toBe(line.text === '' && fileLines[line.patchLine - 1] === '' ? '' : prefix + line.text);
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(0);
}

describe('line numbers count from the start of the file', () => {
  it.each(['b4-relay.eml', 'format-patch-fix.patch', 'heron-v2-series.mboxrd.mbox'])('%s', async (name) => {
    const path = fixture(name);
    const fileLines = readFileSync(path, 'utf8').split('\n');
    const changeset = await loadChangeSet([path], { config: defaultConfig() });
    const patches = changeset.patches.filter((p) => p.files.length > 0);
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) expectLinesOfFile(patch, fileLines);
  });
});
