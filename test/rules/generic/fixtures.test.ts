import { expect } from 'vitest';
import { genericRules } from '../../../src/rules/generic/index.js';
import { describePackFixtures } from '../build-netdev.js';

describePackFixtures('generic', genericRules, (cs) => expect(cs.patches.length).toBeGreaterThanOrEqual(1));
