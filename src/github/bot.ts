import type { Config } from '../config/schema.js';
import type { Severity } from '../model/finding.js';
import type { LlmClient } from '../llm/types.js';
import { runFixJob, type FixOutcome } from './fix-job.js';
import type { Job } from './jobs.js';
import type { GitHub } from './octokit.js';
import { runReviewJob, type ReviewOutcome } from './review-job.js';

/** What a job needs from the front end that runs it (`serve`/`worker` with an App, or `action`). */
export interface BotContext {
  mode: 'serve' | 'action';
  /** The client for a job: the installation's token (App) or GITHUB_TOKEN (Action). */
  octokitFor(job: Job): Promise<GitHub>;
  /** The login the bot writes as (`app-slug[bot]`, `github-actions[bot]`). */
  botLogin(): Promise<string>;
  /** The model for a repository's configuration, or null (offline). */
  llmFor(config: Config): LlmClient | null;
  checkName: string;
  version: string;
  /** `--fail-on` of the Action; the repository's `bot.failOn` otherwise. */
  failOn?: Severity;
  /** A local checkout with the PR's commits (the Action's workspace), for files GitHub sends no patch for. */
  checkout?: string;
  /** Variables never passed to a PR's tests (`/rubberduck fix`). */
  secretNames: readonly string[];
  /** Longest single run of the test command in `/rubberduck fix`, seconds. */
  fixTestTimeoutSeconds?: number;
  /**
   * Run once: true the first time a key is seen (the fix of one head runs once even when asked
   * twice). Backed by the queue's store.
   */
  once(key: string): Promise<boolean>;
  log(line: string): void;
}

export type JobOutcome = ({ kind: 'review' } & ReviewOutcome) | ({ kind: 'fix' } & FixOutcome);

export async function runJob(job: Job, ctx: BotContext, signal?: AbortSignal): Promise<JobOutcome> {
  if (job.kind === 'review') return { kind: 'review', ...(await runReviewJob(job, ctx)) };
  return { kind: 'fix', ...(await runFixJob(job, ctx, signal)) };
}

/** One log line for a finished job. */
export function describeOutcome(outcome: JobOutcome): string {
  if (outcome.kind === 'review') {
    switch (outcome.status) {
      case 'published': {
        const r = outcome.result;
        const counts = `${outcome.plan.findings.length} finding(s), ${r.posted} comment(s) posted, ${r.kept} kept, ${r.resolved} resolved, ${r.deleted} deleted, ${r.refused.length} refused`;
        return r.readOnly ? `reviewed (${counts}); read-only token: ${r.readOnly}` : `reviewed: ${counts}; check ${outcome.plan.conclusion}`;
      }
      case 'superseded':
        return `discarded: the head moved to ${outcome.by.slice(0, 12)}`;
      case 'skipped':
        return `skipped: ${outcome.reason}`;
      case 'config-error':
        return `configuration error: ${outcome.message}`;
    }
  }
  return `fix: ${outcome.status}${outcome.detail ? ` (${outcome.detail})` : ''}`;
}
