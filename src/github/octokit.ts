import Bottleneck from 'bottleneck';
import { App, Octokit } from 'octokit';
import { version } from '../model/version.js';

/**
 * Octokit as the bot uses it: every call goes to `apiUrl` (GITHUB_API_URL: github.com,
 * GitHub Enterprise, or the fake in tests); the retry and throttling plugins (bundled in the
 * `octokit` package) retry server errors and wait out rate limits.
 */
export type GitHub = Octokit;

export interface OctokitOptions {
  apiUrl: string;
  /** Log lines (rate-limit waits); defaults to stderr. */
  log?: (line: string) => void;
  /** How many times a rate-limited request is retried after waiting. */
  rateLimitRetries?: number;
  /**
   * GitHub asks integrations to space content-creating requests (one write a second, a
   * notification-triggering one every three seconds); the throttling plugin does, per process.
   * false (RUBBERDUCK_GITHUB_PACING=off) drops the spacing but keeps the rate-limit handling:
   * for the fake GitHub in tests and benchmarks, never against github.com.
   */
  pacing?: boolean;
}

let unpaced: { write: Bottleneck.Group; notifications: Bottleneck.Group } | undefined;

/** Write limiters without minimum spacing (the plugin's own groups space writes 1 s / 3 s apart). */
function unpacedGroups() {
  unpaced ??= { write: new Bottleneck.Group({ maxConcurrent: 10 }), notifications: new Bottleneck.Group({ maxConcurrent: 10 }) };
  return unpaced;
}

export function pacingFrom(env: Record<string, string | undefined>): boolean {
  return !/^(off|0|false|no)$/i.test(env.RUBBERDUCK_GITHUB_PACING ?? '');
}

function logTo(log: ((line: string) => void) | undefined): (line: string) => void {
  return log ?? ((line: string) => process.stderr.write(`rubberduck: ${line}\n`));
}

/** An Octokit class bound to the API URL, with throttling and retry configured. */
export function octokitClass(options: OctokitOptions): typeof Octokit {
  const log = logTo(options.log);
  const retries = options.rateLimitRetries ?? 2;
  const quiet = { debug: () => {}, info: () => {}, warn: (m: string) => log(m), error: (m: string) => log(m) };
  return Octokit.defaults({
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: `rubberduck/${version} (pid ${process.pid})`,
    log: quiet,
    throttle: {
      ...(options.pacing === false ? unpacedGroups() : {}),
      onRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log(`rate limit on ${request.method} ${request.url}: waiting ${retryAfter} s (retry ${retryCount + 1} of ${retries})`);
        return retryCount < retries;
      },
      onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log(`secondary rate limit on ${request.method} ${request.url}: waiting ${retryAfter} s`);
        return retryCount < retries;
      },
    },
    retry: { retries: 2 },
  }) as typeof Octokit;
}

/** A token client (the Action's GITHUB_TOKEN). */
export function tokenOctokit(token: string, options: OctokitOptions): GitHub {
  const Client = octokitClass(options);
  return new Client({ auth: token });
}

export interface AppCredentials {
  appId: string;
  privateKey: string;
  webhookSecret?: string;
}

/** The GitHub App: JWT auth for /app, installation tokens for everything else, and its webhooks. */
export function createGitHubApp(credentials: AppCredentials, options: OctokitOptions): App {
  return new App({
    appId: credentials.appId,
    privateKey: credentials.privateKey,
    // A worker has no webhook secret; the App wants one, and a worker never verifies a delivery.
    webhooks: { secret: credentials.webhookSecret ?? 'unused-by-workers' },
    Octokit: octokitClass(options),
    log: { debug: () => {}, info: () => {}, warn: (m: string) => logTo(options.log)(m), error: (m: string) => logTo(options.log)(m) },
  });
}

/** An HTTP status from an Octokit error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.replace(/ - https:\/\/docs\.github\.com\S*/, '');
}
