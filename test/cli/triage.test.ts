import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TriageReportSchema } from '../../src/mail/schema.js';
import { closedPort } from '../support/openai-stub.js';
import { mbox, series } from '../support/mail.js';

/** These tests run the BUILT CLI (`npm test` builds first; alone: `npx tsc -p .`). */
const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli/index.js');
const week = join(root, 'fixtures/patches/triage/netdev-week.mbox');

let dir: string;
beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npx tsc -p .' (npm test builds first)`);
  dir = mkdtempSync(join(tmpdir(), 'rd-cli-triage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rd(args: string[], input = ''): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, 'triage', ...args], {
    encoding: 'utf8',
    cwd: dir,
    input,
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUBBERDUCK_MODEL: '', PATCHWORK_TOKEN: '', XDG_STATE_HOME: join(dir, 'state') },
    timeout: 120_000,
  });
}

function oneLineError(r: SpawnSyncReturns<string>, naming: string): void {
  expect(r.status).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^rubberduck: /);
  expect(lines[0]).toContain(naming);
}

describe('rubberduck triage (built CLI)', () => {
  it('prints a table of series with verdicts and exits 1 when some need changes; the history goes under the state directory', () => {
    const r = rd([week]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^VERDICT\s+TREE\s+VER\s+RECV\s+SERIES\s+TOP FINDING$/);
    expect(r.stdout).toMatch(/^changes-req\s+net\s+v1\s+1\/1\s+net: honk: fix the rx refill leak\s+kernel\/fixes-format/m);
    expect(r.stdout).toMatch(/^needs-human\s+net-next\s+v1\s+2\/3\s+net: moo: ethtool statistics/m);
    expect(r.stdout).toMatch(/^superseded\s+net-next\s+v1\s+2\/2\s+net: oink: add XDP support/m);
    expect(lines.at(-1)).toBe('9 series from 23 messages: 4 ready, 3 needs-human, 2 changes-requested');
    expect(existsSync(join(dir, 'state', 'rubberduck', 'triage.sqlite'))).toBe(true);
  });

  it('--format json is the TriageReport; --output, --replies and --html write files', () => {
    const r = rd([week, '--db', join(dir, 'json.sqlite'), '--format', 'json', '--output', 'report.json', '--replies', 'replies', '--html', 'html']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const report = TriageReportSchema.parse(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
    expect(report.totals.series).toBe(9);
    expect(readdirSync(join(dir, 'replies'))).toEqual(['0001-net-honk-fix-the-rx-refill-leak.eml']);
    expect(existsSync(join(dir, 'html', 'index.html'))).toBe(true);
    expect(r.stderr).toMatch(/^rubberduck: dashboard written to .*html\/index\.html$/m);
    expect(r.stderr).toMatch(/^rubberduck: 1 reply draft written to replies$/m);
  });

  it('reads stdin, exits 0 when nothing needs changes, and --smtp --dry-run sends nothing', () => {
    const text = mbox(series({ prefix: 'PATCH net-next', title: 'net: quack: rework rx', total: 2, id: 'ok' }));
    const r = rd(['-', '--db', ':memory:', '--smtp', 'smtp://127.0.0.1:9', '--dry-run'], text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ready\s+net-next\s+v1\s+2\/2\s+net: quack: rework rx/m);
  });

  it('an unreachable patchwork fails last, with one line, after everything else was written', async () => {
    const port = await closedPort();
    const r = rd([week, '--db', ':memory:', '--replies', 'late-replies', '--html', 'late-html', '--patchwork', `http://127.0.0.1:${port}`, '--token', 't0k']);
    expect(r.status).toBe(2);
    // What was written is said as it is written; the failure is the one last line.
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^rubberduck: dashboard written to /),
      'rubberduck: 1 reply draft written to late-replies',
      `rubberduck: http://127.0.0.1:${port}: patchwork is unreachable (ECONNREFUSED)`,
    ]);
    expect(r.stdout).toMatch(/^9 series from 23 messages/m);
    expect(readdirSync(join(dir, 'late-replies'))).toHaveLength(1);
    expect(existsSync(join(dir, 'late-html', 'index.html'))).toBe(true);
  });

  it('unusable input: one line naming it, exit 2', () => {
    mkdirSync(join(dir, 'nothing'));
    writeFileSync(join(dir, 'garbage.bin'), Buffer.from([0, 1, 2, 3, 0xff, 0xfe]));
    oneLineError(rd([join(dir, 'missing.mbox')]), 'missing.mbox: no such file or directory');
    oneLineError(rd([join(dir, 'nothing'), '--db', ':memory:']), 'nothing: not an archive');
    oneLineError(rd([join(dir, 'garbage.bin'), '--db', ':memory:']), 'garbage.bin: not an mbox');
    oneLineError(rd([week, '--since', 'last tuesday']), '--since last tuesday: not a date');
    oneLineError(rd([week, '--patchwork', 'http://127.0.0.1:1']), '--patchwork http://127.0.0.1:1: needs --token');
    oneLineError(rd([week, '--dry-run']), '--dry-run: only goes with --smtp');
    oneLineError(rd([week, '--db', join(dir, 'garbage.bin')]), 'garbage.bin: cannot use as the triage history');
    oneLineError(rd([]), 'no archive given');
  });
});
