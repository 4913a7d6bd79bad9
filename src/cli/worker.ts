/**
 * `rubberduck worker`: takes the bot's jobs from Redis (REDIS_URL), as many processes and machines
 * as wanted. A job whose worker dies is taken over by another one.
 */
import { parseCommandArgs } from './args.js';
import { UsageError } from '../model/errors.js';
import { onTerminationSignal } from '../debug/process.js';
import { createAppContext, jobHandler } from '../github/app-context.js';
import { readAppSettings, takeSecrets } from '../github/settings.js';
import { openQueue, queueSettingsFrom } from '../queue/index.js';
import { checkPrivateKey, logLine } from './serve.js';

const HELP = `usage: rubberduck worker [--concurrency N]

Take the GitHub bot's jobs from Redis (queued by 'rubberduck serve' with the same REDIS_URL).

environment:
  REDIS_URL                 the Redis the server queues on                (required)
  APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH   the GitHub App's credentials  (required)
  GITHUB_API_URL            as for rubberduck serve
  RUBBERDUCK_QUEUE_LOCK_MS  how long a job's lock lasts; a dead worker's job is retried after it (default 30000)

options:
  --concurrency N   jobs at once in this process (default RUBBERDUCK_CONCURRENCY or 2)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('worker', {
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, concurrency: { type: 'string', short: 'c' } },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const env = takeSecrets(process.env);
  if (!env.REDIS_URL) throw new UsageError("REDIS_URL is not set: workers take jobs from Redis (without Redis, 'rubberduck serve' runs the jobs itself)", 'worker');
  const { settings } = readAppSettings(env, 'worker', false);
  checkPrivateKey(settings.privateKey);
  let concurrency = settings.concurrency;
  if (values.concurrency !== undefined) {
    if (!/^\d+$/.test(values.concurrency) || Number(values.concurrency) < 1 || Number(values.concurrency) > 64) throw new UsageError('expects a whole number from 1 to 64', `--concurrency ${values.concurrency}`);
    concurrency = Number(values.concurrency);
  }
  const log = logLine('worker');
  const queue = await openQueue(queueSettingsFrom(env));
  const { context } = createAppContext({ settings, env, queue, log });
  await queue.work(jobHandler(context), { concurrency, log });
  log(`ready (pid ${process.pid}, ${concurrency} at a time, API ${settings.apiUrl})`);
  onTerminationSignal((signal) => log(`${signal}: stopping; a job left unfinished is taken over by another worker`));
  return new Promise<number>(() => undefined);
}
