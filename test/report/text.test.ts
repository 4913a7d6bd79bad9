import { describe, expect, it } from 'vitest';
import { buildReport, renderText } from '../../src/report/index.js';
import { changeset as makeChangeSet, patch as makePatch } from '../support/changeset.js';
import { sample } from './sample.js';

describe('text reporter', () => {
  it('prints checkpatch-like blocks, patch headers and the totals line', () => {
    const { report, changeset } = sample();
    const out = renderText(report, { changeset });
    const p0 = changeset.patches[0]!;
    expect(out).toContain(
      `ERROR:kernel/fixes-format: Fixes: tag not in the form Fixes: <12+ hex> ("subject")\n#${p0.messageStartLine + 2}: \nFixes: abc123 (net: foo: add it)\n`,
    );
    const diffLine = p0.files[0]!.hunks[0]!.lines[1]!.patchLine;
    expect(out).toContain(
      `WARNING:netdev/reverse-xmas-tree: declaration longer than the one above it\n#${diffLine}: FILE: drivers/net/foo.c:11:\n+\tunsigned long flags;\n`,
    );
    expect(out).toContain('INFO:series/missing-cover-letter: no cover letter');
    // A header per patch when there are several, and a clean line for the clean one.
    expect(out).toContain('[PATCH net 1/2] net: foo: fix a leak\n');
    expect(out).toContain('[PATCH net 2/2] net: foo: tidy `x` | y has no obvious style problems');
    const lines = out.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`total: 1 errors, 1 warnings, 1 infos, ${report.totals.lines} lines checked`);
    // Findings appear in report order: error before warning.
    expect(out.indexOf('ERROR:')).toBeLessThan(out.indexOf('WARNING:'));
  });

  it('ends a clean single patch with the checkpatch-style verdict', () => {
    const changeset = makeChangeSet([makePatch()]);
    const report = buildReport({ changeset, findings: [], version: '1.0.0' });
    const out = renderText(report, { changeset });
    expect(out).toBe(
      `total: 0 errors, 0 warnings, 0 infos, ${report.totals.lines} lines checked\n\n[PATCH net] net: foo: fix a leak has no obvious style problems and is ready for submission.\n`,
    );
    expect(out).not.toContain('----');
  });

  it('prints notes', () => {
    const changeset = makeChangeSet([makePatch()]);
    const report = buildReport({ changeset, findings: [], notes: ['rule x failed'], version: '1.0.0' });
    expect(renderText(report)).toContain('NOTE: rule x failed\n');
  });
});
