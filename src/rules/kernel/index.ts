import type { Rule } from '../types.js';
import { authorSignoff } from './author-signoff.js';
import { bodyWrap } from './body-wrap.js';
import { changelogPlacement } from './changelog-placement.js';
import { coDevelopedBy } from './co-developed-by.js';
import { commitReference } from './commit-reference.js';
import { corruptedPatch } from './corrupted-patch.js';
import { diffInMessage } from './diff-in-message.js';
import { dosLineEndings } from './dos-line-endings.js';
import { executableSource } from './executable-source.js';
import { fixesFormat } from './fixes-format.js';
import { fixesPlacement } from './fixes-placement.js';
import { fixesTarget } from './fixes-target.js';
import { gerritChangeId } from './gerrit-change-id.js';
import { hashLine } from './hash-line.js';
import { imperativeMood } from './imperative-mood.js';
import { indentWithSpaces } from './indent-with-spaces.js';
import { lineLength } from './line-length.js';
import { mimeAttachment } from './mime-attachment.js';
import { missingDescription } from './missing-description.js';
import { missingSignoff } from './missing-signoff.js';
import { newFileMaintainers } from './new-file-maintainers.js';
import { placeholder } from './placeholder.js';
import { reportedByCloses } from './reported-by-closes.js';
import { senderSignoffLast } from './sender-signoff-last.js';
import { spdxLicense } from './spdx-license.js';
import { stableAddress } from './stable-address.js';
import { subjectLength } from './subject-length.js';
import { subjectNamesTool } from './subject-names-tool.js';
import { subjectPatchTag } from './subject-patch-tag.js';
import { subjectSubsystem } from './subject-subsystem.js';
import { trailerSyntax } from './trailer-syntax.js';
import { trailingWhitespace } from './trailing-whitespace.js';

/** The kernel pack, in catalogue order. Adding a rule: one new file and one line here. */
export const kernelRules: Rule[] = [
  subjectPatchTag,
  subjectSubsystem,
  subjectLength,
  subjectNamesTool,
  imperativeMood,
  placeholder,
  missingDescription,
  bodyWrap,
  commitReference,
  diffInMessage,
  hashLine,
  gerritChangeId,
  changelogPlacement,
  missingSignoff,
  authorSignoff,
  senderSignoffLast,
  coDevelopedBy,
  trailerSyntax,
  reportedByCloses,
  stableAddress,
  fixesFormat,
  fixesPlacement,
  fixesTarget,
  lineLength,
  trailingWhitespace,
  indentWithSpaces,
  dosLineEndings,
  spdxLicense,
  executableSource,
  corruptedPatch,
  mimeAttachment,
  newFileMaintainers,
];
