/**
 * Benchmark of `rubberduck fix` (npm run bench:fix, after a build), the way repair benchmarks
 * score tools: every fixtures/bugs/* is copied WITHOUT its held-out tests, fix.patch,
 * overfit.patch and manifest (bench/fixtures.ts) into a temp git repository; the BUILT CLI runs on
 * it offline with --json, one fixture after the other. Then, on a copy patched with the tool's
 * patch, the bench runs the visible test command itself and then the held-out tests:
 *
 *   correct      the tool said fixed, the visible AND the held-out tests pass
 *   plausible    the tool said fixed and the visible tests pass, but a held-out test fails
 *   false fix    the tool said fixed, but its patch does not apply or the visible tests fail
 *   not fixed    the tool said not-fixed (or no-failing-test)
 *   error        no report, an error report, or the CLI was killed
 *
 * "plausible" in the totals counts every patch that passes the visible tests (correct included).
 *
 *   node dist/bench/fix.js [NAME-SUBSTRING…] [--class C]… [--language L]… [--limit N]
 *        [--max-seconds N] [--test-timeout S] [--fix-args "…"] [--json FILE] [--compare FILE] [--list]
 *        [--bugs DIR]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FixReportSchema } from '../src/model/fix-report.js';
import { benchGit as git } from './git.js';
import { packageRoot } from '../src/util/paths.js';
import {
  addHeldout,
  applyPatch,
  BUG_CLASSES,
  copyForTool,
  LANGUAGES,
  loadFixtures,
  patchedFiles,
  runShell,
  sameCode,
  testCounts,
  type Fixture,
} from './fixtures.js';

type Verdict = 'correct' | 'plausible' | 'false-fix' | 'not-fixed' | 'error';

interface Row {
  name: string;
  class: string;
  language: string;
  multiFile: boolean;
  fixableByMutation: boolean;
  /** What the tool said (FixReport.outcome), or "error" without a readable report. */
  outcome: string;
  exit: number | null;
  verdict: Verdict;
  seconds: number;
  tried: number;
  /** The tool's patch leaves the same code as fix.patch (whitespace aside). */
  intended: boolean;
  note: string;
  patch: string;
}

interface Tally {
  n: number;
  plausible: number;
  correct: number;
  notFixed: number;
  falseFix: number;
  errors: number;
  median: number;
}

/** The project as the tool gets it, committed in a fresh repository (node_modules linked, ignored). */
function makeRepo(fixture: Fixture, dir: string, nodeModules: string): void {
  copyForTool(fixture, dir, { nodeModules });
  git(dir, ['init', '-q', '-b', 'main']);
  writeFileSync(join(dir, '.git', 'info', 'exclude'), 'node_modules/\n');
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'fixture']);
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function tally(rows: Row[]): Tally {
  return {
    n: rows.length,
    plausible: rows.filter((r) => r.verdict === 'correct' || r.verdict === 'plausible').length,
    correct: rows.filter((r) => r.verdict === 'correct').length,
    notFixed: rows.filter((r) => r.verdict === 'not-fixed').length,
    falseFix: rows.filter((r) => r.verdict === 'false-fix').length,
    errors: rows.filter((r) => r.verdict === 'error').length,
    median: median(rows.map((r) => r.seconds)),
  };
}

function groupBy(rows: Row[], key: (r: Row) => string, order: readonly string[]): [string, Tally][] {
  const keys = [...new Set(rows.map(key))].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b));
  return keys.map((k) => [k, tally(rows.filter((r) => key(r) === k))]);
}

/** Evenly spread pick of `n` items (so a small subset still mixes classes and languages). */
function spread<T>(items: T[], n: number): T[] {
  if (n >= items.length) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]!);
}

const pct = (a: number, n: number): string => (n ? `${Math.round((100 * a) / n)}%` : '-');

