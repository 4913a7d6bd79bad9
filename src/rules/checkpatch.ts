/**
 * checkpatch.pl's message types and the rules that cover them: the ONE table the agreement test
 * (test/rules/checkpatch-agreement.test.ts) and `npm run bench:checkpatch` compare by, with the
 * differences we keep on purpose and why. bench/checkpatch/agreement.ts recognises each kept case.
 *
 * `compare` says what must agree on every patch both tools check:
 * - `line`: the same `#N:` lines (a finding whose fix rewrites a run of lines covers each of them);
 * - `first`: checkpatch reports only the first occurrence in a patch; we report that line too
 *   (and may report more);
 * - `presence`: whether the patch has the problem at all (`reason` says why the lines differ);
 * - `none`: not compared (`reason` says why).
 * `severities` limits our findings to those severities (a nit we note as info is not checkpatch's warning).
 */

export type Agreement = 'line' | 'first' | 'presence' | 'none';

/** A class of difference we keep on purpose; bench/checkpatch/agreement.ts knows how to recognise each. */
export type KeptCase =
  | 'mime'
  | 'crlf-transport'
  | 'symlink'
  | 'pasted-output'
  | 'url-or-tag-line'
  | 'below-the-message'
  | 'description-counted-by-checkpatch'
  | 'plain-diff'
  | 'unreadable-hunk-header'
  | 'colonless-trailer'
  | 'b4-relay'
  | 'hex-word'
  | 'fixes-line'
  | 'existing-file';

export interface Kept {
  when: KeptCase;
  reason: string;
}

export interface CheckpatchMapping {
  /** checkpatch.pl message types (`--show-types`). */
  types: readonly string[];
  /** Our rule ids that cover them. */
  rules: readonly string[];
  compare: Agreement;
  severities?: readonly ('error' | 'warning' | 'info')[];
  /** Why the lines differ (`presence`), or why nothing is compared (`none`). */
  reason?: string;
  /** Differences kept on purpose, and why. */
  kept?: readonly Kept[];
}

const MIME: Kept = {
  when: 'mime',
  reason: 'checkpatch reads the raw message: it does not decode quoted-printable or base64 bodies or RFC 2047 headers, and reads MIME part headers, HTML and attachments as text; we review the decoded patch',
};
const PLAIN_DIFF: Kept = { when: 'plain-diff', reason: 'a plain diff (with a quilt or free-text header) is not a commit: no description or sign-off is asked of it' };

