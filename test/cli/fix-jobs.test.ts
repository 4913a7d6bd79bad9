import { describe, expect, it } from 'vitest';
import { parseFixArgs } from '../../src/cli/fix.js';
import { jobsFor } from '../../src/graphs/debug/nodes/validate.js';
import { UsageError } from '../../src/model/errors.js';

describe('rubberduck fix --jobs', () => {
  it('takes a positive integer; absent means the available cores', () => {
    expect(parseFixArgs(['--test', 'pytest', '--jobs', '3']).jobs).toBe(3);
    expect(parseFixArgs(['--test', 'pytest', '-j', '1']).jobs).toBe(1);
    expect(parseFixArgs(['--test', 'pytest']).jobs).toBeUndefined();
    for (const bad of ['0', '-2', '1.5', 'two']) {
      expect(() => parseFixArgs(['--test', 'pytest', '--jobs', bad])).toThrow(UsageError);
    }
    expect(() => parseFixArgs(['--test', 'pytest', '--jobs', '0'])).toThrow(/--jobs.*positive integer|positive integer.*0/);
    expect(jobsFor({ jobs: 3 })).toBe(3);
    expect(jobsFor({})).toBeGreaterThanOrEqual(1);
  });
});
