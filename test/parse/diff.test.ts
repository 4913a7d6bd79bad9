import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FilePatchSchema } from '../../src/model/changeset.js';
import { parseDiff } from '../../src/parse/index.js';
import { fixture } from './helpers.js';

describe('parseDiff', () => {
  it('numbers old and new lines and patch lines', () => {
    const text = [
      'diff --git a/net/core/dev.c b/net/core/dev.c', // 1
      'index 111..222 100644', // 2
      '--- a/net/core/dev.c', // 3
      '+++ b/net/core/dev.c', // 4
      '@@ -10,4 +10,5 @@ int dev_open(struct net_device *dev)', // 5
      ' \tint a;', // 6
      '-\tint b;', // 7
      '+\tint bb;', // 8
      '+\tint c;', // 9
      ' ', // 10
      ' \treturn 0;', // 11
    ].join('\n');
    const { files, problems } = parseDiff(text, { startLine: 1 });
    expect(problems).toEqual([]);
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file).toMatchObject({ oldPath: 'net/core/dev.c', newPath: 'net/core/dev.c', status: 'modified', patchLine: 1, binary: false });
    const hunk = file.hunks[0]!;
    expect(hunk).toMatchObject({ oldStart: 10, oldLines: 4, newStart: 10, newLines: 5, section: 'int dev_open(struct net_device *dev)', patchLine: 5 });
    expect(hunk.corrupt).toBeUndefined();
    expect(hunk.lines.map((l) => [l.kind, l.oldLine, l.newLine, l.patchLine])).toEqual([
      ['ctx', 10, 10, 6],
      ['del', 11, undefined, 7],
      ['add', undefined, 11, 8],
      ['add', undefined, 12, 9],
      ['ctx', 12, 13, 10],
      ['ctx', 13, 14, 11],
    ]);
    expect(hunk.lines[2]!.text).toBe('\tint bb;');
    expect(FilePatchSchema.parse(file)).toBeTruthy();
  });

  it('offsets patch lines by startLine', () => {
    const { files } = parseDiff('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n', { startLine: 40 });
    expect(files[0]!.patchLine).toBe(40);
    expect(files[0]!.hunks[0]!.lines.map((l) => l.patchLine)).toEqual([43, 44]);
    expect(files[0]!.hunks[0]).toMatchObject({ oldLines: 1, newLines: 1 });
  });

  it('reads renames, mode changes, binary files, deletions and additions', () => {
    const { files, problems } = parseDiff(readFileSync(fixture('rename-mode-binary.diff'), 'utf8'));
    expect(problems).toEqual([]);
    expect(files.map((f) => f.status)).toEqual(['renamed', 'modified', 'added', 'modified', 'deleted', 'added']);
    const [rename, mode, blob, png, deleted, added] = files;
    expect(rename).toMatchObject({ oldPath: 'drivers/net/ethernet/duck/quack.c', newPath: 'drivers/net/ethernet/duck/honk.c', similarity: 92 });
    expect(rename!.hunks[0]!.lines.filter((l) => l.kind === 'add').map((l) => l.newLine)).toEqual([2]);
    expect(mode).toMatchObject({ oldMode: '100644', newMode: '100755', newPath: 'scripts/duck/run.sh', hunks: [] });
    expect(blob).toMatchObject({ binary: true, oldPath: null, newPath: 'drivers/net/ethernet/duck/firmware.bin', newMode: '100644' });
    expect(png).toMatchObject({ binary: true, hunks: [], newPath: 'drivers/net/ethernet/duck/logo.png' });
    expect(deleted).toMatchObject({ oldPath: 'drivers/net/ethernet/duck/Makefile', newPath: null, oldMode: '100644' });
    expect(deleted!.hunks[0]!.lines.map((l) => l.oldLine)).toEqual([1, 2]);
    expect(added).toMatchObject({ oldPath: null, newPath: 'drivers/net/ethernet/duck/duck.h' });
    const last = added!.hunks[0]!.lines.at(-1)!;
    expect(last).toMatchObject({ kind: 'add', newLine: 3, noNewlineAtEnd: true, text: '#define DUCK_NAME\t"duck"' });
    expect(added!.hunks[0]!.lines[0]!.noNewlineAtEnd).toBe(false);
  });

  it('detects CRLF line ends in a plain (Index:) diff and strips timestamps', () => {
    const { files, problems } = parseDiff(readFileSync(fixture('crlf-plain.diff'), 'utf8'));
    expect(problems).toEqual([]);
    expect(files[0]).toMatchObject({ oldPath: 'lib/duck.c.orig', newPath: 'lib/duck.c', status: 'modified', patchLine: 1 });
    const lines = files[0]!.hunks[0]!.lines;
    expect(lines.map((l) => l.crlf)).toEqual([true, true, true, true]);
    expect(lines[2]).toMatchObject({ kind: 'add', text: 'int duck_min;', newLine: 5 });
  });

  it('marks a hunk whose body is shorter than its header (truncated)', () => {
    const text = '--- a/x.c\n+++ b/x.c\n@@ -1,5 +1,5 @@\n a\n-b\n+c\n';
    const { files, problems } = parseDiff(text);
    expect(files[0]!.hunks[0]!.corrupt).toMatch(/truncated|ends early/);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/@@ -1,5 \+1,5 @@/);
  });

  it('marks a hunk with more lines than its header', () => {
    const text = '--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n+d\n';
    const { files, problems } = parseDiff(text);
    const hunk = files[0]!.hunks[0]!;
    expect(hunk.corrupt).toMatch(/more lines/);
    expect(hunk.lines.at(-1)).toMatchObject({ kind: 'add', text: 'd' });
    expect(problems[0]!.line).toBe(7);
  });

  it('marks a wrapped line and keeps reading the hunk', () => {
    const text = readFileSync(fixture('corrupt-hunk.patch'), 'utf8');
    const start = text.split('\n').findIndex((line) => line.startsWith('diff --git'));
    const diff = text.split('\n').slice(start).join('\n');
    const { files, problems } = parseDiff(diff, { startLine: start + 1 });
    const hunk = files[0]!.hunks[0]!;
    expect(hunk.corrupt).toMatch(/not a diff line/);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(start + 1 + 10);
    expect(hunk.lines.at(-1)).toMatchObject({ kind: 'ctx', text: '}' });
  });

  it('never throws on garbage and reports a malformed hunk header', () => {
    const { files, problems } = parseDiff('--- a/x\n+++ b/x\n@@ -a,b +c,d @@\nwhatever\n\u0000\n');
    expect(files).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/malformed hunk header/);
    expect(parseDiff('').files).toEqual([]);
  });

  it('parses quoted paths with spaces and non-ASCII names', () => {
    const text = 'diff --git "a/doc/caf\\303\\251 notes.txt" "b/doc/caf\\303\\251 notes.txt"\nnew file mode 100644\n--- /dev/null\n+++ "b/doc/caf\\303\\251 notes.txt"\n@@ -0,0 +1 @@\n+hi\n';
    const { files } = parseDiff(text);
    expect(files[0]).toMatchObject({ status: 'added', oldPath: null, newPath: 'doc/café notes.txt' });
    const spaced = parseDiff('diff --git a/my file.c b/my file.c\nindex 1..2 100644\n--- a/my file.c\n+++ b/my file.c\n@@ -1 +1 @@\n-a\n+b\n');
    expect(spaced.files[0]).toMatchObject({ oldPath: 'my file.c', newPath: 'my file.c' });
  });

  it('handles copies', () => {
    const { files } = parseDiff('diff --git a/a.c b/b.c\nsimilarity index 100%\ncopy from a.c\ncopy to b.c\n');
    expect(files[0]).toMatchObject({ status: 'copied', oldPath: 'a.c', newPath: 'b.c', similarity: 100 });
  });

  it('parses well over 100k diff lines per second (best of three, the machine may be busy)', () => {
    const body: string[] = ['diff --git a/big.c b/big.c', '--- a/big.c', '+++ b/big.c'];
    for (let h = 0; h < 2_500; h++) {
      body.push(`@@ -${h * 20 + 1},18 +${h * 22 + 1},20 @@ static int f${h}(void)`);
      for (let i = 0; i < 8; i++) body.push(` \tint ctx_${i} = ${i};`);
      body.push('-\tint old;', '+\tint new1;', '+\tint new2;', '+\tint new3;');
      for (let i = 0; i < 9; i++) body.push(` \treturn ${i};`);
    }
    const text = body.join('\n');
    let best = Infinity;
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const { files, problems } = parseDiff(text);
      best = Math.min(best, (performance.now() - started) / 1000);
      expect(problems).toEqual([]);
      expect(files[0]!.hunks).toHaveLength(2_500);
    }
    expect(body.length / best).toBeGreaterThan(100_000);
  });
});
