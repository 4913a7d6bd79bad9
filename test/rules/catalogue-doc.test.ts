import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules } from '../../src/rules/registry.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

describe('the rule catalogue in the README', () => {
  it('lists every registered rule with its default severity, and no other', () => {
    const section = README.slice(README.indexOf('### Rule catalogue'), README.indexOf('### Agreement with checkpatch.pl'));
    const rows = [...section.matchAll(/^\| `([a-z]+\/[a-z-]+)` \| ([EWI]) \|/gm)].map((m) => [m[1], m[2]]);
    const letter = { error: 'E', warning: 'W', info: 'I' } as const;
    expect(rows).toEqual(allRules.map((rule) => [rule.id, letter[rule.severity]]));
  });
});
