import type { ChangeSet, Patch, Series } from '../../model/changeset.js';

/** The series holding a patch (by index into ChangeSet.patches, or the patch itself), as a member or as its cover letter. */
export function seriesOf(changeset: Pick<ChangeSet, 'patches' | 'series'>, patch: Patch | number): Series | undefined {
  let index = typeof patch === 'number' ? patch : changeset.patches.indexOf(patch);
  if (index < 0 && typeof patch !== 'number') index = changeset.patches.findIndex((p) => p.id === patch.id);
  if (index < 0) return undefined;
  return changeset.series.find((series) => series.cover === index || series.patches.includes(index));
}

/** The other patches of a patch's series: what a cover letter speaks for (it has no diff of its own). */
export function seriesMembers(changeset: Pick<ChangeSet, 'patches' | 'series'>, patch: Patch | number): Patch[] {
  const series = seriesOf(changeset, patch);
  if (!series) return [];
  const self = typeof patch === 'number' ? changeset.patches[patch] : patch;
  return series.patches.map((i) => changeset.patches[i]).filter((p): p is Patch => p !== undefined && p !== self);
}

/** Every message of a patch's series (cover letter included), the patch itself too. */
export function seriesMessages(changeset: Pick<ChangeSet, 'patches' | 'series'>, patch: Patch | number): Patch[] {
  const series = seriesOf(changeset, patch);
  if (!series) return [];
  const indices = [...series.patches, ...(series.cover !== undefined ? [series.cover] : [])];
  return indices.map((i) => changeset.patches[i]).filter((p): p is Patch => p !== undefined);
}
