import type { SeriesRule } from '../types.js';
import { members } from './util.js';

export const tooManyPatches: SeriesRule = {
  id: 'series/too-many-patches',
  pack: 'series',
  severity: 'error',
  scope: 'series',
  doc: {
    what: 'A series of more than 15 patches (the configured limit); a warning for pull requests.',
    why: 'Netdev reviewers and the CI take at most 15 patches at a time; longer series stall review.',
    fix: 'Split the series into smaller self-contained sets and post them one after another.',
  },
  check(series, ctx) {
    if (series.origin === 'diff') return [];
    const limit = ctx.config.limits.maxSeriesPatches;
    const count = Math.max(series.total, members(series, ctx.changeset).length);
    if (count <= limit) return [];
    const pr = series.origin === 'pull-request';
    return [
      {
        message: `series has ${count} patches, more than the limit of ${limit}${pr ? ' (pull request: consider splitting it)' : '; split it'}`,
        location: { kind: 'series' },
        ...(pr ? { severity: 'warning' as const } : {}),
      },
    ];
  },
};
