import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelRules } from '../../../src/rules/kernel/index.js';
import { parseMail } from '../../support/changeset.js';
import { run } from '../../support/rule-harness.js';

/** Real patches maintainers took without a style complaint (kept outside the project). */
const CORPUS = join(import.meta.dirname, '../../../../shared/corpus');
const APPROVED = ['iwl-5e36f6d1fea4-m.eml', 'iwl-0cf86218ce6d-m.eml', 'iwl-3002caf0f221-m.eml', 'iwl-68ee771aff88-m.eml'];

describe.skipIf(!existsSync(CORPUS))('kernel rules on maintainer-approved patches', () => {
  it.each(APPROVED)('%s draws no false positives', async (name) => {
    const patch = await parseMail(readFileSync(join(CORPUS, name), 'latin1'), name);
    const findings = kernelRules.flatMap((rule) => run(rule, patch).map((f) => `${rule.id}: ${f.evidence ?? f.message}`));
    // The one real defect among them: a Reviewed-by that lost its colon.
    const expected = name === 'iwl-68ee771aff88-m.eml' ? ['kernel/trailer-syntax: Reviewed-by Joshua Hay <joshua.a.hay@intel.com>'] : [];
    expect(findings).toEqual(expected);
  });
});
