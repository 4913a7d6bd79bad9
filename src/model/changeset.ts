import { z } from 'zod';

/**
 * The one parsed model every way in produces (diff, format-patch, .eml, mbox, git range, stdin)
 * and every rule reads. Line numbers are 1-based everywhere.
 */

export const DiffLineSchema = z.object({
  kind: z.enum(['add', 'del', 'ctx']),
  /** The line without its leading '+', '-' or ' ' and without the line terminator. */
  text: z.string(),
  /** True when the line ended in CRLF in the input (kernel/dos-line-endings needs it). */
  crlf: z.boolean().default(false),
  oldLine: z.number().int().positive().optional(),
  newLine: z.number().int().positive().optional(),
  /** Line number of this line inside the patch text (the email body / diff file), for `#N:`. */
  patchLine: z.number().int().positive(),
  /** A `\ No newline at end of file` marker followed this line. */
  noNewlineAtEnd: z.boolean().default(false),
});
export type DiffLine = z.infer<typeof DiffLineSchema>;

export const HunkSchema = z.object({
  oldStart: z.number().int().nonnegative(),
  oldLines: z.number().int().nonnegative(),
  newStart: z.number().int().nonnegative(),
  newLines: z.number().int().nonnegative(),
  /** Text after the closing `@@` (git's function context), trimmed. */
  section: z.string(),
  /** Line of the `@@` header inside the patch text. */
  patchLine: z.number().int().positive(),
  lines: z.array(DiffLineSchema),
  /** Set when the body does not match the header's counts (truncated or wrapped patch). */
  corrupt: z.string().optional(),
});
export type Hunk = z.infer<typeof HunkSchema>;

export const FilePatchSchema = z.object({
  /** Path without the a/ prefix; null for an added file. */
  oldPath: z.string().nullable(),
  /** Path without the b/ prefix; null for a deleted file. */
  newPath: z.string().nullable(),
  status: z.enum(['added', 'deleted', 'modified', 'renamed', 'copied']),
  oldMode: z.string().optional(),
  newMode: z.string().optional(),
  similarity: z.number().int().min(0).max(100).optional(),
  binary: z.boolean().default(false),
  /** Line of the `diff --git` (or first `---`) header inside the patch text. */
  patchLine: z.number().int().positive(),
  hunks: z.array(HunkSchema),
});
export type FilePatch = z.infer<typeof FilePatchSchema>;

/** A subject parsed as permissively as b4 does. */
export const SubjectSchema = z.object({
  raw: z.string(),
  /** List tags skipped before the patch prefix, e.g. `Intel-wired-lan`. */
  listTags: z.array(z.string()),
  /** Tokens of the patch prefix, e.g. ['PATCH', 'net-next', 'v2', '3/5']. */
  prefixes: z.array(z.string()),
  /** A PATCH/RFC word was present (`[iwl-next v1 1/1]` has none but is accepted as a tree prefix). */
  hasPatchTag: z.boolean(),
  /** There was a bracketed prefix at all. */
  hasPrefix: z.boolean(),
  rfc: z.boolean(),
  resend: z.boolean(),
  /** 1 when no vN is given. */
  version: z.number().int().positive(),
  counter: z.number().int().nonnegative().optional(),
  total: z.number().int().nonnegative().optional(),
  /** The tree token as written (`net-next`, `Net-Next`, `iwl-net`), if one was recognised. */
  tree: z.string().optional(),
  /** The subject after all prefixes: `net: dsa: fix the thing`. */
  summary: z.string(),
  /** `Re:`/`Fwd:` was present. */
  isReply: z.boolean(),
});
export type Subject = z.infer<typeof SubjectSchema>;

export const PersonSchema = z.object({
  name: z.string(),
  email: z.string(),
});
export type Person = z.infer<typeof PersonSchema>;

export const TrailerSchema = z.object({
  /** Key as written, e.g. `Signed-off-by`, `signed-off-by`, `Fixes`. */
  key: z.string(),
  value: z.string(),
  /** The trailer text after unwrapping (b4-style: a Fixes tag or sign-off split over two lines). */
  raw: z.string(),
  /** Line (1-based) within the commit message where the trailer starts. */
  line: z.number().int().positive(),
  /** The trailer was wrapped onto more than one line in the input. */
  wrapped: z.boolean().default(false),
  /** The separator after the colon, as written (normally one space). */
  separator: z.string(),
  person: PersonSchema.optional(),
  /** Text after ` # ` on stable Cc lines and the like. */
  comment: z.string().optional(),
});
export type Trailer = z.infer<typeof TrailerSchema>;