function tallyTable(title: string, groups: [string, Tally][], total: Tally): string[] {
  const head = `${title.padEnd(20)} ${'n'.padStart(3)} ${'plausible'.padStart(10)} ${'correct'.padStart(10)} ${'not fixed'.padStart(10)} ${'false'.padStart(6)} ${'error'.padStart(6)} ${'median s'.padStart(9)}`;
  const line = (k: string, t: Tally): string =>
    `${k.padEnd(20)} ${String(t.n).padStart(3)} ${`${t.plausible} ${pct(t.plausible, t.n)}`.padStart(10)} ${`${t.correct} ${pct(t.correct, t.n)}`.padStart(10)} ${String(t.notFixed).padStart(10)} ${String(t.falseFix).padStart(6)} ${String(t.errors).padStart(6)} ${t.median.toFixed(1).padStart(9)}`;
  return [head, ...groups.map(([k, t]) => line(k, t)), line('total', total)];
}

async function benchOne(
  fixture: Fixture,
  opts: { cli: string; nodeModules: string; extraArgs: string[]; maxSeconds: number; cliTimeoutMs: number; testTimeoutMs: number },
): Promise<Row> {
  const { meta } = fixture;
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'rd-bench-')));
  const repo = join(work, fixture.name);
  const row: Row = {
    name: fixture.name,
    class: meta.class,
    language: meta.language,
    multiFile: meta.multiFile ?? false,
    fixableByMutation: meta.fixableByMutation,
    outcome: 'error',
    exit: null,
    verdict: 'error',
    seconds: 0,
    tried: 0,
    intended: false,
    note: '',
    patch: '',
  };
  try {
    mkdirSync(repo);
    makeRepo(fixture, repo, opts.nodeModules);
    const out = join(work, 'report.json');
    const args = [opts.cli, 'fix', '--repo', repo, '--test', meta.test, '--offline', '--json', out, ...opts.extraArgs];
    const started = Date.now();
    const r = spawnSync(process.execPath, args, {
      encoding: 'utf8',
      env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '', RUBBERDUCK_MODEL: '' },
      timeout: opts.cliTimeoutMs,
      killSignal: 'SIGINT',
      maxBuffer: 64 * 1024 * 1024,
    });
    row.seconds = Math.round((Date.now() - started) / 100) / 10;
    row.exit = r.status;
    const lastLine = (r.stderr ?? '').trim().split('\n').pop() ?? '';
    if (!existsSync(out)) {
      row.note = (r.error ? `${r.error.message}; ` : '') + lastLine.slice(0, 160);
      return row;
    }
    const raw = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    const parsed = FixReportSchema.safeParse(raw);
    if (!parsed.success) row.note = `report does not match FixReportSchema: ${parsed.error.issues[0]?.message ?? ''}`;
    row.outcome = typeof raw.outcome === 'string' ? raw.outcome : 'error';
    row.tried = parsed.success ? (parsed.data.candidates?.tried ?? 0) : 0;
    row.patch = typeof raw.patch === 'string' ? raw.patch : '';
    if (row.outcome === 'not-fixed' || row.outcome === 'no-failing-test') {
      row.verdict = 'not-fixed';
      if (row.outcome === 'no-failing-test') row.note = 'the tool saw no failing test';
      // Out of time (the engine stops when a batch no longer fits) or out of candidates.
      else row.note = row.seconds >= opts.maxSeconds - 3 ? 'budget used up' : 'candidates used up';
      return row;
    }
    if (row.outcome !== 'fixed') {
      row.note ||= String(raw.error ?? lastLine).slice(0, 160);
      return row;
    }
    // The tool says fixed: check it ourselves, on its patch, with the visible and the held-out tests.
    const complaint = row.patch.trim() ? await applyPatch(repo, row.patch, 'tool') : 'empty patch';
    if (complaint) {
      row.verdict = 'false-fix';
      row.note = `patch does not apply: ${complaint}`.slice(0, 160);
      return row;
    }
    const intended = join(work, 'intended');
    copyForTool(fixture, intended);
    const fixPatch = readFileSync(join(fixture.dir, 'fix.patch'), 'utf8');
    if (!(await applyPatch(intended, fixPatch, 'intended'))) {
      row.intended = sameCode(repo, intended, [...new Set([...patchedFiles(fixPatch), ...patchedFiles(row.patch)])]);
    }
    const visible = await runShell(meta.test, repo, opts.testTimeoutMs);
    const vc = testCounts(visible.output);
    if (visible.timedOut || visible.code !== 0 || (vc && vc.failed > 0)) {
      row.verdict = 'false-fix';
      row.note = `visible tests fail under the patch (${visible.timedOut ? 'timed out' : `exit ${visible.code}${vc ? `, ${vc.failed} failed` : ''}`})`;
      return row;
    }
    addHeldout(fixture, repo);
    const held = await runShell(meta.heldoutTest, repo, opts.testTimeoutMs);
    const hc = testCounts(held.output);
    if (!held.timedOut && held.code === 0 && (!hc || (hc.failed === 0 && hc.passed > 0))) {
      row.verdict = 'correct';
    } else {
      row.verdict = 'plausible';
      row.note = `held-out: ${held.timedOut ? 'timed out' : hc ? `${hc.failed} of ${hc.failed + hc.passed} failed` : `exit ${held.code}`}`;
    }
    return row;
  } catch (error) {
    row.note = (error as Error).message.split('\n')[0]!.slice(0, 160);
    return row;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function usage(message: string): number {
  process.stderr.write(`bench:fix: ${message}\n`);
  return 2;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        class: { type: 'string', multiple: true },
        language: { type: 'string', multiple: true },
        limit: { type: 'string' },
        'max-seconds': { type: 'string' },
        'test-timeout': { type: 'string' },
        'fix-args': { type: 'string' },
        json: { type: 'string' },
        compare: { type: 'string' },
        list: { type: 'boolean' },
        bugs: { type: 'string' },
      },
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  for (const c of values.class ?? []) if (!(BUG_CLASSES as readonly string[]).includes(c)) return usage(`--class ${c}: not one of ${BUG_CLASSES.join(', ')}`);
  for (const l of values.language ?? []) if (!(LANGUAGES as readonly string[]).includes(l)) return usage(`--language ${l}: not one of ${LANGUAGES.join(', ')}`);
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit >= 1)) return usage(`--limit ${values.limit}: not a positive number`);
  const maxSeconds = values['max-seconds'] === undefined ? 120 : Number(values['max-seconds']);
  if (!(maxSeconds > 0)) return usage(`--max-seconds ${values['max-seconds']}: not a positive number`);
  const testTimeout = values['test-timeout'] === undefined ? 30 : Number(values['test-timeout']);
  if (!(testTimeout > 0)) return usage(`--test-timeout ${values['test-timeout']}: not a positive number`);
  let previous: { rows: Row[] } | undefined;
  if (values.compare) {
    try {
      previous = JSON.parse(readFileSync(values.compare, 'utf8')) as { rows: Row[] };
      if (!Array.isArray(previous.rows)) throw new Error('no rows');
    } catch (error) {
      return usage(`--compare ${values.compare}: ${(error as Error).message}`);
    }
  }

  const root = packageRoot();
  const cli = join(root, 'dist', 'src', 'cli', 'index.js');
  if (!existsSync(cli) && !values.list) return usage('build first (npm run build)');
  // --bugs: fixtures kept outside the repository (bugs the tool was never tuned on), same layout.
  const bugsDir = values.bugs ?? join(root, 'fixtures', 'bugs');
  if (!existsSync(bugsDir)) return usage(`--bugs ${bugsDir}: no such folder`);
  const fixtures = spread(
    loadFixtures(bugsDir)
      .filter((f) => positionals.length === 0 || positionals.some((p) => f.name.includes(p)))
      .filter((f) => !values.class || values.class.includes(f.meta.class))
      .filter((f) => !values.language || values.language.includes(f.meta.language)),
    limit,
  );
  if (fixtures.length === 0) return usage('no fixture matches');
  if (values.list) {
    for (const f of fixtures) process.stdout.write(`${f.name.padEnd(22)} ${f.meta.language.padEnd(11)} ${f.meta.class}${f.meta.multiFile ? ' (multi-file)' : ''}\n`);
    return 0;
  }

  const extraArgs = ['--max-seconds', String(maxSeconds), '--test-timeout', String(testTimeout), ...(values['fix-args']?.split(/\s+/).filter(Boolean) ?? [])];
  const loadStart = loadavg();
  const started = new Date();
  const rows: Row[] = [];
  for (const f of fixtures) {
    process.stderr.write(`bench: ${f.name} … `);
    const row = await benchOne(f, {
      cli,
      nodeModules: join(root, 'node_modules'),
      extraArgs,
      maxSeconds,
      cliTimeoutMs: (maxSeconds + 60) * 1000,
      testTimeoutMs: Math.max(60, 2 * testTimeout) * 1000,
    });
    rows.push(row);
    process.stderr.write(`${row.verdict} in ${row.seconds} s${row.note ? ` (${row.note})` : ''}\n`);
  }
  const loadEnd = loadavg();

  const total = tally(rows);
  const byClass = groupBy(rows, (r) => r.class, BUG_CLASSES);
  const byLanguage = groupBy(rows, (r) => r.language, LANGUAGES);
  const byShape = groupBy(rows, (r) => (r.multiFile ? 'multi-file' : 'single-file'), ['single-file', 'multi-file']);
  const out = [
    `${'fixture'.padEnd(22)} ${'class'.padEnd(18)} ${'outcome'.padEnd(10)} ${'verdict'.padEnd(10)} ${'exit'.padStart(4)} ${'seconds'.padStart(8)} ${'tried'.padStart(6)}  note`,
    ...rows.map(
      (r) =>
        `${r.name.padEnd(22)} ${r.class.padEnd(18)} ${r.outcome.padEnd(10)} ${r.verdict.padEnd(10)} ${String(r.exit).padStart(4)} ${r.seconds.toFixed(1).padStart(8)} ${String(r.tried).padStart(6)}  ${
          r.verdict === 'correct' || r.verdict === 'plausible' ? (r.intended ? '= intended fix' : 'differs from the intended fix') + (r.note ? `; ${r.note}` : '') : r.note
        }`,
    ),
    '',
    ...tallyTable('class', byClass, total),
    '',
    ...tallyTable('language', byLanguage, total),
    '',
    ...tallyTable('shape', byShape, total),
    '',
    `plausible ${total.plausible}/${total.n} (${pct(total.plausible, total.n)}), correct ${total.correct}/${total.n} (${pct(total.correct, total.n)}), not fixed ${total.notFixed} (${rows.filter((r) => r.note === 'budget used up').length} with the budget used up), false fixes ${total.falseFix}, errors ${total.errors}`,
    `median ${total.median.toFixed(1)} s, total ${rows.reduce((n, r) => n + r.seconds, 0).toFixed(1)} s; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${loadEnd.map((x) => x.toFixed(2)).join(' ')} at the end`,
  ];
  if (previous) {
    const before = new Map(previous.rows.map((r) => [r.name, r]));
    const changed = rows.filter((r) => before.has(r.name) && before.get(r.name)!.verdict !== r.verdict);
    const prev = tally(previous.rows.filter((r) => rows.some((x) => x.name === r.name)));
    out.push(
      '',
      `compared with ${values.compare}: correct ${prev.correct} → ${total.correct}, plausible ${prev.plausible} → ${total.plausible}, median ${prev.median.toFixed(1)} → ${total.median.toFixed(1)} s`,
      ...changed.map((r) => `  ${r.name}: ${before.get(r.name)!.verdict} → ${r.verdict}`),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (values.json) {
    const summary = {
      date: started.toISOString(),
      node: process.version,
      loadavg: { start: loadStart, end: loadEnd },
      options: { maxSeconds, testTimeout, fixArgs: values['fix-args'] ?? '', selected: fixtures.map((f) => f.name) },
      total,
      byClass: Object.fromEntries(byClass),
      byLanguage: Object.fromEntries(byLanguage),
      byShape: Object.fromEntries(byShape),
      rows,
    };
    writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
  }
  return 0;
}

process.exitCode = await main();
