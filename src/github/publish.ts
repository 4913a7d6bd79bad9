import { fingerprintIn, isResolved, RESOLVED_MARKER, SUMMARY_MARKER } from './markers.js';
import { messageOf, statusOf, type GitHub } from './octokit.js';
import { annotationsOf, batches, checkOutput, summaryBody, type InlineComment, type ReviewPlan } from './review-plan.js';

/**
 * The publishing core, shared by `rubberduck serve`, `rubberduck worker` and `rubberduck action`:
 * one review with the inline comments that are not already on the PR, one check run with
 * annotations, one summary comment edited in place. Idempotent: running it again on the same or a
 * newer head posts nothing twice.
 */

export interface PullTarget {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
}

export interface PublishOptions {
  /** The login the bot's comments are written as (`my-app[bot]`, `github-actions[bot]`). */
  botLogin: string;
  checkName: string;
  version: string;
  unreviewed: readonly string[];
  fromCheckout?: readonly string[];
  notes?: readonly string[];
  log?: (line: string) => void;
}

export interface PublishResult {
  posted: number;
  /** Comments already on the PR from an earlier run (same fingerprint). */
  kept: number;
  refused: InlineComment[];
  resolved: number;
  deleted: number;
  reviewId?: number;
  checkRunId?: number;
  summaryCommentId?: number;
  /** Set when the token could not write (a fork's read-only token): the reason GitHub gave. */
  readOnly?: string;
  /** The summary's Markdown (also what the Action writes to the job summary). */
  summary: string;
}

interface ReviewCommentRecord {
  id: number;
  node_id?: string;
  body: string;
  user: { login: string } | null;
  in_reply_to_id?: number;
}

/** A write GitHub refused because the token is read-only (fork PRs): publishing stops, the result goes elsewhere. */
class ReadOnlyError extends Error {}

function isReadOnly(error: unknown): boolean {
  // A rate-limited 403 never gets here: the throttling plugin waits and retries it.
  return statusOf(error) === 403;
}

async function write<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isReadOnly(error)) throw new ReadOnlyError(`${what}: ${messageOf(error)} (403)`);
    throw error;
  }
}

/**
 * Which comments GitHub refuses, found by bisection with pending reviews (a pending review is
 * invisible to others and is deleted right after the probe). `probe(subset)` is true when GitHub
 * accepts the whole subset.
 */
export async function findRefused<T>(items: readonly T[], probe: (subset: readonly T[]) => Promise<boolean>): Promise<T[]> {
  if (items.length === 0) return [];
  if (await probe(items)) return [];
  if (items.length === 1) return [...items];
  const mid = Math.ceil(items.length / 2);
  return [...(await findRefused(items.slice(0, mid), probe)), ...(await findRefused(items.slice(mid), probe))];
}

function reviewComment(c: InlineComment) {
  return {
    path: c.anchor.path,
    line: c.anchor.line,
    side: c.anchor.side,
    ...(c.anchor.startLine !== undefined ? { start_line: c.anchor.startLine, start_side: c.anchor.side } : {}),
    body: c.body,
  };
}

