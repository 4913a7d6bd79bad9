import { expect } from 'vitest';
import { seriesRules } from '../../../src/rules/series/index.js';
import { describePackFixtures } from '../build-netdev.js';

describePackFixtures('series', seriesRules, (cs) => expect(cs.series.length).toBeGreaterThanOrEqual(1));
