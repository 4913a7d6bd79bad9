import { describe, expect, it } from 'vitest';
import { ReviewReportSchema } from '../../src/model/finding.js';
import { renderJson } from '../../src/report/index.js';
import { sample } from './sample.js';

describe('json reporter', () => {
  it('prints a report that validates against ReviewReportSchema', () => {
    const { report } = sample();
    const parsed = ReviewReportSchema.parse(JSON.parse(renderJson(report)));
    expect(parsed.tool).toBe('rubberduck');
    expect(parsed.version).toBe('9.9.9');
    expect(parsed.totals).toMatchObject({ errors: 1, warnings: 1, infos: 1 });
    expect(parsed.findings.map((f) => f.rule)).toEqual(['kernel/fixes-format', 'netdev/reverse-xmas-tree', 'series/missing-cover-letter']);
    expect(parsed.patches).toHaveLength(2);
    expect(parsed.patches[0]).toMatchObject({ index: 0, subject: '[PATCH net 1/2] net: foo: fix a leak', messageId: '<1@example.com>', author: 'A U Thor <author@example.com>' });
  });

  it('refuses an invalid report instead of printing it', () => {
    const { report } = sample();
    const bad = { ...report, findings: [{ ...report.findings[0]!, severity: 'fatal' }] } as unknown as typeof report;
    expect(() => renderJson(bad)).toThrow();
  });
});
