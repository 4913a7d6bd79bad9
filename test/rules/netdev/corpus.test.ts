/**
 * Calibration on real patches that netdev maintainers accepted without style complaints
 * (../shared/corpus, outside the project): the netdev, series and generic packs must stay quiet
 * on them. Skipped when the corpus is not there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/schema.js';
import { loadChangeSet } from '../../../src/parse/index.js';
import { genericRules } from '../../../src/rules/generic/index.js';
import { isNetdevPatch } from '../../../src/rules/netdev/applies.js';
import { netdevRules } from '../../../src/rules/netdev/index.js';
import { seriesRules } from '../../../src/rules/series/index.js';
import { runRule } from '../../support/rule-harness.js';

const CORPUS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'corpus');

/** Approved patches → the only finding ids we accept on them. */
const APPROVED: Record<string, string[]> = {
  // `[PATCH] igc: …` really names no tree: one warning is fair.
  'iwl-5e36f6d1fea4-m.eml': ['netdev/tree-missing'],
  'iwl-0cf86218ce6d-m.eml': [],
  'iwl-3002caf0f221-m.eml': [],
  'iwl-68ee771aff88-m.eml': [],
};

describe.skipIf(!existsSync(CORPUS))('netdev packs on maintainer-approved patches', () => {
  for (const [name, allowed] of Object.entries(APPROVED)) {
    it(`${name}: few or no findings`, async () => {
      const path = join(CORPUS, name);
      if (!existsSync(path)) return;
      const config = defaultConfig();
      const cs = await loadChangeSet([path], { config });
      expect(cs.patches.every((p) => p.isCover || isNetdevPatch(p, config))).toBe(true);
      const ids = [...netdevRules, ...seriesRules, ...genericRules].flatMap((rule) => runRule(rule, cs, config).map(() => rule.id));
      expect(ids.filter((id) => !allowed.includes(id))).toEqual([]);
    });
  }

  it('a lone patch saved from a longer series is not blamed for what the input lacks', async () => {
    const path = join(CORPUS, 'iwl-3002caf0f221-m.eml'); // [PATCH net-next v4 3/3], a reply to its cover
    if (!existsSync(path)) return;
    const config = defaultConfig();
    const cs = await loadChangeSet([path], { config });
    expect(seriesRules.flatMap((rule) => runRule(rule, cs, config))).toEqual([]);
  });
});
