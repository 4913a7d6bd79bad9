/**
 * `rubberduck fix` on REAL open-source projects (npm run bench:real, after a build). Nothing of
 * theirs is in this repository: each package is downloaded with `npm pack` at bench time, its
 * shipped tests are run with a real runner installed from the registry (mocha, jest, vitest), one
 * bug of ours is re-introduced (a one-line change, left uncommitted as a user's would be), and:
 *  1. the baseline: the test command as a user runs it (exit code, seconds);
 *  2. per-test coverage (src/debug/coverage-node.ts) on the buggy tree: tests measured, whether
 *     each test got its own lines, the rank of the faulty line in the Ochiai ranking, seconds;
 *  3. the BUILT CLI, offline: `rubberduck fix --offline --json`: outcome, exit, seconds,
 *     candidates, the faulty line's rank among the suspects, whether the patch restores the
 *     original line, and whether the project's folder was left as it was.
 *
 *   node dist/bench/real-projects.js [NAME-SUBSTRING…] [--max-seconds N] [--json FILE] [--keep]
 *
 * Needs the npm registry (this is why it is a benchmark and never part of npm test).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { collectNodeCoverage } from '../src/debug/coverage-node.js';
import { rankBySbfl } from '../src/debug/sbfl.js';
import type { RunnerKind } from '../src/debug/types.js';
import { FixReportSchema } from '../src/model/fix-report.js';
import { benchGit as git } from './git.js';
import { packageRoot } from '../src/util/paths.js';

interface Project {
  name: string;
  /** npm spec of the package whose tarball ships its tests. */
  pkg: string;
  /** Runner (and what it needs) installed as the project's only devDependencies. */
  devDependencies: Record<string, string>;
  /** scripts.test of the project (the package's own when it is unchanged). */
  testScript: string;
  runner: RunnerKind;
  /** The command the user runs. */
  command: string;
  /** Extra files (a runner's config); none of the package's files are rewritten but the bug's. */
  files?: Record<string, string>;
  bug: { file: string; line: number; from: string; to: string; what: string };
  /** Why these tests run under this runner. */
  note: string;
}

const PROJECTS: Project[] = [
  {
    name: 'fraction.js/mocha',
    pkg: 'fraction.js@5.3.4',
    devDependencies: { mocha: '11.8.0' },
    testScript: 'mocha tests/*.js',
    runner: 'mocha',
    command: 'npm test',
    bug: { file: 'dist/fraction.js', line: 779, from: '(t < C_ZERO)', to: '(t <= C_ZERO)', what: 'compare(): `<` → `<=`' },
    note: "the package's own test script and runner (mocha)",
  },
  {
    name: 'fraction.js/mocha-1.x',
    pkg: 'fraction.js@5.3.4',
    devDependencies: { mocha: '1.21.5' },
    testScript: 'mocha tests/*.js',
    runner: 'mocha',
    command: 'npm test',
    bug: { file: 'dist/fraction.js', line: 779, from: '(t < C_ZERO)', to: '(t <= C_ZERO)', what: 'compare(): `<` → `<=`' },
    note: "the same tests under mocha 1.21.5, whose `mocha` wrapper prints nothing on Node 20",
  },
  {
    name: 'complex.js/jest',
    pkg: 'complex.js@2.4.3',
    devDependencies: { jest: '30.5.2' },
    testScript: 'jest tests',
    runner: 'jest',
    command: 'npm test',
    // The tests require the package by its own name; jest's resolver does not follow a
    // package's self-reference, so the name is mapped to the file Node would load.
    files: { 'jest.config.js': "module.exports = { moduleNameMapper: { '^complex\\\\.js$': '<rootDir>/dist/complex.js' } };\n" },
    bug: { file: 'dist/complex.js', line: 369, from: "this['re'] * z['re'] - this['im'] * z['im'],", to: "this['re'] * z['re'] + this['im'] * z['im'],", what: 'mul(): `-` → `+`' },
    note: 'its mocha-style tests (describe/it + node:assert) run unchanged under jest',
  },
  {
    name: 'quaternion/vitest',
    pkg: 'quaternion@2.2.0',
    devDependencies: { vitest: '4.1.12' },
    testScript: 'vitest run --globals tests',
    runner: 'vitest',
    command: 'npm test',
    bug: { file: 'dist/quaternion.js', line: 456, from: "+ this['y'] * P['y'] +", to: "- this['y'] * P['y'] +", what: 'dot(): `+` → `-`' },
    note: 'its mocha-style tests run unchanged under vitest --globals',
  },
];

function sh(cwd: string, cmd: string, timeoutMs: number): { status: number | null; out: string; seconds: number } {
  const t0 = Date.now();
  const r = spawnSync('/bin/sh', ['-c', cmd], { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, CI: '1' } });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, seconds: (Date.now() - t0) / 1000 };
}

/** Download the tarball, unpack it, give it our runner, commit it, then re-introduce the bug. */
function setUp(p: Project, work: string): string {
  const dir = join(work, p.name.replace(/[^\w.-]+/g, '_'));
  const dl = join(work, 'download');
  execFileSync('mkdir', ['-p', dir, dl]);
  const tgz = execFileSync('npm', ['pack', p.pkg, '--silent'], { cwd: dl, encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['xzf', join(dl, tgz), '-C', dir, '--strip-components=1']);
  const pkgFile = join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
  pkg.scripts = { test: p.testScript };
  pkg.devDependencies = p.devDependencies;
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
  for (const [name, text] of Object.entries(p.files ?? {})) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  const inst = sh(dir, 'npm install --no-audit --no-fund --ignore-scripts --loglevel=error', 600_000);
  if (inst.status !== 0) throw new Error(`npm install failed: ${inst.out.slice(-500)}`);
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `${p.pkg} as published`]);
  const file = join(dir, p.bug.file);
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = p.bug.line - 1;
  if (!lines[at]?.includes(p.bug.from)) throw new Error(`${p.bug.file}:${p.bug.line} does not hold ${p.bug.from}`);
  lines[at] = lines[at]!.replace(p.bug.from, p.bug.to);
  writeFileSync(file, lines.join('\n'));
  return dir;
}

