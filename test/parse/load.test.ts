import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { ChangeSetSchema } from '../../src/model/changeset.js';
import { defaultConfig } from '../../src/config/schema.js';
import { loadChangeSet } from '../../src/parse/index.js';
import { fixture } from './helpers.js';

const config = defaultConfig();

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rd-load-'));
}

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('loadChangeSet: files', () => {
  it('reads a git format-patch file', async () => {
    const changeset = await loadChangeSet([fixture('format-patch-fix.patch')], { config });
    expect(ChangeSetSchema.parse(changeset)).toBeTruthy();
    expect(changeset.patches).toHaveLength(1);
    const [patch] = changeset.patches;
    expect(patch!.source).toEqual({ input: fixture('format-patch-fix.patch'), index: 0, kind: 'email' });
    expect(patch!.subject).toMatchObject({ tree: 'net', summary: 'net: duckphy: fix refcount leak on probe failure' });
    expect(patch!.author).toEqual({ name: 'Ada Quill', email: 'ada.quill@example.org' });
    expect(patch!.notes.startsWith('v2: use the existing err_put label')).toBe(true);
    expect(patch!.trailers.map((t) => t.key)).toEqual(['Fixes', 'Signed-off-by']);
    expect(patch!.files[0]!.hunks[0]!.corrupt).toBeUndefined();
    expect(changeset.series).toEqual([{ id: patch!.id, version: 1, total: 1, patches: [0], origin: 'mailing-list' }]);
  });

  it('reads a bare diff as one patch with an empty subject', async () => {
    const changeset = await loadChangeSet([fixture('rename-mode-binary.diff')], { config });
    const [patch] = changeset.patches;
    expect(patch!.source.kind).toBe('diff');
    expect(patch!.subject.summary).toBe('');
    expect(patch!.files).toHaveLength(6);
    expect(changeset.series[0]).toMatchObject({ origin: 'diff', total: 1, patches: [0] });
  });

  it('keeps a corrupted hunk as a problem, not an error', async () => {
    const changeset = await loadChangeSet([fixture('corrupt-hunk.patch')], { config });
    const [patch] = changeset.patches;
    expect(patch!.parseProblems).toHaveLength(1);
    expect(patch!.parseProblems[0]!.message).toMatch(/wrapped/);
    expect(patch!.files[0]!.hunks[0]!.corrupt).toBeDefined();
  });

  it('reads several inputs into one change set', async () => {
    const changeset = await loadChangeSet([fixture('format-patch-fix.patch'), fixture('heron-v2-series.mboxrd.mbox')], { config });
    expect(changeset.patches).toHaveLength(4);
    expect(changeset.series.map((s) => s.patches)).toEqual([[0], [2, 3]]);
    expect(changeset.series[1]!.cover).toBe(1);
  });
});

describe('loadChangeSet: stdin', () => {
  it('reads a patch from stdin', async () => {
    const stdin = Readable.from([Buffer.from('--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n')]);
    const changeset = await loadChangeSet(['-'], { config, stdin });
    expect(changeset.inputs).toEqual(['-']);
    expect(changeset.patches[0]!.id).toBe('-#0');
    expect(changeset.patches[0]!.files[0]!.newPath).toBe('x.c');
  });

  it('refuses a terminal on stdin instead of waiting', async () => {
    const stdin = Object.assign(Readable.from([]), { isTTY: true });
    const error = await usageError(loadChangeSet(['-'], { config, stdin }));
    expect(error.input).toBe('-');
    expect(error.message).toMatch(/terminal/);
  });

  it('refuses empty stdin', async () => {
    const error = await usageError(loadChangeSet(['-'], { config, stdin: Readable.from([]) }));
    expect(error.oneLine()).toMatch(/^rubberduck: -: stdin is empty$/);
  });
});

