import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { messageDate, openArchive, type Archive } from '../../src/mail/archive.js';
import { runTriage } from '../../src/mail/triage.js';
import { UsageError } from '../../src/model/errors.js';
import { gitIn } from '../support/git.js';
import { mail, mbox, series } from '../support/mail.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-archive-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Six messages a minute apart: two series and a reply. */
function week(): string[] {
  return [
    ...series({ prefix: 'PATCH net-next', title: 'net: quack: rework rx', total: 2, id: 'a' }),
    mail({ subject: 'Re: [PATCH net-next 1/2] net: quack: rework rx, part 1', messageId: 'r@x', inReplyTo: 'a-1@example.com', references: ['a-0@example.com', 'a-1@example.com'], body: 'Reviewed-by: Paolo Reviewer <paolo@example.org>', minutes: 10 }),
    ...series({ prefix: 'PATCH net-next', title: 'net: honk: add stats', total: 2, id: 'b', minutes: 20 }),
  ];
}

async function subjects(archive: Archive, filter = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const m of archive.messages(filter)) out.push(/^Subject: (.*)$/m.exec(m.bytes.toString('utf8'))![1]!);
  return out;
}

const options = { maxBytes: 1 << 20 };

/** A public-inbox epoch: a bare repository in which each commit adds one message as `m`. */
function epoch(path: string, messages: string[], options: { deleteSecond?: boolean } = {}): void {
  gitIn(dir, ['init', '-q', '--bare', path]);
  const work = mkdtempSync(join(tmpdir(), 'rd-epoch-'));
  try {
    messages.forEach((message, i) => {
      writeFileSync(join(work, 'm'), message);
      gitIn(work, ['--git-dir', path, '--work-tree', work, 'add', 'm']);
      const date = messageDate(Buffer.from(message))!.toISOString();
      execCommit(path, work, date, `message ${i}`);
      if (options.deleteSecond && i === 1) {
        // public-inbox removes a message by a commit whose tree has `d` instead of `m`.
        gitIn(work, ['--git-dir', path, '--work-tree', work, 'rm', '-q', '--cached', 'm']);
        writeFileSync(join(work, 'd'), message);
        gitIn(work, ['--git-dir', path, '--work-tree', work, 'add', 'd']);
        execCommit(path, work, date, 'delete');
        gitIn(work, ['--git-dir', path, '--work-tree', work, 'rm', '-q', '--cached', 'd']);
        rmSync(join(work, 'd'));
      }
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function execCommit(gitDir: string, work: string, date: string, message: string): void {
  gitIn(work, ['--git-dir', gitDir, '--work-tree', work, '-c', `user.name=pi`, '-c', 'user.email=pi@example.org', 'commit', '-q', '--allow-empty', '-m', message, `--date=${date}`], undefined);
}

describe('archive readers', () => {
  it('an mbox, with --since, --until and --limit on the Date headers', async () => {
    const path = join(dir, 'list.mbox');
    writeFileSync(path, mbox(week()));
    const archive = await openArchive(path, options);
    expect(archive.kind).toBe('mbox');
    expect(await subjects(archive)).toHaveLength(7);
    expect(await subjects(archive, { since: new Date('2025-06-03T10:10:00Z') })).toEqual([
      'Re: [PATCH net-next 1/2] net: quack: rework rx, part 1',
      '[PATCH net-next 0/2] net: honk: add stats',
      '[PATCH net-next 1/2] net: honk: add stats, part 1',
      '[PATCH net-next 2/2] net: honk: add stats, part 2',
    ]);
    expect(await subjects(archive, { until: new Date('2025-06-03T10:01:00Z') })).toEqual(['[PATCH net-next 0/2] net: quack: rework rx', '[PATCH net-next 1/2] net: quack: rework rx, part 1']);
    expect(await subjects(archive, { limit: 2 })).toEqual(['[PATCH net-next 1/2] net: honk: add stats, part 1', '[PATCH net-next 2/2] net: honk: add stats, part 2']);
    expect(archive.progress()).toMatchObject({ unit: 'bytes', total: expect.any(Number) });
  });

  it('a Maildir, in delivery order, new/ and cur/ alike', async () => {
    const messages = week();
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(dir, 'md', sub), { recursive: true });
    // Names start with the delivery time; written in shuffled order.
    const order = [3, 0, 6, 1, 5, 2, 4];
    for (const i of order) writeFileSync(join(dir, 'md', i % 2 ? 'new' : 'cur', `${1717405200 + i * 60}.M${i}P1.host${i % 2 ? '' : ':2,S'}`), messages[i]!);
    const archive = await openArchive(join(dir, 'md'), options);
    expect(archive.kind).toBe('maildir');
    const got = await subjects(archive);
    expect(got).toEqual(messages.map((m) => /^Subject: (.*)$/m.exec(m)![1]));
    expect(await subjects(archive, { limit: 1 })).toEqual([got[6]]);
  });

  it('a public-inbox v2 inbox: epochs read in order with git cat-file --batch, a commit without m (a deletion) skipped', async () => {
    const messages = week();
    mkdirSync(join(dir, 'inbox', 'git'), { recursive: true });
    epoch(join(dir, 'inbox', 'git', '0.git'), messages.slice(0, 4), { deleteSecond: true });
    epoch(join(dir, 'inbox', 'git', '1.git'), messages.slice(4));
    const archive = await openArchive(join(dir, 'inbox'), options);
    expect(archive.kind).toBe('public-inbox');
    const got = await subjects(archive);
    expect(got).toEqual(messages.map((m) => /^Subject: (.*)$/m.exec(m)![1]));
    expect(await subjects(archive, { limit: 4 })).toEqual(got.slice(3));
    expect(await subjects(archive, { since: new Date('2025-06-03T10:20:00Z') })).toEqual(got.slice(4));
  });

  it('a public-inbox repository triaged end to end', async () => {
    epoch(join(dir, 'list.git'), week());
    const { report } = await runTriage({ input: join(dir, 'list.git'), db: ':memory:', config: defaultConfig() });
    expect(report.series.map((s) => [s.subject, s.received, s.replies.trailers])).toEqual([
      ['[PATCH net-next 0/2] net: quack: rework rx', 2, ['Reviewed-by: Paolo Reviewer <paolo@example.org>']],
      ['[PATCH net-next 0/2] net: honk: add stats', 2, []],
    ]);
  });

  it('a git repository that is not an archive, and a folder that is nothing', async () => {
    const repo = join(dir, 'code');
    mkdirSync(repo);
    gitIn(repo, ['init', '-q']);
    writeFileSync(join(repo, 'README'), 'hello\n');
    gitIn(repo, ['add', 'README']);
    gitIn(repo, ['-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '-q', '-m', 'readme']);
    const error = await openArchive(repo, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).oneLine()).toMatch(/code: not a public-inbox archive: commit [0-9a-f]{12} has no file m$/);
    mkdirSync(join(dir, 'empty'));
    expect(((await openArchive(join(dir, 'empty'), options).catch((e: unknown) => e)) as UsageError).oneLine()).toMatch(/empty: not an archive/);
  });
});
