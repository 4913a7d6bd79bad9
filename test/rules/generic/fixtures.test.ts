import { expect } from 'vitest';
import { genericRules } from '../../../src/rules/generic/index.js';
import { describePackFixtures } from '../../support/rule-harness.js';

describePackFixtures('generic', genericRules, (cs) => expect(cs.patches.length).toBeGreaterThanOrEqual(1));