describe('loadChangeSet: bad input is a one-line UsageError naming it', () => {
  const dir = tempDir();
  const write = (name: string, content: string | Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('missing file', async () => {
    const path = join(dir, 'nope.patch');
    const error = await usageError(loadChangeSet([path], { config }));
    expect(error.input).toBe(path);
    expect(error.message).toMatch(/no such file/);
  });

  it('a directory', async () => {
    const error = await usageError(loadChangeSet([dir], { config }));
    expect(error.message).toMatch(/directory/);
    expect(error.input).toBe(dir);
  });

  it('a text file that is not a patch', async () => {
    const path = write('notes.txt', 'just some notes\nnothing to see\n');
    const error = await usageError(loadChangeSet([path], { config }));
    expect(error.message).toMatch(/not a patch/);
  });

  it('an email with no diff that is not a cover letter', async () => {
    const path = write('nodiff.eml', 'From: a@b.c\nSubject: [PATCH net] net: x\n\nNo diff here.\n');
    const error = await usageError(loadChangeSet([path], { config }));
    expect(error.message).toMatch(/no unified diff/);
    expect(error.input).toBe(path);
  });

  it('an .eml in mbox form with no diff, and a lone reply', async () => {
    const mboxForm = write('mboxform.eml', 'From x@y Mon Mar 10 09:00:00 2025\nFrom: a@b.c\nSubject: [PATCH net] net: x\n\nNo diff.\n');
    expect((await usageError(loadChangeSet([mboxForm], { config }))).message).toMatch(/no unified diff/);
    const reply = write('reply.eml', 'From: a@b.c\nSubject: Re: [PATCH net] net: x\n\n> quoted\nLooks good.\n');
    expect((await usageError(loadChangeSet([reply], { config }))).message).toMatch(/no unified diff/);
    const pull = write('pull.mbox', 'From: a@b.c\nSubject: [GIT PULL] Networking for 6.9\n\nPlease pull.\n');
    const changeset = await loadChangeSet([pull], { config });
    expect(changeset.patches[0]!.parseProblems).toEqual([]);
  });

  it('a cover letter alone is fine', async () => {
    const path = write('cover.eml', 'From: a@b.c\nSubject: [PATCH net 0/2] net: x\n\nCover.\n');
    const changeset = await loadChangeSet([path], { config });
    expect(changeset.patches[0]!.isCover).toBe(true);
  });

  it('invalid UTF-8 in a diff names the offset and line', async () => {
    const path = write('latin1.diff', Buffer.concat([Buffer.from('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const error = await usageError(loadChangeSet([path], { config }));
    expect(error.message).toBe('invalid UTF-8 at byte offset 35 (line 5)');
  });

  it('binary garbage', async () => {
    const path = write('blob.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x00]));
    const error = await usageError(loadChangeSet([path], { config }));
    expect(error.message).toMatch(/binary data \(NUL byte at offset 6/);
  });

  it('an empty file', async () => {
    const error = await usageError(loadChangeSet([write('empty.patch', '')], { config }));
    expect(error.message).toMatch(/empty/);
  });

  it('a file over the size limit', async () => {
    const small = { ...config, limits: { ...config.limits, maxInputBytes: 10 } };
    const error = await usageError(loadChangeSet([fixture('format-patch-fix.patch')], { config: small }));
    expect(error.message).toMatch(/over the input limit/);
  });

  it('nothing at all', async () => {
    await usageError(loadChangeSet([], { config }));
  });
});

describe('loadChangeSet: git ranges', () => {
  let repo = '';
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo } }).trim();

  beforeAll(() => {
    repo = tempDir();
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Ada Quill');
    git('config', 'user.email', 'ada.quill@example.org');
    mkdirSync(join(repo, 'net'));
    writeFileSync(join(repo, 'net', 'duck.c'), 'int a;\nint b;\n');
    git('add', '.');
    git('commit', '-q', '-m', 'net: duck: add file');
    writeFileSync(join(repo, 'net', 'duck.c'), 'int a;\nint b;\nint c;\n');
    git('commit', '-q', '-am', 'net: duck: add c\n\nThe c counter is needed.\n\nSigned-off-by: Ada Quill <ada.quill@example.org>');
    writeFileSync(join(repo, 'net', 'duck.c'), 'int a;\nint c;\n');
    git('commit', '-q', '-am', 'net: duck: drop b\n\nNobody reads b.\n\nSigned-off-by: Ada Quill <ada.quill@example.org>');
  });

  it('reads A..B as commits in order, one series', async () => {
    const changeset = await loadChangeSet([], { config, repo, range: 'HEAD~2..HEAD' });
    expect(ChangeSetSchema.parse(changeset)).toBeTruthy();
    expect(changeset.patches.map((p) => p.subject.summary)).toEqual(['net: duck: add c', 'net: duck: drop b']);
    expect(changeset.patches.map((p) => p.subject.counter)).toEqual([1, 2]);
    expect(changeset.patches[0]!.source).toEqual({ input: 'HEAD~2..HEAD', index: 0, kind: 'commit' });
    expect(changeset.patches[0]!.files[0]!.hunks[0]!.lines.find((l) => l.kind === 'add')).toMatchObject({ text: 'int c;', newLine: 3 });
    expect(changeset.patches[1]!.trailers[0]!.person?.email).toBe('ada.quill@example.org');
    expect(changeset.series).toEqual([{ id: 'HEAD~2..HEAD', version: 1, total: 2, patches: [0, 1], origin: 'range' }]);
  });

  it('reads a single revision as that one commit, and a range given as an input', async () => {
    const single = await loadChangeSet(['HEAD'], { config, repo });
    expect(single.patches.map((p) => p.subject.summary)).toEqual(['net: duck: drop b']);
    const asInput = await loadChangeSet(['HEAD~1..HEAD'], { config, repo });
    expect(asInput.patches).toHaveLength(1);
  });

  it('a bad range is a one-line UsageError', async () => {
    const error = await usageError(loadChangeSet([], { config, repo, range: 'nosuch..HEAD' }));
    expect(error.input).toBe('nosuch..HEAD');
    expect(error.oneLine()).not.toContain('\n');
    expect(error.message).toMatch(/not a valid revision range/);
  });

  it('a missing file with --repo is neither a file nor a revision', async () => {
    const error = await usageError(loadChangeSet(['missing.patch'], { config, repo }));
    expect(error.input).toBe('missing.patch');
    expect(error.message).toMatch(/no such file, and not a revision/);
  });

  it('an empty range is a UsageError', async () => {
    const error = await usageError(loadChangeSet([], { config, repo, range: 'HEAD..HEAD' }));
    expect(error.message).toMatch(/no commits/);
  });

  it('not a git repository', async () => {
    const plain = tempDir();
    const error = await usageError(loadChangeSet([], { config, repo: plain, range: 'HEAD~1..HEAD' }));
    expect(error.message).toMatch(/not a git repository/);
    expect(error.input).toBe(plain);
  });
});
