import { describe, expect, it } from 'vitest';
import { changelogMissing } from '../../../src/rules/series/changelog-missing.js';
import { missingCoverLetter } from '../../../src/rules/series/missing-cover-letter.js';
import { numbering } from '../../../src/rules/series/numbering.js';
import { partialResend } from '../../../src/rules/series/partial-resend.js';
import { tooManyPatches } from '../../../src/rules/series/too-many-patches.js';
import { versionMismatch } from '../../../src/rules/series/version-mismatch.js';
import { changeset, ctx, patch } from '../../support/changeset.js';

function series(subjects: string[], coverIndex = -1) {
  return subjects.map((s, i) => patch({ subject: s, index: i, isCover: i === coverIndex }));
}

describe('series/too-many-patches', () => {
  const many = (n: number) => series(Array.from({ length: n }, (_, i) => `[PATCH net-next ${i + 1}/${n}] foo: part ${i + 1}`));

  it('is an error on the mailing list and a warning for a pull request', () => {
    const ml = changeset(many(16));
    const [s] = ml.series;
    expect(tooManyPatches.check(s!, ctx(ml))).toMatchObject([{ location: { kind: 'series' } }]);
    expect(tooManyPatches.check(s!, ctx(ml))[0]?.severity).toBeUndefined(); // the rule default: error
    const pr = changeset(many(16), 'pull-request');
    expect(tooManyPatches.check(pr.series[0]!, ctx(pr))[0]?.severity).toBe('warning');
  });

  it('accepts 15 and honours the configured limit', () => {
    const cs = changeset(many(15));
    expect(tooManyPatches.check(cs.series[0]!, ctx(cs))).toHaveLength(0);
    const c = ctx(cs);
    c.config.limits.maxSeriesPatches = 10;
    expect(tooManyPatches.check(cs.series[0]!, c)).toHaveLength(1);
  });
});

describe('series/missing-cover-letter', () => {
  it('wants a cover from 3 patches on', () => {
    const three = changeset(series(['[PATCH net 1/3] a: b', '[PATCH net 2/3] a: c', '[PATCH net 3/3] a: d']));
    expect(missingCoverLetter.check(three.series[0]!, ctx(three))).toHaveLength(1);
    const two = changeset(series(['[PATCH net 1/2] a: b', '[PATCH net 2/2] a: c']));
    expect(missingCoverLetter.check(two.series[0]!, ctx(two))).toHaveLength(0);
    const covered = changeset(series(['[PATCH net 0/3] a', '[PATCH net 1/3] a: b', '[PATCH net 2/3] a: c', '[PATCH net 3/3] a: d'], 0));
    expect(missingCoverLetter.check(covered.series[0]!, ctx(covered))).toHaveLength(0);
    const pr = changeset(series(['a: b', 'a: c', 'a: d']), 'pull-request', { total: 3 });
    expect(missingCoverLetter.check(pr.series[0]!, ctx(pr))).toHaveLength(0);
  });
});

describe('series/numbering', () => {
  it('flags a duplicate counter, a different N and a missing counter', () => {
    const cs = changeset(series(['[PATCH 1/3] a: b', '[PATCH 1/3] a: c', '[PATCH 3/4] a: d', '[PATCH] a: e']));
    const found = numbering.check(cs.series[0]!, ctx(cs));
    const messages = found.map((f) => f.message).join('\n');
    expect(messages).toMatch(/more than one/);
    expect(messages).toMatch(/3\/4/);
    expect(messages).toMatch(/no `k\/N`/);
  });

  it('accepts a well numbered series', () => {
    const cs = changeset(series(['[PATCH 0/2] a', '[PATCH 1/2] a: b', '[PATCH 2/2] a: c'], 0));
    expect(numbering.check(cs.series[0]!, ctx(cs))).toHaveLength(0);
  });
});

describe('series/version-mismatch', () => {
  it('compares patches with the cover', () => {
    const cs = changeset(series(['[PATCH v3 0/2] a', '[PATCH v3 1/2] a: b', '[PATCH v2 2/2] a: c'], 0));
    const found = versionMismatch.check(cs.series[0]!, ctx(cs));
    expect(found).toHaveLength(1);
    expect(found[0]?.patch).toBe(2);
  });
});

describe('series/partial-resend and changelog-missing', () => {
  it('flags a v2 that posts 2 of 3 patches', () => {
    const cs = changeset(series(['[PATCH v2 0/3] a', '[PATCH v2 1/3] a: b', '[PATCH v2 3/3] a: d'], 0));
    expect(partialResend.check(cs.series[0]!, ctx(cs))).toHaveLength(1);
  });

  it('finds a changelog in the cover or in the notes', () => {
    const bare = changeset(series(['[PATCH net v2] a: b']));
    expect(changelogMissing.check(bare.series[0]!, ctx(bare))).toHaveLength(1);
    const p = patch({ subject: '[PATCH net v2] a: b', notes: 'v2:\n - fixed the leak\n\n drivers/net/foo.c | 2 +-\n' });
    const noted = changeset([p]);
    expect(changelogMissing.check(noted.series[0]!, ctx(noted))).toHaveLength(0);
    const v1 = changeset(series(['[PATCH net] a: b']));
    expect(changelogMissing.check(v1.series[0]!, ctx(v1))).toHaveLength(0);
  });
});
