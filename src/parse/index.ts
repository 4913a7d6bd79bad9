/** The one parser: every input format → the ChangeSet model (src/model/changeset.ts). */
export { parseSubject, hasExplicitVersion } from './subject.js';
export { parseTrailers } from './trailers.js';
export { parsePerson, sameAddress } from './person.js';
export { parseDiff, type ParsedDiff, type ParseProblem } from './diff.js';
export { parsePatchEmail, splitPatchBody, normaliseMessageId, decodeEncodedWords, type PatchSource, type PatchParseOptions } from './email.js';
export { readMbox, splitMbox, MboxSplitter, guessMboxFormat, type MboxFormat, type SplitMboxOptions } from './mbox.js';
export { groupSeries, linkVersions, normalisedTitle, postingAuthor, postingOf, leadOf, MemoryPostingLog, SeriesAssembler, isReplyMessage, type AssembledUnit, type SeriesAssemblerOptions, type Posting, type PostingLog } from './series.js';
export { toReply, ownLines, replyTrailers, answeredPatch } from './replies.js';
export { loadChangeSet, streamChangeSets, unitChangeSet, parseFormatPatch, parsePlainDiff, parseMboxMessages, sniffContent, type LoadOptions, type StreamOptions } from './load.js';
