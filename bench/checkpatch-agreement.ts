/**
 * checkpatch.pl and rubberduck side by side on every patch under ../shared/corpus and
 * fixtures/patches: per row of src/rules/checkpatch.ts, what each reported, where they agree, the
 * differences kept on purpose (with their reason) and any difference left unexplained (exit 1).
 *
 *   npm run build && npm run bench:checkpatch
 */
import { availableParallelism, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { CHECKPATCH_MAPPINGS, type CheckpatchMapping } from '../src/rules/checkpatch.js';
import { agreement, CHECKPATCH, CHECKPATCH_ARGS, CORPUS, FIXTURES, unavailable, type AgreementReport } from './checkpatch/agreement.js';

function rowName(m: CheckpatchMapping): string {
  return `${m.types.join(', ')} → ${m.rules.join(', ')}`;
}

export function render(report: AgreementReport, concurrency = availableParallelism()): { text: string; unexplained: number } {
  const out: string[] = [];
  const compared = report.results.filter((r) => !r.skipped);
  const skipped = report.results.filter((r) => r.skipped);
  const differences = compared.flatMap((r) => r.differences);
  const unexplained = differences.filter((d) => !d.kept);
  out.push(`checkpatch: ${CHECKPATCH} ${CHECKPATCH_ARGS.join(' ')}`);
  out.push(`rubberduck: the engine with the kernel, netdev and generic packs on every message`);
  out.push(`inputs: ${report.files} files, ${report.results.length} messages; ${compared.length} patches compared, ${skipped.length} not (${summarise(skipped.map((r) => r.skipped!.replace(/:.*$/, '')))})`);
  out.push('');
  out.push('row (checkpatch types → rules)'.padEnd(78) + 'compare   checkpatch  rubberduck  agreed  kept  unexplained');
  for (const mapping of CHECKPATCH_MAPPINGS) {
    const theirs = compared.reduce((n, r) => n + r.checkpatch.filter((m) => mapping.types.includes(m.type)).length, 0);
    const ours = compared.reduce((n, r) => n + r.rubberduck.filter((f) => mapping.rules.includes(f.rule) && (!mapping.severities || mapping.severities.includes(f.severity))).length, 0);
    const rowDiffs = differences.filter((d) => d.mapping === mapping);
    const theirsOnly = rowDiffs.filter((d) => d.only === 'checkpatch').length;
    const agreed = mapping.compare === 'none' ? '-' : String(Math.max(0, theirs - theirsOnly));
    const kept = rowDiffs.filter((d) => d.kept).length;
    const name = rowName(mapping);
    out.push(
      `${(name.length > 76 ? `${name.slice(0, 75)}…` : name).padEnd(78)}${mapping.compare.padEnd(10)}${String(theirs).padStart(10)}  ${String(ours).padStart(10)}  ${agreed.padStart(6)}  ${String(kept).padStart(4)}  ${String(rowDiffs.length - kept).padStart(11)}`,
    );
  }
  out.push('');
  out.push(`differences: ${differences.length}, kept on purpose: ${differences.length - unexplained.length}, unexplained: ${unexplained.length}`);
  const byCase = new Map<string, typeof differences>();
  for (const d of differences) if (d.kept) byCase.set(`${rowName(d.mapping)}|${d.kept}`, [...(byCase.get(`${rowName(d.mapping)}|${d.kept}`) ?? []), d]);
  for (const [key, list] of byCase) {
    const [row, kept] = key.split('|');
    const reason = list[0]!.mapping.kept?.find((k) => k.when === kept)?.reason ?? '';
    out.push(`  kept ${kept} (${list.length}) on ${row}: ${reason}`);
    for (const d of list.slice(0, 3)) out.push(`      ${d.only} only, ${d.message}${d.line !== undefined ? `:${d.line}` : ''}: ${d.detail.slice(0, 100)}`);
  }
  for (const d of unexplained) out.push(`  UNEXPLAINED ${d.only} only, ${rowName(d.mapping)}, ${d.message}${d.line !== undefined ? `:${d.line}` : ''}: ${d.detail}`);
  out.push('');
  out.push(
    `time (wall): checkpatch ${report.seconds.checkpatch.toFixed(1)} s, ${concurrency} runs at a time (${(report.results.length / report.seconds.checkpatch).toFixed(0)} messages/s); rubberduck ${report.seconds.rubberduck.toFixed(1)} s in one process (${(report.results.length / report.seconds.rubberduck).toFixed(0)} messages/s, loading and parsing included); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs`,
  );
  return { text: out.join('\n'), unexplained: unexplained.length };
}

function summarise(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${n} ${v}`).join(', ') || 'none';
}

async function main(): Promise<void> {
  const why = unavailable();
  if (why) {
    process.stderr.write(`bench:checkpatch: cannot run: ${why}\n`);
    process.exitCode = 2;
    return;
  }
  const report = await agreement([CORPUS, FIXTURES], availableParallelism());
  const { text, unexplained } = render(report);
  process.stdout.write(`${text}\n`);
  if (unexplained > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
