import type { FixReport } from '../model/fix-report.js';
import { UsageError } from '../model/errors.js';
import { parseDiff } from '../parse/index.js';
import type { BotContext } from './bot.js';
import { checkoutHead } from './checkout.js';
import { fixRunKey, PermanentJobError, prName, type FixJob } from './jobs.js';
import { FIX_MARKER } from './markers.js';
import { messageOf, statusOf, type GitHub } from './octokit.js';
import { buildPullDiff, DiffLines, type Anchor, type PullFile } from './pr-diff.js';
import { loadRepoConfig } from './repo-config.js';
import { readPull } from './review-job.js';
import { debugCheckout } from './run-jobs.js';

export interface FixOutcome {
  status: 'fixed' | 'not-fixed' | 'refused' | 'disabled' | 'no-test' | 'already-ran' | 'error';
  detail?: string;
  report?: FixReport;
  /** Suggestions posted inline / hunks left in the comment body. */
  suggestions?: number;
  leftInBody?: number;
}

/** Permissions that may run a PR's code on the bot's machine. */
const ALLOWED = new Set(['admin', 'write', 'maintain']);

export interface SuggestionHunk {
  anchor: Anchor;
  lines: string[];
}

/**
 * A validated patch (relative to the PR head) as suggestion blocks on the PR's new side: each run
 * of changed lines replaces the head's lines it deletes (an insertion is anchored on the line
 * above and repeats it). Runs that fall outside the PR's diff come back as `outside` and go into
 * the comment body as a diff.
 */
export function patchToSuggestions(patch: string, lines: DiffLines): { inline: SuggestionHunk[]; outside: string[] } {
  const inline: SuggestionHunk[] = [];
  const outside: string[] = [];
  const parsed = parseDiff(patch);
  for (const file of parsed.files) {
    const path = file.newPath ?? file.oldPath;
    if (!path) continue;
    for (const hunk of file.hunks) {
      let i = 0;
      const body = hunk.lines;
      while (i < body.length) {
        if (body[i]!.kind === 'ctx') {
          i++;
          continue;
        }
        const start = i;
        const dels: number[] = [];
        const adds: string[] = [];
        while (i < body.length && body[i]!.kind !== 'ctx') {
          const line = body[i]!;
          if (line.kind === 'del' && line.oldLine !== undefined) dels.push(line.oldLine);
          if (line.kind === 'add') adds.push(line.text);
          i++;
        }
        let anchor: Anchor | undefined;
        let replacement = adds;
        if (dels.length > 0) {
          const first = dels[0]!;
          const last = dels[dels.length - 1]!;
          anchor = lines.anchor(path, last, 'RIGHT', first < last ? first : undefined);
        } else {
          // A pure insertion: suggest "the line above, then the new lines".
          const above = start > 0 ? body[start - 1] : undefined;
          const aboveLine = above?.oldLine;
          const aboveText = aboveLine !== undefined ? lines.text(path, aboveLine) : undefined;
          if (aboveLine !== undefined && aboveText !== undefined) {
            anchor = { path, line: aboveLine, side: 'RIGHT' };
            replacement = [aboveText, ...adds];
          }
        }
        if (anchor) inline.push({ anchor, lines: replacement });
        else outside.push(`${path}: ${body.slice(start, i).map((l) => `${l.kind === 'add' ? '+' : '-'}${l.text}`).join('\n')}`);
      }
    }
  }
  return { inline, outside };
}

