/**
 * Review speed, end to end: `rubberduck review` on a generated 400-message, 80,000-line netdev
 * mbox (series, cover letters, replies, new versions; bench/mailgen.ts), whole process against
 * whole process with checkpatch.pl (`perl checkpatch.pl --no-tree FILE`, the pinned copy in
 * ../shared/tools/checkpatch or $CHECKPATCH) on the same file. Targets: at least 20 times faster,
 * resident memory under 300 MB. Then, for comparison, the same review in process (warm) through
 * the sequential run and through LangGraph.
 *
 *   npm run build && npm run bench:review [-- --runs 5 --checkpatch-runs 1]
 *
 * Processes are measured by a python3 harness (getrusage of the child: wall, CPU, peak RSS);
 * without python3, wall time only. The machine may be busy: the load average is printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../src/config/schema.js';
import { runReview } from '../src/graphs/review/run.js';
import { generateArchive, toMbox } from './mailgen.js';

const MESSAGES = 400;
const LINES = 80_000;
const SPEEDUP_TARGET = 20;
const RSS_TARGET_MB = 300;

/** dist/bench/review.js → the repository root. */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'dist/src/cli/index.js');

export interface ProcessRun {
  wall: number;
  /** User + system CPU seconds of the child, when measured. */
  cpu?: number;
  /** Peak resident set of the child in MB, when measured. */
  rssMb?: number;
  code: number | null;
}

const HARNESS = `
import json, resource, subprocess, sys, time
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, "rssMb": after.ru_maxrss / 1024, "code": code}))
`;

let python: boolean | undefined;

/** Runs a command to completion, output discarded, and measures it. */
export function measure(command: string[]): ProcessRun {
  python ??= spawnSync('python3', ['-c', 'import resource'], { stdio: 'ignore' }).status === 0;
  if (python) {
    const r = spawnSync('python3', ['-c', HARNESS, ...command], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status === 0) return JSON.parse(r.stdout) as ProcessRun;
  }
  const start = performance.now();
  const r = spawnSync(command[0]!, command.slice(1), { stdio: 'ignore' });
  return { wall: (performance.now() - start) / 1000, code: r.status };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(2)} s`);
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

function checkpatchPath(): string | undefined {
  const candidates = [process.env.CHECKPATCH, join(root, '../shared/tools/checkpatch/checkpatch.pl')].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) return undefined;
  return spawnSync('perl', ['-e', '1'], { stdio: 'ignore' }).status === 0 ? found : undefined;
}

async function inProcess(path: string, engine: 'sequential' | 'graph'): Promise<{ seconds: number; findings: number; units: number }> {
  let units = 0;
  const start = performance.now();
  const report = await runReview({ kind: 'sources', inputs: [path] }, { config: defaultConfig(), engine }, (e) => {
    if (e.type === 'unit') units++;
  });
  return { seconds: (performance.now() - start) / 1000, findings: report.findings.length, units };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'checkpatch-runs': { type: 'string', default: '1' } } });
  const runs = Math.max(1, Number(values.runs));
  const cpRuns = Math.max(0, Number(values['checkpatch-runs']));
  if (!existsSync(cli)) throw new Error(`${cli} is missing: npm run build first`);

  const messages = generateArchive({ messages: MESSAGES, lines: LINES });
  const mbox = toMbox(messages);
  const lines = mbox.split('\n').length - 1;
  const dir = mkdtempSync(join(tmpdir(), 'rubberduck-bench-review-'));
  const path = join(dir, 'netdev.mbox');
  writeFileSync(path, mbox);
  const out: string[] = [];
  const say = (line: string) => {
    out.push(line);
    process.stdout.write(`${line}\n`);
  };
  try {
    say(`review benchmark: ${messages.length} messages, ${lines.toLocaleString('en-US')} lines, ${(mbox.length / 1e6).toFixed(1)} MB mbox; ${availableParallelism()} CPUs, load average ${load()}`);
    measure([process.execPath, cli, 'review', path]); // warm the file cache
    const checkpatch = checkpatchPath();
    const cp: ProcessRun[] = [];
    if (checkpatch) for (let i = 0; i < cpRuns; i++) cp.push(measure(['perl', checkpatch, '--no-tree', path]));
    const rd: ProcessRun[] = [];
    for (let i = 0; i < runs; i++) rd.push(measure([process.execPath, cli, 'review', path]));

    const rdWall = median(rd.map((r) => r.wall));
    const rdCpu = rd.every((r) => r.cpu !== undefined) ? median(rd.map((r) => r.cpu!)) : undefined;
    const rdRss = rd.every((r) => r.rssMb !== undefined) ? Math.max(...rd.map((r) => r.rssMb!)) : undefined;
    say(`rubberduck review (whole process, median of ${runs}): ${s(rdWall)} wall, ${s(rdCpu)} CPU, peak RSS ${rdRss === undefined ? 'n/a' : `${rdRss.toFixed(0)} MB`} (exit ${rd[0]!.code}); fastest ${s(Math.min(...rd.map((r) => r.wall)))}`);
    if (cp.length > 0) {
      const cpWall = median(cp.map((r) => r.wall));
      const cpCpu = cp.every((r) => r.cpu !== undefined) ? median(cp.map((r) => r.cpu!)) : undefined;
      say(`checkpatch.pl --no-tree (whole process, ${cp.length} run${cp.length === 1 ? '' : 's'}): ${s(cpWall)} wall, ${s(cpCpu)} CPU, peak RSS ${cp[0]!.rssMb === undefined ? 'n/a' : `${cp[0]!.rssMb.toFixed(0)} MB`}`);
      const ratio = cpWall / rdWall;
      const cpuRatio = cpCpu !== undefined && rdCpu !== undefined ? cpCpu / rdCpu : undefined;
      say(`speed-up: ${ratio.toFixed(1)}x wall${cpuRatio !== undefined ? `, ${cpuRatio.toFixed(1)}x CPU` : ''} (target ${SPEEDUP_TARGET}x: ${ratio >= SPEEDUP_TARGET ? 'met' : 'NOT met'})`);
    } else say(`checkpatch.pl: not run (${checkpatch ? '--checkpatch-runs 0' : 'no perl, or no checkpatch.pl at ../shared/tools/checkpatch or $CHECKPATCH'})`);
    if (rdRss !== undefined) say(`memory: peak RSS ${rdRss.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB: ${rdRss < RSS_TARGET_MB ? 'met' : 'NOT met'})`);

    // The same review in this process, warm: where the time goes once start-up is paid.
    await inProcess(path, 'sequential');
    const sequential = await inProcess(path, 'sequential');
    const graph = await inProcess(path, 'graph');
    say(`in process, warm: sequential run ${s(sequential.seconds)}, LangGraph run ${s(graph.seconds)} (${sequential.units} units, ${sequential.findings} findings; ${Math.round(lines / sequential.seconds).toLocaleString('en-US')} lines/s)`);
    say(`load average after: ${load()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
