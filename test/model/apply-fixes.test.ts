import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runReview } from '../../src/graphs/review/run.js';
import { applyFixes } from '../../src/model/apply-fixes.js';
import type { ChangeSet, Hunk, Patch } from '../../src/model/changeset.js';
import type { Finding } from '../../src/model/finding.js';
import { renderPatchBody, renderPatchEmail } from '../../src/model/render-patch.js';
import { parseDiff, parsePatchEmail } from '../../src/parse/index.js';
import { gitIn } from '../support/git.js';

const root = join(import.meta.dirname, '../..');
const demoPath = join(root, 'fixtures/patches/cli/netdev-bad-fixes.eml');
const seriesPath = join(root, 'fixtures/patches/review-llm/series.mbox');
const FILE = 'drivers/net/ethernet/marvell/mvpp2/mvpp2_main.c';

async function demo(): Promise<Patch> {
  return parsePatchEmail(readFileSync(demoPath), { input: demoPath, index: 0 });
}

async function reviewed(patch: Patch): Promise<Finding[]> {
  const changeset: ChangeSet = { inputs: [patch.source.input], patches: [patch], series: [{ id: 's', version: 1, total: 1, patches: [0], origin: 'mailing-list' }] };
  return (await runReview({ kind: 'changeset', changeset })).findings;
}

function fixFinding(rule: string, target: NonNullable<Finding['fix']>['target']): Finding {
  return { rule, severity: 'warning', message: rule, source: 'rule', patch: 0, location: { kind: 'patch' }, fix: { description: rule, target } };
}

