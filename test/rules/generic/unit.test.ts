import { describe, expect, it } from 'vitest';
import { conflictMarker } from '../../../src/rules/generic/conflict-marker.js';
import { debugLeftover } from '../../../src/rules/generic/debug-leftover.js';
import { largeFile } from '../../../src/rules/generic/large-file.js';
import { missingFinalNewline } from '../../../src/rules/generic/missing-final-newline.js';
import { secret } from '../../../src/rules/generic/secret.js';
import { trailingWhitespace } from '../../../src/rules/generic/trailing-whitespace.js';
import { ctx, file, patch } from '../../support/changeset.js';

const added = (path: string, ...lines: string[]) =>
  patch({ kind: 'diff', files: [file(path, [`@@ -1,1 +1,${lines.length + 1} @@`, ' context', ...lines.map((l) => `+${l}`)].join('\n'))] });

// Secret-shaped strings are assembled at run time so this file itself holds no token shape.
const ghp = 'gh' + 'p_' + 'Ab1'.repeat(12);
const pem = '-----BEGIN ' + 'RSA PRIVATE KEY-----';
const aws = 'AK' + 'IA' + 'Q7ZX3NVB5KPLM2RT';
const awsExample = 'AK' + 'IA' + 'IOSFODNN7' + 'EXAMPLE';
const openai = 's' + 'k-' + 'proj-' + 'x1Y2'.repeat(6) + 'T3Blbk' + 'FJ' + 'z9W8'.repeat(6);
const slack = 'xo' + 'xb-' + '123456789012-1234567890123-' + 'AbCd'.repeat(6);

describe('generic/secret', () => {
  it('matches each well-known shape and redacts the evidence', () => {
    for (const s of [ghp, pem, aws, openai, slack]) {
      const found = secret.check(added('src/config.ts', `const key = "${s}";`), ctx());
      expect(found, s).toHaveLength(1);
      if (s !== pem) expect(found[0]?.evidence).not.toContain(s);
    }
  });

  it('leaves near misses alone', () => {
    for (const s of [
      awsExample,
      'gh' + 'p_short',
      'task-' + 'a'.repeat(48),
      'xo' + 'xo-hugs-and-kisses',
      '-----BEGIN PUBLIC KEY-----',
      'process.env.GITHUB_TOKEN',
      'x' + ghp, // not at a word boundary
    ]) {
      expect(secret.check(added('src/config.ts', `const key = "${s}";`), ctx()), s).toHaveLength(0);
    }
  });
});

describe('generic/conflict-marker', () => {
  it('flags markers but not an RST heading underline', () => {
    expect(conflictMarker.check(added('a.c', '<<<<<<< HEAD', 'x', '=======', 'y', '>>>>>>> topic'), ctx())).toHaveLength(3);
    expect(conflictMarker.check(added('doc.rst', 'Title', '======='), ctx())).toHaveLength(0);
  });
});

describe('generic/trailing-whitespace and missing-final-newline', () => {
  it('flags trailing blanks with a fix, but not a Markdown hard break', () => {
    const found = trailingWhitespace.check(added('a.py', 'x = 1 \t'), ctx());
    expect(found[0]?.fix?.target).toMatchObject({ kind: 'diff', startLine: 2, endLine: 2, lines: ['x = 1'] });
    expect(trailingWhitespace.check(added('README.md', 'line one  '), ctx())).toHaveLength(0);
  });

  it('only flags the added end of a file', () => {
    const p = patch({ kind: 'diff', files: [file('a.txt', '@@ -1,1 +1,2 @@\n a\n+b\n\\ No newline at end of file')] });
    expect(missingFinalNewline.check(p, ctx())[0]?.location).toMatchObject({ line: 2 });
    const old = patch({ kind: 'diff', files: [file('a.txt', '@@ -1,2 +1,2 @@\n-a\n+b\n c\n\\ No newline at end of file')] });
    expect(missingFinalNewline.check(old, ctx())).toHaveLength(0);
    const link = patch({ kind: 'diff', files: [file('tools/x.c', '@@ -0,0 +1 @@\n+../../lib/x.c\n\\ No newline at end of file', { status: 'added', oldPath: null, newMode: '120000' })] });
    expect(missingFinalNewline.check(link, ctx())).toHaveLength(0);
  });
});

describe('generic/debug-leftover and large-file', () => {
  it('console.log only in src outside tests', () => {
    expect(debugLeftover.check(added('src/app.ts', 'console.log(user);'), ctx())).toHaveLength(1);
    expect(debugLeftover.check(added('src/app.test.ts', 'console.log(user);'), ctx())).toHaveLength(0);
    expect(debugLeftover.check(added('scripts/build.js', 'console.log("done");'), ctx())).toHaveLength(0);
    expect(debugLeftover.check(added('tool.py', '    breakpoint()'), ctx())).toHaveLength(1);
    expect(debugLeftover.check(added('tool.py', '    # pdb.set_trace()'), ctx())).toHaveLength(0);
  });

  it('flags binaries in source folders but not images', () => {
    const bin = (path: string) => patch({ kind: 'diff', files: [{ oldPath: null, newPath: path, status: 'added', binary: true, patchLine: 1, hunks: [] }] });
    expect(largeFile.check(bin('src/model.bin'), ctx())).toHaveLength(1);
    expect(largeFile.check(bin('src/assets/logo.png'), ctx())).toHaveLength(0);
  });
});