export const PatchSchema = z.object({
  /** Stable id within the change set: `<source>#<index>`. */
  id: z.string(),
  source: z.object({
    /** File name, `-` for stdin, or the range for a git range. */
    input: z.string(),
    /** Index of the message inside an mbox, or of the commit inside a range. */
    index: z.number().int().nonnegative(),
    kind: z.enum(['diff', 'email', 'commit']),
  }),
  /** Lower-cased header names → last value, decoded (RFC 2047). */
  headers: z.record(z.string(), z.string()),
  messageId: z.string().optional(),
  inReplyTo: z.string().optional(),
  references: z.array(z.string()),
  date: z.string().optional(),
  /** The header From (the sender). */
  from: PersonSchema.optional(),
  /** In-body From:, else X-Original-From (B4 Relay), else header From. */
  author: PersonSchema.optional(),
  subject: SubjectSchema,
  /** Commit message body: below the subject, above `---` (trailers included), `\n` line ends. */
  message: z.string(),
  /** Line in the input text where `message` starts, so findings can say `#N:`. */
  messageStartLine: z.number().int().positive(),
  trailers: z.array(TrailerSchema),
  /** Text between `---` and the first diff (diffstat, version changelog). */
  notes: z.string(),
  notesStartLine: z.number().int().positive().optional(),
  files: z.array(FilePatchSchema),
  /** A `0/N` cover letter (no diff expected). */
  isCover: z.boolean(),
  mime: z.object({
    /** The diff came as a MIME attachment rather than inline. */
    attachment: z.boolean(),
    html: z.boolean(),
  }),
  /** Lines in the patch text (message + diff) — the `L lines checked` figure. */
  lineCount: z.number().int().nonnegative(),
  /** Non-fatal parse problems; the corrupted-patch rule turns these into findings. */
  parseProblems: z.array(z.object({ line: z.number().int().positive().optional(), message: z.string() })),
});
export type Patch = z.infer<typeof PatchSchema>;

export const SeriesSchema = z.object({
  id: z.string(),
  version: z.number().int().positive(),
  /** N of `k/N`; 1 for a lone patch. */
  total: z.number().int().nonnegative(),
  /** Index into ChangeSet.patches of the cover letter, if any. */
  cover: z.number().int().nonnegative().optional(),
  /** Indices into ChangeSet.patches, in counter order, cover excluded. */
  patches: z.array(z.number().int().nonnegative()),
  /** Where it came from: a pull request is graded more gently by series/too-many-patches. */
  origin: z.enum(['mailing-list', 'pull-request', 'range', 'diff']),
  /**
   * The posting this one follows (same author, same normalised title, an earlier date), when it is
   * known: from the same input, or from the triage history. The history rules read it.
   */
  previous: z
    .object({
      /** Its series id (the lead message's Message-ID). */
      id: z.string(),
      version: z.number().int().positive(),
      subject: z.string(),
      date: z.string().optional(),
      /** Message-IDs of its messages (cover and patches), to tell a reply into its thread. */
      messageIds: z.array(z.string()),
    })
    .optional(),
});
export type Series = z.infer<typeof SeriesSchema>;

/**
 * A review reply (`Re:` with no diff) kept with the patches, b4-style: who answered which
 * message, with which trailers, and what they wrote in their own words (quotes dropped).
 */
export const ReplySchema = z.object({
  messageId: z.string().optional(),
  inReplyTo: z.string().optional(),
  references: z.array(z.string()),
  from: PersonSchema.optional(),
  date: z.string().optional(),
  subject: z.string(),
  /** Index into ChangeSet.patches of the message it answers (directly, or up its thread), if present. */
  patch: z.number().int().nonnegative().optional(),
  /** Trailers on the replier's own lines (Reviewed-by, Acked-by, Tested-by, …), quoted lines excluded. */
  trailers: z.array(TrailerSchema),
  /** The replier's own lines: quotes, the attribution line and the signature dropped. */
  text: z.string(),
  source: z.object({ input: z.string(), index: z.number().int().nonnegative() }),
});
export type Reply = z.infer<typeof ReplySchema>;

export const ChangeSetSchema = z.object({
  inputs: z.array(z.string()),
  patches: z.array(PatchSchema),
  series: z.array(SeriesSchema),
  /** Review replies to these patches, when the input carried any (mail only). */
  replies: z.array(ReplySchema).optional(),
});
export type ChangeSet = z.infer<typeof ChangeSetSchema>;

/** Lines added by a patch, with their file, for the diff rules. */
export function* addedLines(patch: Patch): Generator<{ file: FilePatch; hunk: Hunk; line: DiffLine }> {
  for (const file of patch.files) {
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) if (line.kind === 'add') yield { file, hunk, line };
    }
  }
}

/** The path a file has after the patch (old path for a deletion). */
export function filePath(file: FilePatch): string {
  return file.newPath ?? file.oldPath ?? '';
}
