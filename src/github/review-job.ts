import type { Config } from '../config/schema.js';
import type { Severity } from '../model/finding.js';
import { UsageError } from '../model/errors.js';
import type { BotContext } from './context.js';
import { PermanentJobError, prName, type ReviewJob } from './jobs.js';
import { SUMMARY_MARKER } from './markers.js';
import { messageOf, statusOf, type GitHub } from './octokit.js';
import { buildPullDiff, DiffLines, type PullFile } from './pr-diff.js';
import { publishReview, upsertMarkedComment, type PublishResult } from './publish.js';
import { loadRepoConfig } from './repo-config.js';
import { planReview, type ReviewPlan } from './review-plan.js';
import { reviewChangeSet } from './run-jobs.js';

export type ReviewOutcome =
  | { status: 'published'; plan: ReviewPlan; result: PublishResult; files: number; unreviewed: string[] }
  | { status: 'superseded'; by: string }
  | { status: 'skipped'; reason: string }
  | { status: 'config-error'; message: string; summary: string };

interface PullData {
  state: string;
  draft?: boolean;
  head: { sha: string };
  base: { sha: string; repo: { default_branch: string } };
}

/** GET the PR; a 404/403/410 is permanent: the token cannot read it, retrying will not help. */
export async function readPull(octokit: GitHub, job: Pick<ReviewJob, 'owner' | 'repo' | 'number'>): Promise<PullData> {
  try {
    return (await octokit.rest.pulls.get({ owner: job.owner, repo: job.repo, pull_number: job.number })).data as PullData;
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || status === 403 || status === 410 || status === 401) {
      throw new PermanentJobError(`${prName(job)}: the token cannot read this pull request (${status}: ${messageOf(error)})`);
    }
    throw error;
  }
}

/** Review one PR head and publish the result; idempotent, and a newer head discards the run. */
export async function runReviewJob(job: ReviewJob, ctx: BotContext): Promise<ReviewOutcome> {
  const octokit = await ctx.octokitFor(job);
  const where = prName(job);
  const pull = await readPull(octokit, job);
  if (pull.head.sha !== job.headSha) return { status: 'superseded', by: pull.head.sha };
  if (pull.state !== 'open') return { status: 'skipped', reason: `${where} is ${pull.state}` };
  if (pull.draft) return { status: 'skipped', reason: `${where} is a draft` };
  const botLogin = await ctx.botLogin();

  let config: Config;
  try {
    config = (await loadRepoConfig(octokit, job.owner, job.repo, pull.base.repo.default_branch)).config;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // A bad configuration on the default branch: say so on the PR and in a failed check, once per head.
    const message = error.oneLine().replace(/^rubberduck: /, '');
    const summary = `${SUMMARY_MARKER}\n## 🦆 Rubberduck review\n\n**Configuration error** on the default branch, nothing was reviewed:\n\n    ${message}\n`;
    await publishConfigError(octokit, job, ctx, botLogin, message, summary);
    return { status: 'config-error', message, summary };
  }
  const failOn: Severity = ctx.failOn ?? config.bot.failOn;

  const files = (await octokit.paginate(octokit.rest.pulls.listFiles, { owner: job.owner, repo: job.repo, pull_number: job.number, per_page: 100 })) as PullFile[];
  const diff = await buildPullDiff(files, {
    name: where,
    ...(ctx.checkout ? { checkout: { dir: ctx.checkout, baseSha: pull.base.sha, headSha: job.headSha } } : {}),
  });
  const report = await reviewChangeSet({ changeset: diff.changeset, config, llm: ctx.llmFor(config) });
  const lines = new DiffLines(diff.changeset.patches[0]?.files ?? []);
  const plan = planReview(report.findings, lines, failOn, config.bot.maxInlineComments);

  // A push while we were reviewing: the newer head's job publishes, this one is discarded.
  const now = await readPull(octokit, job);
  if (now.head.sha !== job.headSha) return { status: 'superseded', by: now.head.sha };

  const result = await publishReview(octokit, { owner: job.owner, repo: job.repo, number: job.number, headSha: job.headSha }, plan, {
    botLogin,
    checkName: ctx.checkName,
    version: ctx.version,
    unreviewed: diff.unreviewed,
    fromCheckout: diff.fromCheckout,
    notes: report.notes,
    log: (line) => ctx.log(`${where}: ${line}`),
  });
  return { status: 'published', plan, result, files: files.length, unreviewed: diff.unreviewed };
}

async function publishConfigError(octokit: GitHub, job: ReviewJob, ctx: BotContext, botLogin: string, message: string, summary: string): Promise<void> {
  try {
    await upsertMarkedComment(octokit, { owner: job.owner, repo: job.repo, number: job.number, headSha: job.headSha }, botLogin, SUMMARY_MARKER, summary);
    await octokit.rest.checks.create({
      owner: job.owner,
      repo: job.repo,
      name: ctx.checkName,
      head_sha: job.headSha,
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'Configuration error', summary: message },
    });
  } catch (error) {
    if (statusOf(error) !== 403) throw error;
    ctx.log(`${prName(job)}: could not report the configuration error (read-only token): ${messageOf(error)}`);
  }
}
