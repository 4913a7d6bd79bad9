/** The one parser: every input format → the ChangeSet model (src/model/changeset.ts). */
export { parseSubject, hasExplicitVersion } from './subject.js';
export { parseTrailers } from './trailers.js';
export { parsePerson, sameAddress } from './person.js';
export { parseDiff, type ParsedDiff, type ParseProblem } from './diff.js';
export { parsePatchEmail, splitPatchBody, normaliseMessageId, decodeEncodedWords, type PatchSource, type PatchParseOptions } from './email.js';
export { readMbox, splitMbox, MboxSplitter, guessMboxFormat, type MboxFormat, type SplitMboxOptions } from './mbox.js';
export { groupSeries } from './series.js';
export { loadChangeSet, parseFormatPatch, parsePlainDiff, parseMboxMessages, sniffContent, type LoadOptions } from './load.js';