/** The file the hunk applies to: filler lines, then the hunk's old side at its place. */
function originalFile(hunk: Hunk): string {
  const lines: string[] = [];
  for (let n = 1; n < hunk.oldStart; n++) lines.push(`/* filler line ${n} */`);
  for (const line of hunk.lines) if (line.kind !== 'add') lines.push(line.text);
  lines.push('', '/* the end */');
  return lines.join('\n') + '\n';
}

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('applyFixes', () => {
  it('reorders a declaration block over context and added lines (reverse xmas tree); the result re-parses and git applies it', async () => {
    const patch = await demo();
    const findings = await reviewed(patch);
    const xmas = findings.find((f) => f.rule === 'netdev/reverse-xmas-tree');
    expect(xmas?.fix?.target.kind).toBe('diff');

    const result = applyFixes(patch, [xmas!]);
    expect(result.applied).toEqual([xmas]);
    expect(result.skipped).toEqual([]);

    // The fixed hunk keeps its header counts, which still match its body.
    const before = patch.files[0]!.hunks[0]!;
    const after = result.patch.files[0]!.hunks[0]!;
    expect([after.oldStart, after.oldLines, after.newStart, after.newLines]).toEqual([before.oldStart, before.oldLines, before.newStart, before.newLines]);
    const body = renderPatchBody(result.patch);
    const diffText = body.lines.slice(body.fileHeader(FILE)!).join('\n') + '\n';
    const reparsed = parseDiff(diffText);
    expect(reparsed.problems).toEqual([]);
    expect(reparsed.files[0]!.hunks.every((h) => h.corrupt === undefined)).toBe(true);
    const newSide = reparsed.files[0]!.hunks[0]!.lines.filter((l) => l.kind !== 'del').map((l) => l.text);
    expect(newSide.slice(1, 5)).toEqual(['\tphys_addr_t phys_addr;', '\tdma_addr_t dma_addr;', '\tvoid *buf;', '\tint err;']);
    // Context lines that moved became a deletion and an addition.
    expect(diffText).toContain('-\tphys_addr_t phys_addr;\n');
    expect(diffText).toContain('+\tphys_addr_t phys_addr;\n');

    // git accepts the whole fixed email against the original file, and the result is ordered.
    const repo = realpathSync(mkdtempSync(join(tmpdir(), 'rd-apply-')));
    temps.push(repo);
    gitIn(repo, ['init', '-q', '-b', 'main']);
    mkdirSync(join(repo, dirname(FILE)), { recursive: true });
    writeFileSync(join(repo, FILE), originalFile(before));
    gitIn(repo, ['add', '-A']);
    gitIn(repo, ['commit', '-q', '-m', 'original']);
    writeFileSync(join(repo, 'fixed.patch'), renderPatchEmail(result.patch));
    gitIn(repo, ['apply', '--check', 'fixed.patch']);
    gitIn(repo, ['apply', 'fixed.patch']);
    const applied = readFileSync(join(repo, FILE), 'utf8').split('\n');
    expect(applied.slice(99, 105)).toEqual(['{', '\tphys_addr_t phys_addr;', '\tdma_addr_t dma_addr;', '\tvoid *buf;', '\tint err;', '']);

    // And the fixed patch no longer trips the rule.
    const again = await parsePatchEmail(renderPatchEmail(result.patch), { input: 'fixed.eml', index: 0 });
    expect((await reviewed(again)).map((f) => f.rule)).not.toContain('netdev/reverse-xmas-tree');
  });

  it('strips trailing whitespace from an added line', async () => {
    const raw = readFileSync(seriesPath, 'utf8').split(/\n(?=From 0{40} )/)[1]!;
    const patch = await parsePatchEmail(raw, { input: 'p1.eml', index: 0 });
    const ws = (await reviewed(patch)).find((f) => f.rule === 'kernel/trailing-whitespace');
    expect(ws?.fix).toBeDefined();
    const { patch: fixed, applied } = applyFixes(patch, [ws!]);
    expect(applied).toHaveLength(1);
    const line = fixed.files[0]!.hunks[0]!.lines.find((l) => l.newLine === 23)!;
    expect(line).toMatchObject({ kind: 'add', text: 'static int foo_refill_one(struct foo_ring *ring)' });
    expect(renderPatchEmail(fixed)).toContain('\n+static int foo_refill_one(struct foo_ring *ring)\n');
    const again = await parsePatchEmail(renderPatchEmail(fixed), { input: 'fixed.eml', index: 0 });
    expect(again.files[0]!.hunks[0]!.corrupt).toBeUndefined();
    expect((await reviewed(again)).map((f) => f.rule)).not.toContain('kernel/trailing-whitespace');
  });

  it('rewrites the message, which may change its number of lines', async () => {
    const patch = await demo();
    const fixes = (await reviewed(patch)).find((f) => f.rule === 'kernel/fixes-format')!;
    const longer = fixFinding('test/two-lines', { kind: 'message', startLine: 5, endLine: 5, lines: ['Go through a single exit label on the error path,', 'as the rest of the driver does.'] });
    const { patch: fixed, applied, skipped } = applyFixes(patch, [fixes, longer]);
    expect(skipped).toEqual([]);
    expect(applied).toHaveLength(2);
    const lines = fixed.message.split('\n');
    expect(lines).toHaveLength(patch.message.split('\n').length + 1);
    expect(lines[4]).toBe('Go through a single exit label on the error path,');
    expect(lines[5]).toBe('as the rest of the driver does.');
    // The Fixes tag (line 8 before) moved down one and was rewritten.
    expect(lines[8]).toBe('Fixes: 3f518509dedc ("mvpp2: Add support for the Marvell PPv2 network controller")');
    expect(lines[9]).toBe('Signed-off-by: Jane Developer <jane@example.com>');
  });

  it('overlapping fixes: the first wins, the other is skipped with a reason', async () => {
    const patch = await demo();
    const first = fixFinding('test/first', { kind: 'diff', file: FILE, startLine: 101, endLine: 102, lines: ['\tint first;', '\tphys_addr_t phys_addr;'] });
    const second = fixFinding('test/second', { kind: 'diff', file: FILE, startLine: 102, endLine: 102, lines: ['\tphys_addr_t second;'] });
    const msgA = fixFinding('test/msg-a', { kind: 'message', startLine: 1, endLine: 2, lines: ['A'] });
    const msgB = fixFinding('test/msg-b', { kind: 'message', startLine: 2, endLine: 2, lines: ['B'] });
    const subjA = fixFinding('test/subj-a', { kind: 'subject', subject: '[PATCH net] a' });
    const subjB = fixFinding('test/subj-b', { kind: 'subject', subject: '[PATCH net] b' });
    const result = applyFixes(patch, [first, second, msgA, msgB, subjA, subjB]);
    expect(result.applied.map((f) => f.rule).sort()).toEqual(['test/first', 'test/msg-a', 'test/subj-a']);
    expect(result.skipped.map((s) => s.finding.rule).sort()).toEqual(['test/msg-b', 'test/second', 'test/subj-b']);
    expect(result.skipped.every((s) => s.reason.length > 0)).toBe(true);
    const newSide = result.patch.files[0]!.hunks[0]!.lines.filter((l) => l.kind !== 'del');
    expect(newSide.find((l) => l.newLine === 101)!.text).toBe('\tint first;');
    expect(newSide.find((l) => l.newLine === 102)!.text).toBe('\tphys_addr_t phys_addr;');
    expect(result.patch.subject.raw).toBe('[PATCH net] a');
    expect(result.patch.message.split('\n')[0]).toBe('A');
  });

  it('skips a diff fix that would change the number of lines or points outside the patch', async () => {
    const patch = await demo();
    const grows = fixFinding('test/grows', { kind: 'diff', file: FILE, startLine: 101, endLine: 101, lines: ['\tint a;', '\tint b;'] });
    const outside = fixFinding('test/outside', { kind: 'diff', file: FILE, startLine: 500, endLine: 500, lines: ['x'] });
    const noFile = fixFinding('test/nofile', { kind: 'diff', file: 'net/core/dev.c', startLine: 101, endLine: 101, lines: ['x'] });
    const pastEnd = fixFinding('test/past-end', { kind: 'message', startLine: 40, endLine: 41, lines: ['x'] });
    const result = applyFixes(patch, [grows, outside, noFile, pastEnd]);
    expect(result.applied).toEqual([]);
    expect(result.skipped.map((s) => s.finding.rule)).toEqual(['test/grows', 'test/outside', 'test/nofile', 'test/past-end']);
    expect(renderPatchEmail(result.patch)).toBe(renderPatchEmail(patch));
  });

  it('never changes the input patch', async () => {
    const patch = await demo();
    const snapshot = structuredClone(patch);
    const findings = await reviewed(patch);
    const extra = fixFinding('test/subject', { kind: 'subject', subject: '[PATCH net] other' });
    const result = applyFixes(patch, [...findings, extra]);
    expect(result.applied.length).toBeGreaterThanOrEqual(3);
    expect(patch).toEqual(snapshot);
    expect(result.patch).not.toEqual(snapshot);
  });
});
