import { describe, expect, it } from 'vitest';
import { renderSarif } from '../../src/report/index.js';
import { buildSarif, type SarifLog } from '../../src/report/sarif.js';
import { allRules } from '../../src/rules/registry.js';
import { sample } from './sample.js';

/** The constraints of SARIF 2.1.0 that GitHub code scanning enforces on upload. */
function checkSarif(log: SarifLog): string[] {
  const problems: string[] = [];
  if (log.version !== '2.1.0') problems.push('version');
  if (!/sarif-2\.1\.0/.test(log.$schema)) problems.push('$schema');
  if (!Array.isArray(log.runs) || log.runs.length !== 1) problems.push('runs');
  for (const run of log.runs) {
    const driver = run.tool?.driver;
    if (!driver?.name) problems.push('driver.name');
    const ids = new Set<string>();
    for (const rule of driver.rules) {
      if (!rule.id || ids.has(rule.id)) problems.push(`rule id ${rule.id}`);
      ids.add(rule.id);
      if (!rule.shortDescription?.text || !rule.fullDescription?.text || !rule.help?.text) problems.push(`rule texts ${rule.id}`);
      if (!['error', 'warning', 'note', 'none'].includes(rule.defaultConfiguration.level)) problems.push(`rule level ${rule.id}`);
    }
    for (const [i, result] of run.results.entries()) {
      if (!result.message?.text) problems.push(`result ${i} message`);
      if (!['error', 'warning', 'note', 'none'].includes(result.level)) problems.push(`result ${i} level`);
      if (driver.rules[result.ruleIndex]?.id !== result.ruleId) problems.push(`result ${i} ruleIndex`);
      if (!result.locations?.length) problems.push(`result ${i} locations`);
      for (const location of result.locations) {
        const physical = location.physicalLocation;
        if (!physical && !location.logicalLocations?.length) problems.push(`result ${i} location empty`);
        if (physical) {
          if (!physical.artifactLocation.uri || /^\.?\//.test(physical.artifactLocation.uri)) problems.push(`result ${i} uri`);
          if (!Number.isInteger(physical.region.startLine) || physical.region.startLine < 1) problems.push(`result ${i} startLine`);
        }
      }
      if (Object.keys(result.partialFingerprints ?? {}).length === 0) problems.push(`result ${i} fingerprints`);
    }
  }
  return problems;
}

describe('sarif reporter', () => {
  it('produces SARIF 2.1.0 that meets the code-scanning constraints', () => {
    const { report, changeset } = sample();
    const log = JSON.parse(renderSarif(report, { changeset })) as SarifLog;
    expect(checkSarif(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('rubberduck');
    expect(run.tool.driver.version).toBe('9.9.9');
    expect(run.results.map((r) => r.level)).toEqual(['error', 'warning', 'note']);
  });

  it('places diff findings on the file and message findings on the patch file', () => {
    const { report, changeset } = sample();
    const [message, diff, series] = buildSarif(report, { changeset, rules: allRules }).runs[0]!.results;
    expect(diff!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'drivers/net/foo.c' }, region: { startLine: 11 } });
    expect(message!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'fixtures/series.mbox' },
      region: { startLine: changeset.patches[0]!.messageStartLine + 2 },
    });
    expect(series!.locations[0]!.logicalLocations?.[0]?.name).toBeTruthy();
  });

  it('uses the rule docs from the registry and stable fingerprints', () => {
    const { report, changeset } = sample();
    const a = buildSarif(report, { changeset, rules: allRules });
    const b = buildSarif(report, { changeset, rules: allRules });
    expect(a.runs[0]!.results.map((r) => r.partialFingerprints)).toEqual(b.runs[0]!.results.map((r) => r.partialFingerprints));
    const fixes = a.runs[0]!.tool.driver.rules.find((r) => r.id === 'kernel/fixes-format')!;
    const registered = allRules.find((r) => r.id === 'kernel/fixes-format');
    if (registered) expect(fixes.shortDescription.text).toBe(registered.doc.what);
    expect(fixes.defaultConfiguration.level).toBe('error');
  });

  it('falls back to a logical location when the input is stdin', () => {
    const { report } = sample();
    const log = buildSarif({ ...report, inputs: ['-'] });
    expect(checkSarif(log)).toEqual([]);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation).toBeUndefined();
  });
});