export async function publishReview(octokit: GitHub, target: PullTarget, plan: ReviewPlan, options: PublishOptions): Promise<PublishResult> {
  const { owner, repo, number: pull_number, headSha } = target;
  const log = options.log ?? (() => {});
  const result: PublishResult = { posted: 0, kept: 0, refused: [], resolved: 0, deleted: 0, summary: '' };
  let checkUrl: string | undefined;

  const existing = (await octokit.paginate(octokit.rest.pulls.listReviewComments, { owner, repo, pull_number, per_page: 100 })) as ReviewCommentRecord[];
  const ours = existing.filter((c) => c.user?.login === options.botLogin && !c.in_reply_to_id && fingerprintIn(c.body));
  const active = new Map<string, ReviewCommentRecord>();
  for (const c of ours) if (!isResolved(c.body)) active.set(fingerprintIn(c.body)!, c);
  const wanted = new Set(plan.inline.map((c) => c.fingerprint));
  const fresh = plan.inline.filter((c) => !active.has(c.fingerprint));
  result.kept = plan.inline.length - fresh.length;

  try {
    // 1. One review with the new inline comments.
    if (fresh.length > 0) {
      const body = `Rubberduck: ${fresh.length} new comment${fresh.length === 1 ? '' : 's'} on \`${headSha.slice(0, 12)}\`; the summary is in the conversation.`;
      const create = (comments: readonly InlineComment[]) =>
        write('posting the review', () =>
          octokit.rest.pulls.createReview({ owner, repo, pull_number, commit_id: headSha, event: 'COMMENT', body, comments: comments.map(reviewComment) }),
        );
      let accepted: InlineComment[] = fresh;
      let review;
      try {
        review = await create(accepted);
      } catch (error) {
        if (statusOf(error) !== 422) throw error;
        log(`GitHub refused the review (422: ${messageOf(error)}); finding the comment(s) it refuses`);
        await deletePendingReviews(octokit, target, options.botLogin);
        result.refused = await findRefused(fresh, async (subset) => {
          try {
            const pending = await write('probing a review comment', () =>
              octokit.rest.pulls.createReview({ owner, repo, pull_number, commit_id: headSha, comments: subset.map(reviewComment) }),
            );
            await octokit.rest.pulls.deletePendingReview({ owner, repo, pull_number, review_id: pending.data.id });
            return true;
          } catch (probeError) {
            if (statusOf(probeError) === 422) return false;
            throw probeError;
          }
        });
        const refused = new Set(result.refused);
        accepted = fresh.filter((c) => !refused.has(c));
        if (accepted.length > 0) review = await create(accepted);
      }
      if (review) result.reviewId = review.data.id;
      result.posted = accepted.length;
    }

    // 2. Comments whose finding is gone: resolved when someone replied, deleted otherwise.
    for (const [fingerprint, comment] of active) {
      if (wanted.has(fingerprint)) continue;
      const replied = existing.some((c) => c.in_reply_to_id === comment.id);
      if (replied) {
        await write('resolving a comment', () =>
          octokit.rest.pulls.updateReviewComment({ owner, repo, comment_id: comment.id, body: `${RESOLVED_MARKER}\n~~${firstLine(comment.body)}~~\n\nResolved: no longer reported on \`${headSha.slice(0, 12)}\`.\n\n${fingerprintMarkerLine(comment.body)}` }),
        );
        await resolveThread(octokit, target, comment.id).catch((error: unknown) => log(`could not resolve the thread of comment ${comment.id}: ${messageOf(error)}`));
        result.resolved++;
      } else {
        await write('deleting a stale comment', () => octokit.rest.pulls.deleteReviewComment({ owner, repo, comment_id: comment.id }));
        result.deleted++;
      }
    }

    // 3. One check run per head, updated on a re-run; annotations 50 per request.
    const output = checkOutput(plan, headSha, result.refused.length > 0 ? [`${result.refused.length} inline comment(s) refused by GitHub are listed in the summary comment.`] : []);
    const annotations = batches(annotationsOf(plan.findings));
    const runs = await octokit.rest.checks.listForRef({ owner, repo, ref: headSha, check_name: options.checkName, per_page: 100 });
    const found = runs.data.check_runs.find((r) => r.name === options.checkName);
    const completed = { status: 'completed' as const, conclusion: plan.conclusion, completed_at: new Date().toISOString() };
    const first = { ...output, annotations: annotations[0] ?? [] };
    const check = found
      ? await write('updating the check run', () => octokit.rest.checks.update({ owner, repo, check_run_id: found.id, ...completed, output: first }))
      : await write('creating the check run', () => octokit.rest.checks.create({ owner, repo, name: options.checkName, head_sha: headSha, ...completed, output: first }));
    result.checkRunId = check.data.id;
    checkUrl = check.data.html_url ?? undefined;
    for (const batch of annotations.slice(1)) {
      await write('adding annotations', () => octokit.rest.checks.update({ owner, repo, check_run_id: check.data.id, output: { ...output, annotations: batch } }));
    }

    // 4. The summary comment, found by its marker and edited in place.
    result.summary = summaryBody({ plan, headSha, refused: result.refused, unreviewed: options.unreviewed, fromCheckout: options.fromCheckout ?? [], notes: options.notes ?? [], version: options.version, ...(checkUrl ? { checkUrl } : {}) });
    const summaryId = await upsertMarkedComment(octokit, target, options.botLogin, SUMMARY_MARKER, result.summary);
    result.summaryCommentId = summaryId;
  } catch (error) {
    if (!(error instanceof ReadOnlyError)) throw error;
    result.readOnly = error.message;
    result.summary = summaryBody({ plan, headSha, refused: [], unreviewed: options.unreviewed, fromCheckout: options.fromCheckout ?? [], notes: options.notes ?? [], version: options.version, readOnly: error.message });
    log(`read-only token: ${error.message}; the result goes to the job summary`);
  }
  return result;
}

