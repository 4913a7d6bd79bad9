import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelRules } from '../../../src/rules/kernel/index.js';
import { FIXTURE_ROOT, fixtureRepository, loadFixture as loadPatch, runWithRepository } from '../../support/rule-harness.js';

const FIXTURES = join(FIXTURE_ROOT, 'kernel');
const loadFixture = (name: string) => loadPatch(join(FIXTURES, name));

const CORE = [
  'subject-patch-tag', 'subject-subsystem', 'subject-length', 'imperative-mood', 'placeholder',
  'missing-description', 'body-wrap', 'commit-reference', 'diff-in-message', 'gerrit-change-id',
  'changelog-placement', 'missing-signoff', 'author-signoff', 'co-developed-by', 'trailer-syntax',
  'fixes-format', 'line-length', 'trailing-whitespace', 'indent-with-spaces', 'dos-line-endings',
  'spdx-license', 'executable-source', 'corrupted-patch',
];

describe('kernel rule registry', () => {
  it('holds every core rule, with catalogue ids, once', () => {
    const ids = kernelRules.map((r) => r.id);
    for (const name of CORE) expect(ids).toContain(`kernel/${name}`);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of kernelRules) {
      expect(rule.pack).toBe('kernel');
      expect(rule.id).toMatch(/^kernel\/[a-z-]+$/);
      expect(rule.doc.what.length).toBeGreaterThan(10);
      expect(rule.doc.why.length).toBeGreaterThan(10);
      expect(rule.doc.fix.length).toBeGreaterThan(10);
    }
  });
});

describe.each(kernelRules.map((rule) => [rule.id, rule] as const))('%s', (id, rule) => {
  const name = id.replace(/^kernel\//, '');

  it('has a triggering fixture and a near miss', () => {
    expect(existsSync(join(FIXTURES, `${name}.bad.patch`))).toBe(true);
    expect(existsSync(join(FIXTURES, `${name}.good.patch`))).toBe(true);
  });

  it('flags the .bad fixture', async () => {
    const patch = await loadFixture(`${name}.bad.patch`);
    // A rule that needs the repository gets the one its fixtures describe (fixes-target.repo.json).
    const findings = await runWithRepository(rule, patch, fixtureRepository(rule));
    expect(findings.length).toBeGreaterThanOrEqual(1);
    for (const f of findings) {
      if (f.location.kind === 'message') expect(f.location.patchLine).toBe(patch.messageStartLine + f.location.line - 1);
    }
  });

  it('leaves the .good fixture alone', async () => {
    const patch = await loadFixture(`${name}.good.patch`);
    expect(await runWithRepository(rule, patch, fixtureRepository(rule))).toEqual([]);
  });
});
