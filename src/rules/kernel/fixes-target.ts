import type { Patch } from '../../model/changeset.js';
import { messageLocation } from '../lib/location.js';
import type { PatchRule, RepositoryContext, RuleFinding } from '../types.js';
import { fixesTags } from './fixes-format.js';
import { isPosting, messageLines } from './util.js';

/** The hash and the quoted subject of a Fixes tag however it is written (kernel/fixes-format judges the form). */
export function fixesReference(text: string): { hash: string; subject?: string } | undefined {
  const m = /^\s*fixes\s*:?\s*(?:commit\s+)?([0-9a-fA-F]{7,40})\b(.*)$/i.exec(text);
  if (!m) return undefined;
  const quoted = /\(\s*["“](.*)["”]\s*\)?\s*$/.exec(m[2] ?? '')?.[1];
  return quoted !== undefined ? { hash: m[1]!.toLowerCase(), subject: quoted } : { hash: m[1]!.toLowerCase() };
}

/** A quoted subject matches the commit's exactly, or as a prefix cut off with an ellipsis. */
export function subjectMatches(quoted: string, actual: string): boolean {
  const q = quoted.trim();
  if (q === actual.trim()) return true;
  const cut = /^(.*?)\s*(?:\.\.\.|…)$/.exec(q)?.[1];
  return cut !== undefined && cut.length > 0 && actual.startsWith(cut);
}

async function checkTag(patch: Patch, line: number, text: string, evidence: string, ctx: RepositoryContext): Promise<RuleFinding | undefined> {
  const ref = fixesReference(text);
  if (!ref) return undefined;
  const location = messageLocation(patch, line);
  const commit = await ctx.repository.commit(ref.hash);
  if (!commit) {
    return { message: `Fixes tag names ${ref.hash}, which the repository does not have (unknown or ambiguous hash)`, location, evidence };
  }
  const canonical = `Fixes: ${commit.hash.slice(0, 12)} ("${commit.subject}")`;
  const fix = { description: 'the hash and subject the repository has', target: { kind: 'message' as const, startLine: line, endLine: line, lines: [canonical] } };
  if ((await ctx.repository.isAncestorOfHead(ref.hash)) === false) {
    return { message: `Fixes tag names ${ref.hash}, which is not an ancestor of HEAD: the fixed commit is not in the tree this patch is for`, location, evidence };
  }
  if (ref.subject !== undefined && !subjectMatches(ref.subject, commit.subject)) {
    return { message: `Fixes tag quotes "${ref.subject}", but ${commit.hash.slice(0, 12)} is "${commit.subject}"`, location, evidence, fix };
  }
  return undefined;
}

export const fixesTarget: PatchRule = {
  id: 'kernel/fixes-target',
  pack: 'kernel',
  scope: 'patch',
  severity: 'error',
  doc: {
    what: 'With `--repo`: a `Fixes:` tag names a commit the repository does not have, one that is not an ancestor of HEAD, or quotes a subject other than the commit\'s (a trailing ellipsis is allowed).',
    why: 'Stable backports and NIPA follow the Fixes tag to the commit it repairs; a wrong hash or a subject that does not match sends them to the wrong commit or nowhere.',
    fix: 'Copy the tag from `git log -1 --abbrev=12 --format=\'Fixes: %h ("%s")\' <sha>` in the tree the patch is for.',
  },
  // Offline there is nothing to check; the review graph runs checkRepository with --repo.
  check: () => [],
  async checkRepository(patch, ctx): Promise<RuleFinding[]> {
    if (!isPosting(patch)) return [];
    const lines = messageLines(patch);
    const out: RuleFinding[] = [];
    for (const tag of fixesTags(patch, lines)) {
      const text = lines.slice(tag.line - 1, tag.line - 1 + tag.span).map((l, i) => (i === 0 ? l.trimEnd() : l.trim())).join(' ');
      const finding = await checkTag(patch, tag.line, text, lines[tag.line - 1] ?? text, ctx);
      if (finding) out.push(finding);
    }
    return out;
  },
};
