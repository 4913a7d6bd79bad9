/**
 * Review throughput: a 40-patch, 20,000-diff-line kernel series generated in memory, parsed and
 * checked by every rule (best of 5 after a warm-up). Target: 100,000 diff lines/s.
 *
 *   npm run build && npm run bench:review
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { defaultConfig } from '../src/config/schema.js';
import { loadChangeSet } from '../src/parse/index.js';
import { runRulesWithNotes } from '../src/rules/engine.js';

const PATCHES = 40;
const DIFF_LINES = 20_000;
const TARGET = 100_000;
const RUNS = 5;

/** A deterministic pseudo-random generator, so every run reviews the same series. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TYPES = ['struct sk_buff *skb', 'struct net_device *dev', 'unsigned int len', 'int err', 'u32 val', 'dma_addr_t dma', 'struct page *page', 'unsigned long flags'];
const CALLS = ['netif_receive_skb(skb)', 'dma_unmap_single(dev->dev.parent, dma, len, DMA_FROM_DEVICE)', 'napi_gro_receive(&priv->napi, skb)', 'skb_put(skb, len)', 'u64_stats_update_begin(&stats->syncp)', 'spin_lock_irqsave(&priv->lock, flags)', 'spin_unlock_irqrestore(&priv->lock, flags)', 'writel(val, priv->base + REG_CTRL)'];

/** One hunk body: a small function with declarations, a loop and an error path. */
function hunkBody(r: () => number, fn: string): { lines: string[]; oldCount: number; newCount: number } {
  const lines: string[] = [];
  const decls = [...TYPES].sort(() => r() - 0.5).slice(0, 4).sort((a, b) => b.length - a.length);
  lines.push(` static int ${fn}(struct foo_priv *priv, int budget)`, ' {');
  for (const d of decls) lines.push(`${r() < 0.2 ? '+' : ' '}\t${d};`);
  lines.push(' ', '\tfor (i = 0; i < budget; i++) {');
  for (let k = 0; k < 12; k++) {
    const call = CALLS[Math.floor(r() * CALLS.length)]!;
    const roll = r();
    if (roll < 0.25) lines.push(`-\t\t${call};`, `+\t\t${call.replace('(', '_locked(')};`);
    else if (roll < 0.4) lines.push(`+\t\tif (unlikely(!${call.split('(')[0]}))`, '+\t\t\tbreak;');
    else lines.push(` \t\t${call};`);
  }
  lines.push(' \t}', ' ', '\treturn i;', ' }', ' ');
  // Fix up the ' ' context prefix of lines pushed without one.
  const fixed = lines.map((l) => (/^[ +-]/.test(l) ? l : ` ${l}`));
  const oldCount = fixed.filter((l) => !l.startsWith('+')).length;
  const newCount = fixed.filter((l) => !l.startsWith('-')).length;
  return { lines: fixed, oldCount, newCount };
}

