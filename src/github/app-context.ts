import type { App } from 'octokit';
import { createLlmClient } from '../llm/client.js';
import { version } from '../model/version.js';
import type { JobHandler, JobQueue } from '../queue/types.js';
import { describeOutcome, runJob, type BotContext } from './bot.js';
import { PermanentJobError, prName } from './jobs.js';
import { createGitHubApp, pacingFrom, type GitHub } from './octokit.js';
import { CHECK_NAME, secretNamesIn, type AppSettings } from './settings.js';

/**
 * The BotContext of `rubberduck serve` and `rubberduck worker`: installation tokens from the
 * GitHub App, the model from the environment snapshot taken at start (process.env itself no
 * longer holds secrets), run-once keys in the queue's store.
 */
export function createAppContext(options: { settings: AppSettings; env: Record<string, string | undefined>; queue: JobQueue; log: (line: string) => void; app?: App }): { app: App; context: BotContext } {
  const app = options.app ?? createGitHubApp(options.settings, { apiUrl: options.settings.apiUrl, log: options.log, pacing: pacingFrom(options.env) });
  let login: Promise<string> | undefined;
  const context: BotContext = {
    mode: 'serve',
    checkName: CHECK_NAME,
    version,
    async octokitFor(job) {
      if (job.installationId === undefined) throw new PermanentJobError(`${prName(job)}: the event carried no installation id`);
      return (await app.getInstallationOctokit(job.installationId)) as unknown as GitHub;
    },
    botLogin() {
      login ??= app.octokit.request('GET /app').then((answer) => `${(answer.data as { slug: string }).slug}[bot]`);
      // A failed look-up is tried again by the next job.
      login.catch(() => (login = undefined));
      return login;
    },
    llmFor: (config) => createLlmClient({ env: options.env, config, log: (m) => options.log(`model: ${m}`) }),
    once: (key) => options.queue.once(key),
    secretNames: secretNamesIn(options.env),
    log: options.log,
  };
  return { app, context };
}

/** The queue's handler: run the job, return the line that is logged. */
export function jobHandler(context: BotContext): JobHandler {
  return async (job, signal) => describeOutcome(await runJob(job, context, signal));
}
