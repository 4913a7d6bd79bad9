/**
 * `rubberduck action`: the GitHub Action's entry point. Reads the event GitHub Actions wrote
 * (GITHUB_EVENT_PATH / GITHUB_EVENT_NAME), reviews the pull request with GITHUB_TOKEN (or answers
 * `/rubberduck fix` on the runner), and writes the result to GITHUB_STEP_SUMMARY when set. A
 * fork's read-only token ends with the result in the job summary, not with a crash.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandArgs } from './args.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from '../model/errors.js';
import { SeveritySchema, type Severity } from '../model/finding.js';
import { version } from '../model/version.js';
import { createLlmClient } from '../llm/client.js';
import { describeOutcome, runJob, type BotContext, type JobOutcome } from '../github/bot.js';
import { routeEvent } from '../github/events.js';
import { PermanentJobError } from '../github/jobs.js';
import { pacingFrom, tokenOctokit } from '../github/octokit.js';
import { apiUrlFrom, CHECK_NAME, secretNamesIn, takeSecrets } from '../github/settings.js';

const HELP = `usage: rubberduck action [--fail-on error|warning|info]

Inside a GitHub Actions job: review the event's pull request (pull_request, pull_request_target)
or answer a '/rubberduck fix' comment (issue_comment). See action.yml and the README.

environment (set by GitHub Actions):
  GITHUB_EVENT_PATH, GITHUB_EVENT_NAME, GITHUB_REPOSITORY, GITHUB_TOKEN (required)
  GITHUB_API_URL (default https://api.github.com), GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE
  INPUT_FAIL-ON   as --fail-on (action.yml's input)

options:
  --fail-on SEV   the check fails (and so does the step) at or above SEV (default: the repository's bot.failOn, else error)

exit: 0 clean, 1 findings at or above --fail-on (or not fixed), 2 unusable input`;

type Env = Record<string, string | undefined>;

function input(env: Env, name: string): string | undefined {
  // GitHub Actions passes `with:` inputs as INPUT_<NAME> (upper case, spaces → _; dashes kept).
  const value = env[`INPUT_${name.toUpperCase()}`] ?? env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`];
  return value === undefined || value === '' ? undefined : value;
}

function readEvent(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the event file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, `GITHUB_EVENT_PATH=${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError('the event file is not JSON', `GITHUB_EVENT_PATH=${path}`);
  }
}

function exitCodeOf(outcome: JobOutcome): number {
  if (outcome.kind === 'review') {
    if (outcome.status === 'config-error') return EXIT_USAGE;
    if (outcome.status !== 'published') return EXIT_OK;
    return outcome.plan.conclusion === 'failure' ? EXIT_FINDINGS : EXIT_OK;
  }
  return outcome.status === 'not-fixed' ? EXIT_FINDINGS : outcome.status === 'error' ? EXIT_USAGE : EXIT_OK;
}

function stepSummaryOf(outcome: JobOutcome): string | undefined {
  if (outcome.kind === 'review') {
    if (outcome.status === 'published') return outcome.result.summary;
    if (outcome.status === 'config-error') return outcome.summary;
    return `Rubberduck: ${describeOutcome(outcome)}\n`;
  }
  const report = outcome.report;
  const head = `## 🦆 Rubberduck fix: ${outcome.status}\n`;
  if (!report) return `${head}\n${outcome.detail ?? ''}\n`;
  return `${head}\n${report.patch ? `\`\`\`diff\n${report.patch}\n\`\`\`\n\n` : ''}${report.explanation}\n`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs('action', {
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, 'fail-on': { type: 'string' } },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const env = takeSecrets(process.env);
  let failOn: Severity | undefined;
  const rawFailOn = values['fail-on'] ?? input(env, 'fail-on');
  if (rawFailOn !== undefined) {
    const parsed = SeveritySchema.safeParse(rawFailOn);
    if (!parsed.success) throw new UsageError('unknown severity (use error, warning or info)', `--fail-on ${rawFailOn}`);
    failOn = parsed.data;
  }
  const token = env.GITHUB_TOKEN || input(env, 'github-token');
  const missing = ['GITHUB_EVENT_PATH', 'GITHUB_EVENT_NAME', 'GITHUB_REPOSITORY'].filter((name) => !env[name]);
  if (!token) missing.push('GITHUB_TOKEN');
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')} (run inside GitHub Actions, or set them)`, 'action');
  const apiUrl = apiUrlFrom(env);
  const log = (line: string) => process.stderr.write(`rubberduck action: ${line}\n`);
  const octokit = tokenOctokit(token!, { apiUrl, log, pacing: pacingFrom(env) });
  const workspace = env.GITHUB_WORKSPACE;
  const context: BotContext = {
    mode: 'action',
    checkName: CHECK_NAME,
    version,
    ...(failOn ? { failOn } : {}),
    ...(workspace && existsSync(join(workspace, '.git')) ? { checkout: workspace } : {}),
    octokitFor: async () => octokit,
    botLogin: async () => env.RUBBERDUCK_BOT_LOGIN || 'github-actions[bot]',
    llmFor: (config) => createLlmClient({ env, config, log: (m) => log(`model: ${m}`) }),
    once: async () => true,
    secretNames: secretNamesIn(env),
    log,
  };

  const name = env.GITHUB_EVENT_NAME!;
  const routed = routeEvent(name === 'pull_request_target' ? 'pull_request' : name, readEvent(env.GITHUB_EVENT_PATH!), env.GITHUB_RUN_ID ?? 'action');
  if ('skip' in routed) {
    log(routed.skip);
    return EXIT_OK;
  }
  let outcome: JobOutcome;
  try {
    outcome = await runJob(routed.job, context);
  } catch (error) {
    if (error instanceof PermanentJobError) throw new UsageError(error.message.replace(/^[^:]+: /, ''), `${routed.job.owner}/${routed.job.repo}#${routed.job.number}`);
    throw error;
  }
  log(describeOutcome(outcome));
  const summary = stepSummaryOf(outcome);
  if (summary && env.GITHUB_STEP_SUMMARY) {
    try {
      appendFileSync(env.GITHUB_STEP_SUMMARY, summary.endsWith('\n') ? summary : `${summary}\n`);
    } catch (error) {
      log(`cannot write GITHUB_STEP_SUMMARY (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (outcome.kind === 'review' && outcome.status === 'published' && outcome.result.readOnly) {
    // No check run could be written: the findings go to the log too, so the run shows them.
    process.stdout.write(outcome.result.summary);
  }
  return exitCodeOf(outcome);
}
