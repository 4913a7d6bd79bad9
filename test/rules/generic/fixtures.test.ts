import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/model/config.js';
import { loadChangeSet } from '../../../src/parse/index.js';
import { genericRules } from '../../../src/rules/generic/index.js';
import { fixtureFor, runRule } from '../build-netdev.js';

describe('generic pack fixtures', () => {
  for (const rule of genericRules) {
    describe(rule.id, () => {
      it('has a well-formed id and doc', () => {
        expect(rule.id.startsWith('generic/')).toBe(true);
        expect(rule.pack).toBe('generic');
        expect(rule.doc.what && rule.doc.why && rule.doc.fix).toBeTruthy();
      });

      it('.bad fixture yields a finding', async () => {
        const path = fixtureFor(rule, 'bad');
        expect(path, `fixture for ${rule.id}`).toBeDefined();
        const config = defaultConfig();
        const cs = await loadChangeSet([path!], { config });
        expect(cs.patches.length).toBeGreaterThanOrEqual(1);
        const found = runRule(rule, cs, config);
        expect(found.length, JSON.stringify(found)).toBeGreaterThanOrEqual(1);
      });

      it('.good fixture (near miss) yields none', async () => {
        const path = fixtureFor(rule, 'good');
        expect(path, `fixture for ${rule.id}`).toBeDefined();
        const config = defaultConfig();
        const cs = await loadChangeSet([path!], { config });
        expect(cs.patches.length).toBeGreaterThanOrEqual(1);
        const found = runRule(rule, cs, config);
        expect(found, JSON.stringify(found)).toEqual([]);
      });
    });
  }
});