function fence(text: string): string {
  let n = 3;
  for (const run of text.match(/`+/g) ?? []) n = Math.max(n, run.length + 1);
  return '`'.repeat(n);
}

async function react(octokit: GitHub, job: FixJob, content: 'eyes' | 'rocket' | 'confused', ctx: BotContext): Promise<void> {
  try {
    await octokit.rest.reactions.createForIssueComment({ owner: job.owner, repo: job.repo, comment_id: job.commentId, content });
  } catch (error) {
    ctx.log(`${prName(job)}: could not add the ${content} reaction: ${messageOf(error)}`);
  }
}

async function reply(octokit: GitHub, job: FixJob, body: string): Promise<void> {
  await octokit.rest.issues.createComment({ owner: job.owner, repo: job.repo, issue_number: job.number, body: `${FIX_MARKER}\n${body}` });
}

/** `/rubberduck fix`: check the commenter may run code, run the debugger on the PR head, post the result. */
export async function runFixJob(job: FixJob, ctx: BotContext, signal?: AbortSignal): Promise<FixOutcome> {
  const octokit = await ctx.octokitFor(job);
  const where = prName(job);
  await react(octokit, job, 'eyes', ctx);

  let permission = 'none';
  try {
    const answer = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: job.owner, repo: job.repo, username: job.commenter });
    permission = (answer.data as { role_name?: string }).role_name === 'maintain' ? 'maintain' : answer.data.permission;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  if (!ALLOWED.has(permission)) {
    await reply(octokit, job, `@${job.commenter}, thanks — \`/rubberduck fix\` runs this pull request's tests, so it can only be started by someone with write access to the repository (your permission: ${permission}). A maintainer can ask for it.`);
    return { status: 'refused', detail: `${job.commenter} has ${permission}` };
  }

  const pull = await readPull(octokit, job);
  let config;
  try {
    config = (await loadRepoConfig(octokit, job.owner, job.repo, pull.base.repo.default_branch)).config;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    await reply(octokit, job, `Rubberduck could not read its configuration on the default branch: ${error.oneLine().replace(/^rubberduck: /, '')}`);
    await react(octokit, job, 'confused', ctx);
    return { status: 'error', detail: error.message };
  }
  if (ctx.mode === 'serve' && !config.bot.fix) {
    await reply(octokit, job, '`/rubberduck fix` is off for this repository: it runs the pull request\'s code on the bot\'s machine. A maintainer can turn it on with `bot: { fix: true, test: "…" }` in `.github/rubberduck.yml` (or `.rubberduck.json`) on the default branch.');
    await react(octokit, job, 'confused', ctx);
    return { status: 'disabled' };
  }
  const test = config.bot.test;
  if (!test) {
    await reply(octokit, job, 'No test command is configured: set `bot.test` (for example `python3 -m pytest -q`) in `.github/rubberduck.yml` or `.rubberduck.json` on the default branch.');
    await react(octokit, job, 'confused', ctx);
    return { status: 'no-test' };
  }
  if (!(await ctx.once(fixRunKey(job, pull.head.sha)))) {
    await reply(octokit, job, `\`/rubberduck fix\` already ran on \`${pull.head.sha.slice(0, 12)}\`; push a new commit to run it again.`);
    return { status: 'already-ran' };
  }

  const checkout = await checkoutHead(octokit, job.owner, job.repo, pull.head.sha);
  let report: FixReport;
  try {
    // The wall-clock limit: the graph's own budget, and an abort a little after it in case a step overruns.
    const limit = AbortSignal.timeout((config.bot.fixMaxSeconds + 30) * 1000);
    report = await debugCheckout({
      dir: checkout.dir,
      test,
      maxSeconds: config.bot.fixMaxSeconds,
      testTimeoutSeconds: Math.min(ctx.fixTestTimeoutSeconds ?? 30, config.bot.fixMaxSeconds / 3),
      llm: ctx.llmFor(config),
      removeFromTestEnv: ctx.secretNames,
      signal: signal ? AbortSignal.any([signal, limit]) : limit,
      onProgress: (line) => ctx.log(`${where} fix ${line}`),
    });
  } catch (error) {
    const timedOut = (error as { name?: string } | null)?.name === 'TimeoutError';
    const message = error instanceof UsageError ? error.oneLine().replace(/^rubberduck: /, '') : timedOut ? `stopped at the wall-clock limit (${config.bot.fixMaxSeconds} s)` : messageOf(error);
    await reply(octokit, job, `Rubberduck could not run \`${test}\` on \`${pull.head.sha.slice(0, 12)}\`: ${message}`);
    await react(octokit, job, 'confused', ctx);
    if (error instanceof UsageError || timedOut) return { status: 'error', detail: message };
    throw new PermanentJobError(`${where}: fix failed: ${message}`);
  } finally {
    await checkout.dispose();
  }

  if (report.outcome !== 'fixed') {
    const why =
      report.outcome === 'no-failing-test'
        ? `\`${test}\` passes on \`${pull.head.sha.slice(0, 12)}\` (${report.tests.before.passed} passed): nothing to fix.`
        : report.outcome === 'error'
          ? `The debugger stopped on \`${pull.head.sha.slice(0, 12)}\`: ${report.error ?? 'unknown error'} (${report.candidates?.tried ?? 0} candidate(s) tried).`
          : `No patch passed the tests on \`${pull.head.sha.slice(0, 12)}\` (${report.candidates?.tried ?? 0} candidate(s) tried in ${report.seconds} s).`;
    await reply(octokit, job, `### 🦆 Rubberduck fix: not fixed\n\n${why}\n\n${report.explanation}`);
    await react(octokit, job, 'confused', ctx);
    return { status: 'not-fixed', report };
  }

  const files = (await octokit.paginate(octokit.rest.pulls.listFiles, { owner: job.owner, repo: job.repo, pull_number: job.number, per_page: 100 })) as PullFile[];
  const diff = await buildPullDiff(files, { name: where });
  const lines = new DiffLines(diff.changeset.patches[0]?.files ?? []);
  const { inline, outside } = patchToSuggestions(report.patch, lines);
  const header = `${FIX_MARKER}\n### 🦆 Rubberduck fix: validated\n\n\`${test}\` on \`${pull.head.sha.slice(0, 12)}\`: ${report.tests.before.failed} failing → ${report.tests.after.failed} failing, ${report.tests.after.passed} passing (${report.seconds} s).`;
  const patchBlock = (text: string) => `${fence(text)}diff\n${text.endsWith('\n') ? text : `${text}\n`}${fence(text)}`;
  const bodyWith = (leftovers: boolean) =>
    [header, inline.length > 0 && !leftovers ? 'The change is in the suggestions below.' : `The whole patch:\n\n${patchBlock(report.patch)}`, report.explanation].join('\n\n');
  const comments = inline.map((s) => ({
    path: s.anchor.path,
    line: s.anchor.line,
    side: s.anchor.side,
    ...(s.anchor.startLine !== undefined ? { start_line: s.anchor.startLine, start_side: s.anchor.side } : {}),
    body: `Validated by \`${test}\`:\n\n${fence(s.lines.join('\n'))}suggestion\n${s.lines.map((l) => `${l}\n`).join('')}${fence(s.lines.join('\n'))}`,
  }));
  let suggestions = comments.length;
  try {
    await octokit.rest.pulls.createReview({ owner: job.owner, repo: job.repo, pull_number: job.number, commit_id: pull.head.sha, event: 'COMMENT', body: bodyWith(outside.length > 0), comments });
  } catch (error) {
    if (statusOf(error) !== 422 || comments.length === 0) throw error;
    // GitHub refused an anchor: the whole patch goes into the review body instead.
    ctx.log(`${where}: suggestions refused (422: ${messageOf(error)}); posting the patch in the body`);
    await octokit.rest.pulls.createReview({ owner: job.owner, repo: job.repo, pull_number: job.number, commit_id: pull.head.sha, event: 'COMMENT', body: bodyWith(true) });
    suggestions = 0;
  }
  await react(octokit, job, 'rocket', ctx);
  return { status: 'fixed', report, suggestions, leftInBody: suggestions === 0 ? inline.length + outside.length : outside.length };
}
