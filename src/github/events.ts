import type { Job } from './jobs.js';

/**
 * Which webhook events become jobs. Pure: the webhook server and the Action both call it and
 * log the reason when an event is skipped.
 */
export const REVIEW_ACTIONS = ['opened', 'synchronize', 'reopened', 'ready_for_review'] as const;
export const FIX_COMMAND = /^\s*\/rubberduck\s+fix\b/;

export type Routed = { job: Job } | { skip: string };

interface User {
  login?: string;
  type?: string;
}

interface PullPayload {
  action?: string;
  installation?: { id?: number };
  repository?: { name?: string; owner?: { login?: string } };
  pull_request?: { number?: number; draft?: boolean; state?: string; user?: User; head?: { sha?: string } };
  issue?: { number?: number; pull_request?: unknown };
  comment?: { id?: number; body?: string; user?: User };
}

function isBot(user: User | undefined): boolean {
  return user?.type === 'Bot' || /\[bot\]$/.test(user?.login ?? '');
}

export function routeEvent(name: string, payload: unknown, deliveryId: string): Routed {
  const p = (payload ?? {}) as PullPayload;
  const owner = p.repository?.owner?.login;
  const repo = p.repository?.name;
  const installationId = p.installation?.id;
  if (!owner || !repo) return { skip: `${name}: no repository in the payload` };
  const base = { owner, repo, deliveryId, ...(installationId !== undefined ? { installationId } : {}) };

  if (name === 'pull_request') {
    const pr = p.pull_request;
    const action = p.action ?? '';
    if (!pr?.number || !pr.head?.sha) return { skip: `pull_request.${action}: no pull request in the payload` };
    const where = `${owner}/${repo}#${pr.number}`;
    if (!(REVIEW_ACTIONS as readonly string[]).includes(action)) return { skip: `${where}: pull_request.${action} is not reviewed` };
    if (pr.state && pr.state !== 'open') return { skip: `${where}: closed` };
    if (pr.draft) return { skip: `${where}: draft pull request, skipped until it is ready for review` };
    if (isBot(pr.user)) return { skip: `${where}: opened by a bot (${pr.user?.login ?? 'unknown'}), skipped` };
    return { job: { kind: 'review', ...base, number: pr.number, headSha: pr.head.sha, action } };
  }

  if (name === 'issue_comment') {
    const issue = p.issue;
    const comment = p.comment;
    if (p.action !== 'created') return { skip: `issue_comment.${p.action ?? ''}: only new comments are read` };
    if (!issue?.number || !comment?.id) return { skip: 'issue_comment: no issue or comment in the payload' };
    if (!FIX_COMMAND.test(comment.body ?? '')) return { skip: `${owner}/${repo}#${issue.number}: comment without a command` };
    if (!issue.pull_request) return { skip: `${owner}/${repo}#${issue.number}: /rubberduck fix on an issue, not a pull request` };
    if (isBot(comment.user)) return { skip: `${owner}/${repo}#${issue.number}: command written by a bot, ignored` };
    return { job: { kind: 'fix', ...base, number: issue.number, commentId: comment.id, commenter: comment.user?.login ?? '' } };
  }

  return { skip: `${name}: event not handled` };
}
