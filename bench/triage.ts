/**
 * Triage speed and memory, end to end: `rubberduck triage` on a generated 10,000-message netdev
 * archive (series, cover letters, review replies, new versions; bench/mailgen.ts, about 200 lines
 * a message), whole process, with a fresh history database and the JSON report written to a file.
 * Target: at most 60 s, memory bounded. The second run over the same archive shows the history's
 * idempotence (same series, no new rows); `--double` also runs a 20,000-message archive to show
 * that memory does not grow with the archive.
 *
 *   npm run build && npm run bench:triage [-- --messages 10000 --double]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { HistoryStore } from '../src/mail/history.js';
import { TriageReportSchema } from '../src/mail/schema.js';
import { generateArchive, toMbox } from './mailgen.js';
import { measure, type ProcessRun } from './review.js';

const TARGET_SECONDS = 60;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(root, 'dist/src/cli/index.js');
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const s = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(1)} s`);
const mb = (x: number | undefined) => (x === undefined ? 'n/a' : `${x.toFixed(0)} MB`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: 'string', default: '10000' }, double: { type: 'boolean', default: false } } });
  const messages = Number(values.messages);
  if (!existsSync(cli)) throw new Error(`${cli} is missing: npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'rubberduck-bench-triage-'));
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const sizes = values.double ? [messages, messages * 2] : [messages];
    for (const count of sizes) {
      const archive = toMbox(generateArchive({ messages: count, lines: count * 200 }));
      const path = join(dir, `netdev-${count}.mbox`);
      writeFileSync(path, archive);
      const db = join(dir, `history-${count}.sqlite`);
      const out = join(dir, `report-${count}.json`);
      say(`triage benchmark: ${count.toLocaleString('en-US')} messages, ${(archive.split('\n').length - 1).toLocaleString('en-US')} lines, ${(archive.length / 1e6).toFixed(0)} MB mbox; ${availableParallelism()} CPUs, load average ${load()}`);
      const command = [process.execPath, cli, 'triage', path, '--db', db, '--format', 'json', '--output', out];
      const first: ProcessRun = measure(command);
      const report = TriageReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
      const store = await HistoryStore.open(db);
      const rows = store.counts();
      store.close();
      say(`first run (empty history): ${s(first.wall)} wall, ${s(first.cpu)} CPU, peak RSS ${mb(first.rssMb)} (exit ${first.code}); ${report.totals.series} series: ${report.totals.ready} ready, ${report.totals.needsHuman} needs-human, ${report.totals.changesRequested} changes-requested`);
      say(`target ${TARGET_SECONDS} s: ${first.wall <= TARGET_SECONDS ? 'met' : 'NOT met'} (wall)${first.cpu !== undefined ? `, ${first.cpu <= TARGET_SECONDS ? 'met' : 'NOT met'} (CPU)` : ''}; load average ${load()}`);
      const second = measure(command);
      const again = TriageReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
      const store2 = await HistoryStore.open(db);
      const rows2 = store2.counts();
      store2.close();
      const same = JSON.stringify(again.series) === JSON.stringify(report.series);
      say(`second run (same archive): ${s(second.wall)} wall, ${s(second.cpu)} CPU, peak RSS ${mb(second.rssMb)}; history ${rows.series} series / ${rows.messages} messages / ${rows.replies} replies before, ${rows2.series} / ${rows2.messages} / ${rows2.replies} after; same series and verdicts: ${same ? 'yes' : 'NO'}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
