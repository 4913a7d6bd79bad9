import { filePath } from '../../model/changeset.js';
import type { Location } from '../../model/finding.js';
import type { Patch } from '../../model/changeset.js';
import type { PatchRule, RuleFinding } from '../types.js';
import { diffLineAsWritten, diffLocation } from '../lib/location.js';

/** Place a parse problem on the diff line it names, when there is one. */
function locate(patch: Patch, patchLine: number | undefined): { location: Location; evidence?: string } {
  if (patchLine !== undefined) {
    for (const file of patch.files) {
      for (const hunk of file.hunks) {
        if (hunk.patchLine === patchLine) {
          return { location: { kind: 'diff', file: filePath(file), line: Math.max(1, hunk.newStart), side: 'new', patchLine } };
        }
        for (const line of hunk.lines) {
          if (line.patchLine === patchLine) return { location: diffLocation(file, line, hunk), evidence: diffLineAsWritten(line) };
        }
      }
    }
  }
  return { location: { kind: 'patch' } };
}

export const corruptedPatch: PatchRule = {
  id: 'kernel/corrupted-patch',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'The diff is damaged (hunk line counts disagree with the header, lines wrapped by the mailer) or a patch email carries no unified diff.',
    why: 'A patch that does not apply cannot be reviewed against the tree or merged; mailers that wrap or re-encode lines are the usual cause.',
    fix: 'Regenerate with `git format-patch` and send with `git send-email` (or b4), never by pasting into a mail client.',
  },
  check(patch): RuleFinding[] {
    const out: RuleFinding[] = [];
    const hunkLines = new Set<number>();
    const hunkMessages = new Set<string>();
    for (const file of patch.files) {
      for (const hunk of file.hunks) {
        if (!hunk.corrupt) continue;
        hunkLines.add(hunk.patchLine);
        hunkMessages.add(hunk.corrupt);
        const header = `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@${hunk.section ? ` ${hunk.section}` : ''}`;
        out.push({
          message: `corrupted hunk: ${hunk.corrupt}`,
          location: { kind: 'diff', file: filePath(file), line: Math.max(1, hunk.newStart), side: 'new', patchLine: hunk.patchLine },
          evidence: header,
        });
      }
    }
    for (const problem of patch.parseProblems) {
      // The parser reports a corrupt hunk both on the hunk and as a problem: report it once.
      if ((problem.line !== undefined && hunkLines.has(problem.line)) || hunkMessages.has(problem.message)) continue;
      const { location, evidence } = locate(patch, problem.line);
      out.push({
        message: problem.line !== undefined && location.kind === 'patch' ? `line ${problem.line}: ${problem.message}` : problem.message,
        location,
        ...(evidence !== undefined ? { evidence } : {}),
      });
    }
    const isPull = /\bGIT\s+PULL\b|^\s*\[GIT\b/i.test(patch.subject.raw);
    if (
      patch.source.kind === 'email' &&
      !patch.isCover && !patch.subject.isReply && !isPull && patch.files.length === 0 &&
      !patch.parseProblems.some((p) => /unified diff/i.test(p.message))
    ) {
      out.push({ message: 'patch email contains no unified diff', location: { kind: 'patch' } });
    }
    return out;
  },
};