/** The series as one mbox, each patch with exactly `perPatch` diff (hunk body) lines. */
export function generateSeries(patches = PATCHES, diffLines = DIFF_LINES): { mbox: string; diffLines: number } {
  const r = rng(42);
  const perPatch = Math.floor(diffLines / patches);
  let total = 0;
  const out: string[] = [];
  for (let p = 1; p <= patches; p++) {
    const file = `drivers/net/ethernet/foo/foo_${['main', 'rx', 'tx', 'ethtool'][p % 4]}.c`;
    const hunks: string[] = [];
    let count = 0;
    let oldStart = 100;
    let newStart = 100;
    let h = 0;
    while (count < perPatch) {
      let { lines, oldCount, newCount } = hunkBody(r, `foo_poll_${p}_${h++}`);
      if (count + lines.length > perPatch) {
        lines = lines.slice(0, perPatch - count).map((l) => (l.startsWith('-') ? ` ${l.slice(1)}` : l));
        // Keep the tail well-formed: recount after trimming.
        oldCount = lines.filter((l) => !l.startsWith('+')).length;
        newCount = lines.filter((l) => !l.startsWith('-')).length;
      }
      hunks.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@ static const struct foo_ops foo_ops_${p} = {`, ...lines);
      count += lines.length;
      oldStart += oldCount + 40;
      newStart += newCount + 40;
    }
    total += count;
    out.push(
      `From 1234567890abcdef1234567890abcdef1234${String(p).padStart(4, '0')} Mon Sep 17 00:00:00 2001`,
      'From: Jane Developer <jane@example.com>',
      `Date: Tue, 3 Jun 2025 10:${String(p % 60).padStart(2, '0')}:00 +0200`,
      `Subject: [PATCH net-next ${p}/${patches}] net: foo: rework the rx path, part ${p}`,
      `Message-Id: <20250603-foo-${p}@example.com>`,
      '',
      `Part ${p} of the rx path rework: take the lock around the ring accesses and`,
      'check the return values the old code ignored, so that a failed mapping',
      'no longer leaves a stale descriptor behind.',
      '',
      'Signed-off-by: Jane Developer <jane@example.com>',
      '---',
      ` ${file} | ${count} ++++++++++-----`,
      ' 1 file changed',
      '',
      `diff --git a/${file} b/${file}`,
      'index 1a2b3c4d5e6f..6f5e4d3c2b1a 100644',
      `--- a/${file}`,
      `+++ b/${file}`,
      ...hunks,
      '-- ',
      '2.43.0',
      '',
    );
  }
  return { mbox: `${out.join('\n')}\n`, diffLines: total };
}

interface Run {
  parseMs: number;
  rulesMs: number;
  /** CPU time of the process over the run (user + system), less sensitive to a loaded machine. */
  cpuMs: number;
  patches: number;
  findings: number;
  notes: number;
}

async function once(path: string): Promise<Run> {
  const config = defaultConfig();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const changeset = await loadChangeSet([path], { config });
  const t1 = performance.now();
  const { findings, notes } = runRulesWithNotes(changeset, config);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return {
    parseMs: t1 - t0,
    rulesMs: t2 - t1,
    cpuMs: (cpu.user + cpu.system) / 1000,
    patches: changeset.patches.length,
    findings: findings.length,
    notes: notes.length,
  };
}

async function main(): Promise<void> {
  const { mbox, diffLines } = generateSeries();
  const dir = mkdtempSync(join(tmpdir(), 'rubberduck-bench-'));
  const path = join(dir, 'series.mbox');
  writeFileSync(path, mbox);
  try {
    await once(path); // warm-up
    let best: Run | undefined;
    let bestCpu = Infinity;
    for (let i = 0; i < RUNS; i++) {
      const run = await once(path);
      if (!best || run.parseMs + run.rulesMs < best.parseMs + best.rulesMs) best = run;
      bestCpu = Math.min(bestCpu, run.cpuMs);
    }
    const b = best!;
    const totalMs = b.parseMs + b.rulesMs;
    const rate = Math.round(diffLines / (totalMs / 1000));
    const lines = [
      `review benchmark: ${b.patches} patches, ${diffLines} diff lines, ${(mbox.length / 1024).toFixed(0)} KiB mbox`,
      `best of ${RUNS} (after a warm-up): parse ${b.parseMs.toFixed(1)} ms + rules ${b.rulesMs.toFixed(1)} ms = ${totalMs.toFixed(1)} ms total`,
      `${b.findings} findings, ${b.notes} rule notes; best CPU time ${bestCpu.toFixed(1)} ms (${Math.round(diffLines / (bestCpu / 1000)).toLocaleString('en-US')} diff lines/s of CPU); load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`,
      `${rate.toLocaleString('en-US')} diff lines/s (target ${TARGET.toLocaleString('en-US')} lines/s: ${rate >= TARGET ? 'met' : 'NOT met'})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
