import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/model/config.js';
import { loadChangeSet } from '../../../src/parse/index.js';
import { netdevRules } from '../../../src/rules/netdev/index.js';
import { fixtureFor, runRule } from '../build-netdev.js';
import { isNetdevPatch } from '../../../src/rules/netdev/applies.js';

describe('netdev pack fixtures', () => {
  for (const rule of netdevRules) {
    describe(rule.id, () => {
      it('has a well-formed id and doc', () => {
        expect(rule.id.startsWith('netdev/')).toBe(true);
        expect(rule.pack).toBe('netdev');
        expect(rule.doc.what && rule.doc.why && rule.doc.fix).toBeTruthy();
      });

      it('.bad fixture yields a finding', async () => {
        const path = fixtureFor(rule, 'bad');
        expect(path, `fixture for ${rule.id}`).toBeDefined();
        const config = defaultConfig();
        const cs = await loadChangeSet([path!], { config });
        expect(cs.patches.filter((p) => !p.isCover).every((p) => isNetdevPatch(p, config))).toBe(true);
        const found = runRule(rule, cs, config);
        expect(found.length, JSON.stringify(found)).toBeGreaterThanOrEqual(1);
      });

      it('.good fixture (near miss) yields none', async () => {
        const path = fixtureFor(rule, 'good');
        expect(path, `fixture for ${rule.id}`).toBeDefined();
        const config = defaultConfig();
        const cs = await loadChangeSet([path!], { config });
        expect(cs.patches.filter((p) => !p.isCover).every((p) => isNetdevPatch(p, config))).toBe(true);
        const found = runRule(rule, cs, config);
        expect(found, JSON.stringify(found)).toEqual([]);
      });
    });
  }
});
