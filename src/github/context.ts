import type { Config } from '../config/schema.js';
import type { Severity } from '../model/finding.js';
import type { LlmClient } from '../llm/types.js';
import type { Job } from './jobs.js';
import type { GitHub } from './octokit.js';

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
