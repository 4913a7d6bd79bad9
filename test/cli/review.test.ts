import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReviewReportSchema } from '../../src/model/finding.js';

/** These tests run the BUILT CLI (`npm test` builds first; alone: `npx tsc -p .`). */
const root = join(import.meta.dirname, '../..');
const cli = join(root, 'dist/src/cli/index.js');
const fixtures = join(root, 'fixtures/patches/cli');
const bad = join(fixtures, 'netdev-bad-fixes.eml');

function rd(args: string[], options: { cwd?: string; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    cwd: options.cwd ?? root,
    input: options.input ?? '',
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUBBERDUCK_MODEL: '' },
    timeout: 60_000,
  });
}

function oneLineError(r: SpawnSyncReturns<string>, naming: string): void {
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^rubberduck: /);
  expect(lines[0]).toContain(naming);
}

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run 'npx tsc -p .' (npm test builds first)`);
});

describe('rubberduck review (built CLI)', () => {
  it('flags the demo fixture and exits 1, with the checkpatch totals line', () => {
    const r = rd(['review', bad]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^ERROR:kernel\/fixes-format: /m);
    expect(r.stdout).toMatch(/^WARNING:netdev\/reverse-xmas-tree: /m);
    expect(r.stdout).toMatch(/^#\d+: FILE: drivers\/net\/ethernet\/marvell\/mvpp2\/mvpp2_main\.c:\d+:$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^total: [1-9]\d* errors, \d+ warnings, \d+ infos, \d+ lines checked$/);
  });

  it('exits 0 on a clean netdev patch', () => {
    const r = rd(['review', join(fixtures, 'netdev-clean.eml')]);
    expect(r.stdout).toMatch(/^total: 0 errors, \d+ warnings, \d+ infos, \d+ lines checked$/m);
    expect(r.status).toBe(0);
  });

  it('exits 0 on a clean plain diff, and when the forced packs find nothing', () => {
    expect(rd(['review', join(fixtures, 'clean-generic.diff')]).status).toBe(0);
    const r = rd(['review', '--rules', 'generic', bad]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('total: 0 errors, 0 warnings, 0 infos');
  });

  it('--fail-on warning turns warnings into exit 1', () => {
    const r = rd(['review', '--rules', 'netdev', '--fail-on', 'warning', '--format', 'json', bad]);
    const report = ReviewReportSchema.parse(JSON.parse(r.stdout));
    expect(report.findings.every((f) => f.rule.startsWith('netdev/'))).toBe(true);
    expect(report.findings.some((f) => f.rule === 'netdev/reverse-xmas-tree' && f.severity === 'warning')).toBe(true);
    expect(r.status).toBe(1);
    expect(rd(['review', '--rules', 'netdev', '--fail-on', 'warning', '--config', join(fixtures, 'netdev-nits-off.json'), bad]).status).toBe(0);
  });

  it('--format json prints a valid ReviewReport', () => {
    const r = rd(['review', '--format', 'json', bad]);
    expect(r.status).toBe(1);
    const report = ReviewReportSchema.parse(JSON.parse(r.stdout));
    expect(report.tool).toBe('rubberduck');
    expect(report.patches).toHaveLength(1);
    expect(report.patches[0]!.subject).toBe('[PATCH net] net: mvpp2: fix buffer leak in mvpp2_rx_refill()');
    const fixes = report.findings.find((f) => f.rule === 'kernel/fixes-format');
    expect(fixes).toMatchObject({ severity: 'error', source: 'rule', patch: 0, messageId: expect.stringContaining('20250603081500.12345-1-jane@example.com') });
    expect(report.totals.errors).toBe(report.findings.filter((f) => f.severity === 'error').length);
  });

  it('--format sarif and markdown, --output FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-cli-'));
    const out = join(dir, 'review.sarif');
    const r = rd(['review', '--format', 'sarif', '--output', out, bad]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as { version: string; runs: Array<{ results: Array<{ ruleId: string; level: string }> }> };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.some((x) => x.ruleId === 'kernel/fixes-format' && x.level === 'error')).toBe(true);
    const md = rd(['review', '--format', 'markdown', bad]);
    expect(md.stdout).toContain('| # | Patch | Errors | Warnings | Infos |');
    expect(md.stdout).toContain('`kernel/fixes-format`');
  });

  it('reads stdin with -', () => {
    const r = rd(['review', '--format', 'json', '-'], { input: readFileSync(bad, 'utf8') });
    expect(r.status).toBe(1);
    expect(ReviewReportSchema.parse(JSON.parse(r.stdout)).findings.some((f) => f.rule === 'kernel/fixes-format')).toBe(true);
  });

  it('prints progress on stderr only with --progress (stderr is not a terminal here)', () => {
    const quiet = rd(['review', '--format', 'json', bad]);
    expect(quiet.stderr).toBe('');
    const loud = rd(['review', '--progress', '--format', 'json', bad]);
    expect(loud.stderr).toMatch(/^rubberduck: reviewed 1 patch \(1 series\)$/m);
    expect(ReviewReportSchema.parse(JSON.parse(loud.stdout)).findings.length).toBeGreaterThan(0);
  });

  it('prints usage with --help', () => {
    const r = rd(['review', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('usage: rubberduck review');
    expect(r.stdout).toContain('--fail-on');
  });
});

describe('rubberduck review: unusable input exits 2 with one line naming it', () => {
  it('a missing file', () => {
    oneLineError(rd(['review', 'fixtures/patches/cli/nope.patch']), 'nope.patch');
  });

  it('a file that is not a patch', () => {
    oneLineError(rd(['review', join(fixtures, 'not-a-patch.txt')]), 'not-a-patch.txt');
  });

  it('a range with no repository', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'rd-norepo-'));
    oneLineError(rd(['review', 'HEAD~3..'], { cwd }), 'HEAD~3..');
  });

  it('a range git does not know', () => {
    const repo = mkdtempSync(join(tmpdir(), 'rd-repo-'));
    git(repo, 'init', '-q');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    git(repo, 'add', 'a.txt');
    git(repo, 'commit', '-q', '-m', 'init');
    oneLineError(rd(['review', '--repo', repo, 'nosuchbranch..HEAD']), 'nosuchbranch..HEAD');
  });

  it('a bad option value', () => {
    oneLineError(rd(['review', '--format', 'yaml', bad]), '--format yaml');
    oneLineError(rd(['review', '--fail-on', 'fatal', bad]), '--fail-on fatal');
    oneLineError(rd(['review', '--rules', 'kernal', bad]), 'kernal');
  });

  it('a configuration with an unknown key', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'rd-conf-'));
    writeFileSync(join(cwd, '.rubberduck.json'), JSON.stringify({ rulez: {} }));
    const r = rd(['review', bad], { cwd });
    oneLineError(r, '.rubberduck.json: unknown key "rulez"');
  });

  it('nothing to review', () => {
    oneLineError(rd(['review']), 'nothing to review');
  });
});

describe('rubberduck rules', () => {
  it('lists every rule with id, pack, severity and doc', () => {
    const r = rd(['rules', '--format', 'json']);
    expect(r.status).toBe(0);
    const rules = JSON.parse(r.stdout) as Array<{ id: string; pack: string; severity: string; doc: { what: string } }>;
    expect(rules.length).toBeGreaterThan(20);
    const fixes = rules.find((x) => x.id === 'kernel/fixes-format');
    expect(fixes).toMatchObject({ pack: 'kernel', severity: 'error' });
    expect(fixes!.doc.what.length).toBeGreaterThan(0);
    const text = rd(['rules']);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^ {2}netdev\/reverse-xmas-tree +warning +\S/m);
  });
});
