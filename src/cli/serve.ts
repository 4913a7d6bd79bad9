/**
 * `rubberduck serve`: the GitHub App's webhook server. Configuration from the environment (the
 * names GitHub's own tools use); jobs run in this process from an SQLite queue, or, with
 * REDIS_URL, go to Redis for `rubberduck worker` processes.
 */
import { createPrivateKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseCommandArgs } from './args.js';
import { UsageError } from '../model/errors.js';
import { onTerminationSignal } from '../debug/process.js';
import { createAppContext, jobHandler } from '../github/app-context.js';
import { createWebhookServer } from '../github/server.js';
import { readServeSettings, takeSecrets, WEBHOOK_PATH } from '../github/settings.js';
import { openQueue, queueSettingsFrom } from '../queue/index.js';

const HELP = `usage: rubberduck serve

Run the GitHub App: receive webhooks on ${WEBHOOK_PATH}, review pull requests, answer
/rubberduck fix (when the repository's configuration turns it on). GET /healthz answers 200.

environment:
  APP_ID                  the GitHub App's id                                      (required)
  PRIVATE_KEY             the App's private key (PEM), or PRIVATE_KEY_PATH=FILE     (required)
  WEBHOOK_SECRET          the webhook secret; unsigned or tampered deliveries get 401 (required)
  PORT                    port to listen on (default 3000; 0 = any free port); HOST (default 0.0.0.0)
  GITHUB_API_URL          the API every call goes to (default https://api.github.com; GitHub Enterprise: https://HOST/api/v3)
  REDIS_URL               queue jobs on Redis for 'rubberduck worker' processes instead of running them here
  RUBBERDUCK_QUEUE_FILE   the embedded queue's SQLite file (default .rubberduck/queue.sqlite)
  RUBBERDUCK_CONCURRENCY  jobs run at once by the embedded queue (default 2)
  OPENAI_API_KEY, OPENAI_BASE_URL, RUBBERDUCK_MODEL   the optional model

Secrets are read once and removed from the environment, so a pull request's tests never see them.`;

export function logLine(command: string): (line: string) => void {
  return (line) => process.stderr.write(`${new Date().toISOString()} rubberduck ${command}: ${line}\n`);
}

/** A private key Node cannot read is unusable input, said at start rather than at the first job. */
export function checkPrivateKey(pem: string): void {
  try {
    createPrivateKey(pem);
  } catch (error) {
    throw new UsageError(`the private key cannot be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`, 'PRIVATE_KEY');
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('serve', { args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const env = takeSecrets(process.env);
  const settings = readServeSettings(env);
  checkPrivateKey(settings.privateKey);
  const log = logLine('serve');
  const queue = await openQueue(queueSettingsFrom(env));
  const { app, context } = createAppContext({ settings, env, queue, log });
  if (queue.kind === 'sqlite') await queue.work(jobHandler(context), { concurrency: settings.concurrency, log });

  const server = createWebhookServer({ app, webhookSecret: settings.webhookSecret, queue, log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new UsageError(error.code === 'EADDRINUSE' ? 'the port is in use' : `cannot listen (${error.code ?? error.message})`, `PORT=${settings.port}`)),
    );
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const where = queue.kind === 'redis' ? 'jobs go to Redis for rubberduck worker' : `jobs run here, ${settings.concurrency} at a time`;
  log(`listening on http://${settings.host}:${port}${WEBHOOK_PATH} (API ${settings.apiUrl}; queue ${queue.kind}: ${where})`);
  onTerminationSignal((signal) => log(`${signal}: stopping; unfinished jobs stay queued`));
  return new Promise<number>((resolve) => server.on('close', () => void queue.close().finally(() => resolve(0))));
}
