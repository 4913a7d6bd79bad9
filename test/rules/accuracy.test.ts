/**
 * Review accuracy on the classes of patch maintainers answer (issue 11): every file under
 * fixtures/patches/accuracy/<pack>/<rule>/<case>.<expected>.eml goes through the real loader and
 * engine (packs chosen as for any input); <expected> is the severity the rule's finding must
 * have, or `good` for a near miss that must draw none.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { loadChangeSet } from '../../src/parse/index.js';
import { runRules } from '../../src/rules/engine.js';

const ROOT = join(import.meta.dirname, '..', '..', 'fixtures', 'patches', 'accuracy');

const cases = readdirSync(ROOT).flatMap((pack) =>
  readdirSync(join(ROOT, pack)).flatMap((rule) =>
    readdirSync(join(ROOT, pack, rule)).map((name) => {
      const expected = /\.(error|warning|info|good)\.eml$/.exec(name)?.[1];
      if (!expected) throw new Error(`${pack}/${rule}/${name}: name it <case>.<error|warning|info|good>.eml`);
      return { id: `${pack}/${rule}`, name, path: join(ROOT, pack, rule, name), expected };
    }),
  ),
);

describe('accuracy fixtures', () => {
  it('cover every class with a trigger and a near miss', () => {
    const byRule = new Map<string, Set<string>>();
    for (const c of cases) byRule.set(c.id, (byRule.get(c.id) ?? new Set()).add(c.expected === 'good' ? 'good' : 'bad'));
    expect([...byRule.keys()].sort()).toEqual(['kernel/dos-line-endings', 'kernel/imperative-mood', 'kernel/missing-description', 'netdev/fixes-missing']);
    for (const [id, kinds] of byRule) expect([...kinds].sort(), id).toEqual(['bad', 'good']);
  });

  it.each(cases.map((c) => [`${c.id}: ${c.name}`, c] as const))('%s', async (_title, c) => {
    const config = defaultConfig();
    const changeset = await loadChangeSet([c.path], { config });
    const findings = runRules(changeset, config).filter((f) => f.rule === c.id);
    if (c.expected === 'good') expect(findings, JSON.stringify(findings)).toEqual([]);
    else {
      expect(findings).toHaveLength(1);
      expect(findings[0]!.severity, findings[0]!.message).toBe(c.expected);
    }
  });
});