export const CHECKPATCH_MAPPINGS: readonly CheckpatchMapping[] = [
  { types: ['TRAILING_WHITESPACE'], rules: ['kernel/trailing-whitespace', 'generic/trailing-whitespace'], compare: 'line' },
  {
    types: ['DOS_LINE_ENDINGS'],
    rules: ['kernel/dos-line-endings'],
    compare: 'line',
    kept: [
      { when: 'crlf-transport', reason: 'when every line of a message ends in CRLF, that is the mail transport\'s (or MIME\'s canonical) line end, not the patch\'s; only a CR the content has before it is reported, where checkpatch reports every added line of a CRLF-saved mail' },
      MIME,
    ],
  },
  {
    types: ['LONG_LINE', 'LONG_LINE_STRING', 'LONG_LINE_COMMENT'],
    rules: ['kernel/line-length'],
    compare: 'line',
    reason: 'checkpatch runs at --max-line-length=80, as NIPA runs it',
  },
  { types: ['CODE_INDENT', 'SPACE_BEFORE_TAB'], rules: ['kernel/indent-with-spaces'], compare: 'line' },
  {
    types: ['SPDX_LICENSE_TAG'],
    rules: ['kernel/spdx-license'],
    compare: 'line',
    kept: [
      { when: 'symlink', reason: 'a symlink (mode 120000) holds its target path, not source: it has no licence line' },
      { when: 'existing-file', reason: 'only new files are asked for the tag; checkpatch also asks it of an existing file whose first line the patch rewrites, which is not the place to relicense it' },
    ],
  },
  { types: ['EXECUTE_PERMISSIONS'], rules: ['kernel/executable-source'], compare: 'presence', reason: 'checkpatch points at the mode line, we at the file\'s `diff --git` line' },
  {
    types: ['CORRUPTED_PATCH', 'NOT_UNIFIED_DIFF'],
    rules: ['kernel/corrupted-patch'],
    compare: 'presence',
    reason: 'checkpatch points at the first line it cannot place, we at the hunk whose counts disagree; cover letters, review replies and pull requests are not patches for us and are not compared',
    kept: [
      { when: 'unreadable-hunk-header', reason: 'a hunk header git cannot read (`@@@ -1,1 +1,1 @@`) makes the patch unappliable: we report it, checkpatch skips the line' },
      MIME,
    ],
  },
  { types: ['FILE_PATH_CHANGES'], rules: ['kernel/new-file-maintainers'], compare: 'presence', reason: 'one finding per patch, on the first added, moved or deleted file' },
  { types: ['MISSING_SIGN_OFF'], rules: ['kernel/missing-signoff'], compare: 'presence', reason: 'checkpatch reports at the end of the input, we on the last line of the commit message', kept: [PLAIN_DIFF, MIME] },
  {
    types: ['NO_AUTHOR_SIGN_OFF', 'FROM_SIGN_OFF_MISMATCH'],
    rules: ['kernel/author-signoff'],
    compare: 'presence',
    reason: 'checkpatch reports at the end of the input, we on the first sign-off',
    kept: [{ when: 'b4-relay', reason: 'a B4 Relay sender (`Name via B4 Relay <devnull+…@kernel.org>`) is not the author: we take the author from the in-body From or X-Original-From' }, MIME],
  },
  { types: ['BAD_SIGN_OFF'], rules: ['kernel/trailer-syntax', 'kernel/co-developed-by'], compare: 'line', kept: [{ when: 'colonless-trailer', reason: 'a trailer that lost its colon (`Reviewed-by Name <addr>`) is no trailer to checkpatch; b4 and patchwork drop it silently, so we report it' }] },
  { types: ['BAD_STABLE_ADDRESS_STYLE'], rules: ['kernel/stable-address'], compare: 'line' },
  {
    types: ['COMMIT_MESSAGE'],
    rules: ['kernel/missing-description'],
    compare: 'presence',
    severities: ['warning', 'error'],
    reason: 'checkpatch reports where the log ends, we on the message',
    kept: [
      { when: 'description-counted-by-checkpatch', reason: 'checkpatch counts any two lines before `---` as a description, the `---` itself, an in-body From: and tags included; a message of tags only has no description for us' },
      PLAIN_DIFF,
    ],
  },
  {
    types: ['COMMIT_LOG_LONG_LINE'],
    rules: ['kernel/body-wrap'],
    compare: 'first',
    reason: 'we report every long line of the message, not only the first',
    kept: [
      MIME,
      { when: 'pasted-output', reason: 'pasted tool output (a paragraph introduced by a colon, logs, stack dumps) is kept as it was printed' },
      { when: 'url-or-tag-line', reason: 'a line carrying a URL or a tag (`Closes: https://…`) cannot be wrapped; the pinned checkpatch exempts only Fixes:, Link: and sign-off lines' },
      { when: 'below-the-message', reason: 'the notes below `---` (changelog, diffstat) are not part of the commit' },
    ],
  },
  {
    types: ['GIT_COMMIT_ID'],
    rules: ['kernel/commit-reference'],
    compare: 'line',
    kept: [
      { when: 'hex-word', reason: 'a word of hex letters after "commit" ("The commit added …") is not a hash' },
      { when: 'fixes-line', reason: 'a Fixes tag, however malformed, is kernel/fixes-format\'s finding, not a commit reference' },
    ],
  },
  { types: ['DIFF_IN_COMMIT_MSG'], rules: ['kernel/diff-in-message'], compare: 'line', kept: [MIME] },
  { types: ['COMMIT_COMMENT_SYMBOL'], rules: ['kernel/hash-line'], compare: 'line' },
  { types: ['GERRIT_CHANGE_ID'], rules: ['kernel/gerrit-change-id'], compare: 'line' },
  { types: ['EMAIL_SUBJECT'], rules: ['kernel/subject-names-tool'], compare: 'presence', reason: 'the subject has no line of its own in our findings' },
  { types: ['NETWORKING_BLOCK_COMMENT_STYLE'], rules: ['netdev/block-comment'], compare: 'line' },
  { types: ['ENOTSUPP'], rules: ['netdev/enotsupp'], compare: 'line' },
  { types: ['MISSING_EOF_NEWLINE'], rules: ['generic/missing-final-newline'], compare: 'line', kept: [{ when: 'symlink', reason: 'a symlink\'s target is stored without a newline' }] },
  {
    types: ['UNKNOWN_COMMIT_ID'],
    rules: ['kernel/fixes-target'],
    compare: 'none',
    reason: 'checkpatch looks every `commit <hash>` and Fixes tag up in the git tree of its current directory and warns about each one it cannot find, even with no tree at all; we check Fixes tags only, against the repository given with --repo (test/graphs/review/fix-suggestions.test.ts)',
  },
  { types: ['BAD_FIXES_TAG', 'PLACEHOLDER_USE', 'BAD_REPORTED_BY_LINK'], rules: ['kernel/fixes-format', 'kernel/placeholder', 'kernel/reported-by-closes'], compare: 'none', reason: 'not in the pinned checkpatch.pl (2021-09 snapshot)' },
];

/** The mapping row of a checkpatch type, if one of our rules covers it. */
export function mappingOf(type: string): CheckpatchMapping | undefined {
  return CHECKPATCH_MAPPINGS.find((m) => m.types.includes(type));
}
