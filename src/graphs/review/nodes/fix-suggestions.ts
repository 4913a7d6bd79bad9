import type { Patch } from '../../../model/changeset.js';
import type { Finding } from '../../../model/finding.js';
import { lookupCommitSubject } from '../../../parse/commit-subject.js';
import type { ReviewStateType, ReviewStateUpdate } from '../state.js';

/**
 * Completes the mechanical fixes the rules could not make on their own because they need more
 * than the patch: a tree tag for the subject (net when the patch carries a Fixes tag, else
 * net-next) and, with --repo, Fixes tags rewritten with the hash and subject from git. Rules that
 * can fix themselves (whitespace, trailer spelling, reverse xmas tree order) already did.
 */
export async function fixSuggestionsNode(state: ReviewStateType): Promise<ReviewStateUpdate> {
  const patches = state.changeset?.patches ?? [];
  const repo = state.request.repo;
  const merged = await Promise.all(
    state.merged.map(async (finding) => {
      const patch = finding.patch !== undefined ? patches[finding.patch] : undefined;
      if (!patch || finding.source === 'llm') return finding;
      if (finding.rule === 'netdev/tree-missing' && !finding.fix) return withTreeTag(finding, patch);
      if (finding.rule === 'kernel/fixes-format' && repo) return withFixesFromGit(finding, repo);
      return finding;
    }),
  );
  return { merged };
}

/** `[PATCH v2 1/3] x` → `[PATCH net v2 1/3] x`; a subject with no patch prefix gets one. */
export function subjectWithTree(raw: string, tree: string): string {
  const prefix = /\[((?:RFC\s+)?PATCH(?:\s+RESEND)?|RFC)(?=[\s\]]|v\d)([^\]]*)\]/i;
  // `[PATCHv2 1/3]` (no space before the version) must not become `[PATCH netv2 1/3]`.
  if (prefix.test(raw)) return raw.replace(prefix, (_all, word: string, rest: string) => `[${word} ${tree}${rest && !/^\s/.test(rest) ? ` ${rest}` : rest}]`);
  return `[PATCH ${tree}] ${raw.replace(/^\s+/, '')}`;
}

function withTreeTag(finding: Finding, patch: Patch): Finding {
  const tree = patch.trailers.some((t) => t.key.toLowerCase() === 'fixes') ? 'net' : 'net-next';
  return {
    ...finding,
    fix: {
      description: `name the ${tree} tree in the subject (${tree === 'net' ? 'the patch carries a Fixes tag' : 'new work goes to net-next'})`,
      target: { kind: 'subject', subject: subjectWithTree(patch.subject.raw, tree) },
    },
  };
}

async function withFixesFromGit(finding: Finding, repo: string): Promise<Finding> {
  if (finding.location.kind !== 'message') return finding;
  const hash = /\b([0-9a-f]{7,40})\b/i.exec(finding.evidence ?? '')?.[1];
  if (!hash) return finding;
  const commit = await lookupCommitSubject(repo, hash);
  if (!commit) return finding;
  const existing = finding.fix?.target.kind === 'message' ? finding.fix.target : undefined;
  const startLine = existing?.startLine ?? finding.location.line;
  return {
    ...finding,
    fix: {
      description: 'Fixes tag with the hash and subject from the repository',
      target: {
        kind: 'message',
        startLine,
        endLine: existing?.endLine ?? startLine,
        lines: [`Fixes: ${commit.hash.slice(0, 12)} ("${commit.subject}")`],
      },
    },
  };
}
