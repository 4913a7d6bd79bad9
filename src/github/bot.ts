import type { BotContext } from './context.js';
import { runFixJob, type FixOutcome } from './fix-job.js';
import type { Job } from './jobs.js';
import { runReviewJob, type ReviewOutcome } from './review-job.js';

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
