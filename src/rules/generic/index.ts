import type { Rule } from '../types.js';
import { conflictMarker } from './conflict-marker.js';
import { debugLeftover } from './debug-leftover.js';
import { largeFile } from './large-file.js';
import { missingFinalNewline } from './missing-final-newline.js';
import { secret } from './secret.js';
import { trailingWhitespace } from './trailing-whitespace.js';

/** The generic pack, in catalogue order. */
export const genericRules: Rule[] = [conflictMarker, trailingWhitespace, missingFinalNewline, secret, debugLeftover, largeFile];
