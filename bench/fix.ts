/**
 * Benchmark of `rubberduck fix` (npm run bench:fix, after a build): every fixtures/bugs/* is
 * copied into a temp git repository and the BUILT CLI runs on it offline with --json, one
 * fixture after the other. Prints fixed/total, per-fixture outcome and seconds, and the median.
 *
 *   node dist/bench/fix.js [NAME-SUBSTRING…] [--max-seconds N] [--test-timeout S] [--json FILE]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FixReportSchema } from '../src/model/fix-report.js';
import { packageRoot } from '../src/util/paths.js';

interface FixtureMeta {
  test: string;
  language: string;
  bug: string;
  fixableByMutation: boolean;
  expectedFix: string;
}

interface Row {
  name: string;
  fixableByMutation: boolean;
  exit: number | null;
  outcome: string;
  seconds: number;
  tried: number;
  /** The validated patch contains the fixture's expected line (whitespace-insensitive). */
  expected: boolean;
  applies: boolean;
  note: string;
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@localhost',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
};

function git(cwd: string, args: string[]): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', '-c', 'commit.gpgSign=false', ...args], { cwd, env: GIT_ENV, encoding: 'utf8' });
}

function makeRepo(fixture: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'rd-bench-')));
  cpSync(fixture, dir, { recursive: true, filter: (p) => !/(__pycache__|\.pytest_cache|node_modules)/.test(p.slice(fixture.length)) });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'fixture']);
  return dir;
}

const squash = (s: string) => s.replace(/\s+/g, '');

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'max-seconds': { type: 'string' }, 'test-timeout': { type: 'string' }, json: { type: 'string' } },
  });
  const root = packageRoot();
  const cli = join(root, 'dist', 'src', 'cli', 'index.js');
  if (!existsSync(cli)) {
    process.stderr.write('bench: build first (npx tsc -p .)\n');
    return 2;
  }
  const bugs = join(root, 'fixtures', 'bugs');
  const names = readdirSync(bugs)
    .filter((n) => existsSync(join(bugs, n, 'rubberduck.json')))
    .filter((n) => positionals.length === 0 || positionals.some((p) => n.includes(p)))
    .sort();

  const rows: Row[] = [];
  for (const name of names) {
    const meta = JSON.parse(readFileSync(join(bugs, name, 'rubberduck.json'), 'utf8')) as FixtureMeta;
    const dir = makeRepo(join(bugs, name));
    const out = join(dir, '..', `${name}-report.json`);
    const args = [cli, 'fix', '--repo', dir, '--test', meta.test, '--offline', '--json', out];
    if (values['max-seconds']) args.push('--max-seconds', values['max-seconds']);
    if (values['test-timeout']) args.push('--test-timeout', values['test-timeout']);
    process.stderr.write(`bench: ${name} … `);
    const started = Date.now();
    const r = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
      timeout: 600_000,
    });
    const wall = (Date.now() - started) / 1000;
    const row: Row = {
      name,
      fixableByMutation: meta.fixableByMutation,
      exit: r.status,
      outcome: 'error',
      seconds: Math.round(wall * 10) / 10,
      tried: 0,
      expected: false,
      applies: false,
      note: '',
    };
    try {
      const report = FixReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
      row.outcome = report.outcome;
      row.tried = report.candidates?.tried ?? 0;
      if (report.outcome === 'fixed') {
        const added = report.patch
          .split('\n')
          .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
          .map((l) => squash(l.slice(1)));
        row.expected = added.includes(squash(meta.expectedFix));
        const patchFile = join(dir, '..', `${name}.patch`);
        writeFileSync(patchFile, report.patch);
        row.applies = spawnSync('git', ['apply', '--check', patchFile], { cwd: dir }).status === 0;
        rmSync(patchFile, { force: true });
      }
    } catch (error) {
      row.note = (r.stderr.trim().split('\n').pop() ?? String(error)).slice(0, 120);
    }
    rmSync(out, { force: true });
    rmSync(dir, { recursive: true, force: true });
    rows.push(row);
    process.stderr.write(`${row.outcome} in ${row.seconds} s\n`);
  }

  const fixed = rows.filter((r) => r.outcome === 'fixed').length;
  const fixable = rows.filter((r) => r.fixableByMutation);
  const fixedFixable = fixable.filter((r) => r.outcome === 'fixed').length;
  const med = median(rows.map((r) => r.seconds));
  const lines = [
    `${'fixture'.padEnd(20)} ${'mutable'.padEnd(8)} ${'outcome'.padEnd(16)} ${'exit'.padStart(4)} ${'seconds'.padStart(8)} ${'tried'.padStart(6)}  patch`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(20)} ${(r.fixableByMutation ? 'yes' : 'no').padEnd(8)} ${r.outcome.padEnd(16)} ${String(r.exit).padStart(4)} ${r.seconds.toFixed(1).padStart(8)} ${String(r.tried).padStart(6)}  ${
          r.outcome === 'fixed' ? `${r.applies ? 'applies' : 'DOES NOT APPLY'}${r.expected ? ', = expected fix' : ', differs from the expected fix'}` : r.note
        }`,
    ),
    '',
    `fixed: ${fixed}/${rows.length} (${rows.length ? Math.round((100 * fixed) / rows.length) : 0}%); fixable by mutation: ${fixedFixable}/${fixable.length}`,
    `median: ${med.toFixed(1)} s; total: ${rows.reduce((n, r) => n + r.seconds, 0).toFixed(1)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.json) writeFileSync(values.json, JSON.stringify({ rows, fixed, total: rows.length, median: med }, null, 2));
  return 0;
}

process.exitCode = main();
