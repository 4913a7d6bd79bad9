import { expect } from 'vitest';
import { seriesRules } from '../../../src/rules/series/index.js';
import { describePackFixtures } from '../../support/rule-harness.js';

describePackFixtures('series', seriesRules, (cs) => expect(cs.series.length).toBeGreaterThanOrEqual(1));
