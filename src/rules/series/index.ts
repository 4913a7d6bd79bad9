import type { Rule } from '../types.js';
import { changelogMissing } from './changelog-missing.js';
import { missingCoverLetter } from './missing-cover-letter.js';
import { numbering } from './numbering.js';
import { newVersionThreaded } from './new-version-threaded.js';
import { partialResend } from './partial-resend.js';
import { repostWithin24h } from './repost-within-24h.js';
import { tooManyPatches } from './too-many-patches.js';
import { versionMismatch } from './version-mismatch.js';

/** The series pack, in catalogue order. */
export const seriesRules: Rule[] = [
  tooManyPatches,
  missingCoverLetter,
  numbering,
  versionMismatch,
  newVersionThreaded,
  repostWithin24h,
  partialResend,
  changelogMissing,
];