function firstLine(body: string): string {
  return body.split('\n').find((l) => l.trim() !== '' && !l.startsWith('<!--'))?.trim() ?? 'finding';
}

function fingerprintMarkerLine(body: string): string {
  return body.split('\n').find((l) => l.startsWith('<!-- rubberduck:fingerprint=')) ?? '';
}

/** Delete the bot's pending reviews (a crashed probe would otherwise block the next one). */
async function deletePendingReviews(octokit: GitHub, target: PullTarget, botLogin: string): Promise<void> {
  const { owner, repo, number: pull_number } = target;
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner, repo, pull_number, per_page: 100 });
  for (const review of reviews) {
    if (review.state === 'PENDING' && review.user?.login === botLogin) await octokit.rest.pulls.deletePendingReview({ owner, repo, pull_number, review_id: review.id });
  }
}

/** Resolve the review thread a comment starts (GraphQL: REST has no call for it). */
async function resolveThread(octokit: GitHub, target: PullTarget, commentId: number): Promise<void> {
  let cursor: string | null = null;
  for (;;) {
    const answer: ThreadsAnswer = await octokit.graphql(
      `query($owner: String!, $repo: String!, $number: Int!, $cursor: String) {
        repository(owner: $owner, name: $repo) { pullRequest(number: $number) {
          reviewThreads(first: 100, after: $cursor) { nodes { id isResolved comments(first: 1) { nodes { databaseId } } } pageInfo { hasNextPage endCursor } }
        } }
      }`,
      { owner: target.owner, repo: target.repo, number: target.number, cursor },
    );
    const threads = answer.repository.pullRequest.reviewThreads;
    const thread = threads.nodes.find((t) => t.comments.nodes[0]?.databaseId === commentId);
    if (thread) {
      if (!thread.isResolved) await octokit.graphql(`mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }`, { id: thread.id });
      return;
    }
    if (!threads.pageInfo.hasNextPage) return;
    cursor = threads.pageInfo.endCursor;
  }
}

interface ThreadsAnswer {
  repository: {
    pullRequest: {
      reviewThreads: {
        nodes: { id: string; isResolved: boolean; comments: { nodes: { databaseId: number }[] } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
  };
}

/** Create or edit the bot's issue comment that carries `marker`; returns its id. */
export async function upsertMarkedComment(octokit: GitHub, target: PullTarget, botLogin: string, marker: string, body: string): Promise<number> {
  const { owner, repo, number: issue_number } = target;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  const mine = comments.find((c) => c.user?.login === botLogin && c.body?.includes(marker));
  if (mine) {
    if (mine.body !== body) await write('editing the summary comment', () => octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body }));
    return mine.id;
  }
  const created = await write('posting the summary comment', () => octokit.rest.issues.createComment({ owner, repo, issue_number, body }));
  return created.data.id;
}

export { ReadOnlyError };
