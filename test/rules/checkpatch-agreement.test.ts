/**
 * Agreement with checkpatch.pl (issue 11): the pinned copy in ../shared/tools and rubberduck side
 * by side on every patch under ../shared/corpus and fixtures/patches; every difference on a row
 * of src/rules/checkpatch.ts must be one the row keeps on purpose. Needs perl and ../shared (a
 * clean clone has neither): skipped with the reason otherwise. The comparison itself is tested
 * below without them.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { agreement, compare, CORPUS, FIXTURES, unavailable, type CheckpatchMessage } from '../../bench/checkpatch/agreement.js';
import { render } from '../../bench/checkpatch-agreement.js';
import type { Finding } from '../../src/model/finding.js';
import { CHECKPATCH_MAPPINGS } from '../../src/rules/checkpatch.js';
import { allRules } from '../../src/rules/registry.js';
import { addedFile, patch } from '../support/changeset.js';

const why = unavailable();

describe('checkpatch.pl agreement', () => {
  it.skipIf(why !== undefined)(`every difference on the corpus and the fixtures is kept on purpose${why ? ` (skipped: ${why})` : ''}`, { timeout: 900_000 }, async () => {
    const report = await agreement([CORPUS, FIXTURES], availableParallelism());
    const compared = report.results.filter((r) => !r.skipped);
    const unexplained = compared.flatMap((r) => r.differences.filter((d) => !d.kept));
    expect(unexplained.map((d) => `${d.only} only: ${d.message}:${d.line ?? '-'} ${d.detail}`), render(report).text).toEqual([]);
    // It compared something real: many patches, and many reports both tools made on the same line.
    expect(compared.length).toBeGreaterThan(200);
    const mappedTypes = new Set(CHECKPATCH_MAPPINGS.filter((m) => m.compare !== 'none').flatMap((m) => m.types));
    const theirs = compared.reduce((n, r) => n + r.checkpatch.filter((m) => mappedTypes.has(m.type)).length, 0);
    const theirsOnly = compared.reduce((n, r) => n + r.differences.filter((d) => d.only === 'checkpatch').length, 0);
    expect(theirs - theirsOnly).toBeGreaterThan(50);
  });
});

describe('the comparison (no perl needed)', () => {
  const ws = patch({ files: [addedFile('drivers/net/foo.c', ['\tint a; ', '\tint b;', '\tint c; '], { firstLine: 20 })] });
  const [l1, , l3] = ws.files[0]!.hunks[0]!.lines;
  const lineOf = (file: string, n: number) => ws.files[0]!.hunks[0]!.lines.find((l) => l.newLine === n)?.patchLine;
  const ctx = { raw: 'From: a <a@b>\nSubject: x\n\nbody\n', patch: ws, lineOf };
  const theirs = (line: number, type = 'TRAILING_WHITESPACE'): CheckpatchMessage => ({ line, level: 'ERROR', type, text: 'trailing whitespace' });
  const ours = (line: number): Finding => ({ rule: 'kernel/trailing-whitespace', severity: 'error', message: 'trailing whitespace', source: 'rule', patch: 0, location: { kind: 'diff', file: 'drivers/net/foo.c', line: 10, side: 'new', patchLine: line } });

  it('agrees line by line, and says who reported a line alone', () => {
    expect(compare('m', [theirs(l1!.patchLine), theirs(l3!.patchLine)], [ours(l1!.patchLine), ours(l3!.patchLine)], ctx)).toEqual([]);
    const differences = compare('m', [theirs(l1!.patchLine)], [ours(l3!.patchLine)], ctx);
    expect(differences.map((d) => [d.only, d.line, d.kept])).toEqual([
      ['checkpatch', l1!.patchLine, undefined],
      ['rubberduck', l3!.patchLine, undefined],
    ]);
  });

  it('a finding that fixes a run of lines covers each of them', () => {
    const run: Finding = {
      rule: 'kernel/indent-with-spaces',
      severity: 'warning',
      message: 'indent with tabs (3 lines)',
      source: 'rule',
      location: { kind: 'diff', file: 'drivers/net/foo.c', line: 10, side: 'new', patchLine: l1!.patchLine },
      fix: { description: 'indent with tabs', target: { kind: 'diff', file: 'drivers/net/foo.c', startLine: 10, endLine: 12, lines: ['a', 'b', 'c'] } },
    };
    const lines = ws.files[0]!.hunks[0]!.lines.map((l) => theirs(l.patchLine, 'CODE_INDENT'));
    expect(compare('m', lines, [run], ctx)).toEqual([]);
  });

  it('recognises a difference kept on purpose (a CRLF-transport message)', () => {
    const crlf = { ...ctx, raw: 'From: a <a@b>\r\nSubject: x\r\n\r\nbody\r\n' };
    const [d] = compare('m', [theirs(l1!.patchLine, 'DOS_LINE_ENDINGS')], [], crlf);
    expect(d).toMatchObject({ only: 'checkpatch', kept: 'crlf-transport' });
    // The same report on an LF message is unexplained.
    expect(compare('m', [theirs(l1!.patchLine, 'DOS_LINE_ENDINGS')], [], ctx)[0]?.kept).toBeUndefined();
  });

  it('maps only rules that exist, and gives a reason wherever it does not compare lines', () => {
    const ids = allRules.map((rule) => rule.id);
    for (const mapping of CHECKPATCH_MAPPINGS) {
      for (const rule of mapping.rules) expect(ids, rule).toContain(rule);
      if (mapping.compare !== 'line') expect(mapping.reason, mapping.types.join()).toBeTruthy();
      for (const kept of mapping.kept ?? []) expect(kept.reason.length).toBeGreaterThan(20);
    }
  });
});
