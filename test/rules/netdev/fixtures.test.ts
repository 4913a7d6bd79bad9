import { expect } from 'vitest';
import { isNetdevPatch } from '../../../src/rules/netdev/applies.js';
import { netdevRules } from '../../../src/rules/netdev/index.js';
import { describePackFixtures } from '../../support/rule-harness.js';

// Every netdev fixture must be recognised as netdev input, or the engine would never run the rule on it.
describePackFixtures('netdev', netdevRules, (cs, config) =>
  expect(cs.patches.filter((p) => !p.isCover).every((p) => isNetdevPatch(p, config))).toBe(true),
);
