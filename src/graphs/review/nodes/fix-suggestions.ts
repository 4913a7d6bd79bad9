import { lookupCommitSubject, isAncestorOfHead } from '../../../parse/commit-subject.js';
import { dedupeFindings, runRepositoryRules, sortFindings, suggestFixes } from '../../../rules/engine.js';
import type { RepositoryLookup } from '../../../rules/types.js';
import type { ReviewStateType, ReviewStateUpdate } from '../state.js';

export { subjectWithTree } from '../../../rules/netdev/tree-missing.js';

/**
 * The steps that need more than the patch, after merge: with `--repo`, the rules' repository
 * checks (kernel/fixes-target); then every deterministic finding gets the fix its rule can
 * suggest (`suggestFix`: a tree tag for the subject, a Fixes tag rewritten from git). Which rules
 * do what is declared by the rules; this node knows no rule id.
 */
export async function fixSuggestionsNode(state: ReviewStateType): Promise<ReviewStateUpdate> {
  const changeset = state.changeset;
  if (!changeset) return { merged: state.merged };
  const repository = state.request.repo !== undefined ? gitRepository(state.request.repo) : undefined;
  const notes: string[] = [];
  const options = { notes, ...(state.request.packs ? { packs: state.request.packs } : {}) };
  let merged = state.merged;
  if (repository) {
    const { findings } = await runRepositoryRules(changeset, state.config, repository, options);
    if (findings.length > 0) merged = sortFindings(dedupeFindings([...merged, ...findings]), changeset);
  }
  merged = await suggestFixes(merged, changeset, state.config, repository, { notes });
  return notes.length > 0 ? { merged, notes } : { merged };
}

/** The repository questions the rules may ask, answered by git in `repo` (each hash asked once). */
export function gitRepository(repo: string): RepositoryLookup {
  const commits = new Map<string, ReturnType<RepositoryLookup['commit']>>();
  const ancestry = new Map<string, ReturnType<RepositoryLookup['isAncestorOfHead']>>();
  return {
    commit(hash) {
      const key = hash.toLowerCase();
      let answer = commits.get(key);
      if (!answer) commits.set(key, (answer = lookupCommitSubject(repo, key)));
      return answer;
    },
    isAncestorOfHead(hash) {
      const key = hash.toLowerCase();
      let answer = ancestry.get(key);
      if (!answer) ancestry.set(key, (answer = isAncestorOfHead(repo, key)));
      return answer;
    },
  };
}