interface Row {
  name: string;
  baseline: string;
  coverage: string;
  fix: string;
  detail: Record<string, unknown>;
}

function rankOf(list: { file: string; line: number }[], bug: { file: string; line: number }): number | null {
  const i = list.findIndex((s) => s.file === bug.file && s.line === bug.line);
  return i < 0 ? null : i + 1;
}

async function benchOne(p: Project, work: string, maxSeconds: number): Promise<Row> {
  const t0 = Date.now();
  const dir = setUp(p, work);
  const setupSeconds = (Date.now() - t0) / 1000;

  const base = sh(dir, p.command, 300_000);
  const baseline = `exit ${base.status}, ${base.seconds.toFixed(1)} s`;

  const c0 = Date.now();
  const matrix = await collectNodeCoverage(dir, p.command, p.runner, { timeoutMs: 300_000 });
  const covSeconds = (Date.now() - c0) / 1000;
  const ranked = rankBySbfl(matrix);
  const perTest = matrix.tests.some((t) => t.id.includes(' > ') && !t.id.endsWith('(file)'));
  const failing = matrix.tests.filter((t) => t.failed).length;
  const covRank = rankOf(ranked, p.bug);
  const tiedAbove = covRank ? ranked.filter((r) => r.score > ranked[covRank - 1]!.score).length : null;
  const coverage = `${matrix.tests.length} tests (${failing} failing), ${perTest ? 'per test' : 'per file'}, ${matrix.lines.size} lines; faulty line rank ${covRank ?? '—'}${tiedAbove !== null ? ` (${tiedAbove} strictly above)` : ''}; ${covSeconds.toFixed(1)} s`;

  const statusBefore = git(dir, ['status', '--porcelain']);
  const diffBefore = git(dir, ['diff']);
  const out = join(work, `${p.name.replace(/[^\w.-]+/g, '_')}.json`);
  const cli = join(packageRoot(), 'dist', 'src', 'cli', 'index.js');
  const f0 = Date.now();
  const r = spawnSync(process.execPath, [cli, 'fix', '--repo', dir, '--test', p.command, '--offline', '--json', out, '--max-seconds', String(maxSeconds)], {
    encoding: 'utf8',
    env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
    timeout: (maxSeconds + 120) * 1000,
  });
  const wall = (Date.now() - f0) / 1000;
  const untouched = git(dir, ['status', '--porcelain']) === statusBefore && git(dir, ['diff']) === diffBefore;
  let fix: string;
  const detail: Record<string, unknown> = { setupSeconds, baselineExit: base.status, covSeconds, tests: matrix.tests.length, perTest, covRank };
  try {
    const report = FixReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    const rank = rankOf(report.suspects, p.bug);
    const restores = report.patch.includes(`+${readFileSync(join(dir, p.bug.file), 'utf8').split('\n')[p.bug.line - 1]!.replace(p.bug.to, p.bug.from)}`);
    fix = `${report.outcome} (exit ${r.status}) in ${report.seconds.toFixed(1)} s, ${(report.candidates?.tried ?? 0)} candidates; suspect rank ${rank ?? '—'}; ${report.outcome === 'fixed' ? (restores ? 'patch = our bug reverted' : 'a different passing patch') : ''}; tree ${untouched ? 'unchanged' : 'CHANGED'}`;
    Object.assign(detail, { outcome: report.outcome, exit: r.status, seconds: report.seconds, wall, tried: (report.candidates?.tried ?? 0), suspectRank: rank, restores, untouched, before: report.tests.before, after: report.tests.after, patch: report.patch });
  } catch (e) {
    fix = `no report (exit ${r.status}): ${(r.stderr || String(e)).trim().split('\n').slice(-2).join(' ')}`;
    Object.assign(detail, { exit: r.status, wall, untouched, stderr: r.stderr.slice(-2000) });
  }
  return { name: p.name, baseline, coverage, fix, detail };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'max-seconds': { type: 'string', default: '300' }, json: { type: 'string' }, keep: { type: 'boolean', default: false } },
  });
  const maxSeconds = Number(values['max-seconds']);
  const chosen = PROJECTS.filter((p) => positionals.length === 0 || positionals.some((s) => p.name.includes(s)));
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'rd-bench-real-')));
  console.log(`# rubberduck fix on real projects (offline), load: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const rows: Row[] = [];
  try {
    for (const p of chosen) {
      console.log(`\n## ${p.name} — ${p.pkg}, bug ${p.bug.file}:${p.bug.line} ${p.bug.what} (${p.note})`);
      try {
        const row = await benchOne(p, work, maxSeconds);
        rows.push(row);
        console.log(`baseline: ${row.baseline}\ncoverage: ${row.coverage}\nfix:      ${row.fix}`);
      } catch (e) {
        console.log(`could not run: ${(e as Error).message}`);
        rows.push({ name: p.name, baseline: '—', coverage: '—', fix: `setup failed: ${(e as Error).message}`, detail: {} });
      }
    }
  } finally {
    if (values.json) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
    if (values.keep) console.log(`\nkept: ${work} (${readdirSync(work).join(', ')})`);
    else rmSync(work, { recursive: true, force: true });
  }
  console.log(`\nload after: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
}

await main();
