import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { UsageError } from '../model/errors.js';
import { parsePackList } from '../rules/registry.js';
import type { Pack } from '../rules/types.js';
import { parseCommandArgs } from './args.js';

export const TRIAGE_USAGE = `usage: rubberduck triage ARCHIVE|- [options]

Triage a mailing list's archive: series, verdicts, reply drafts, patchwork checks, a dashboard.

archive:
  ARCHIVE             an mbox (mboxo or mboxrd), a Maildir (cur/, new/), a public-inbox git
                      archive (a repository whose commits add the file m, or a v2 inbox folder
                      with git/0.git, …); - reads an mbox from stdin

options:
  --since DATE        only messages dated at or after DATE (2025-06-01, 2025-06-01T08:00Z, 7d, 12h)
  --until DATE        only messages dated at or before DATE
  --limit N           only the newest N messages
  --db FILE           the history (SQLite; default: $XDG_STATE_HOME/rubberduck/triage.sqlite)
  --format FMT        table (default) or json (the TriageReport schema)
  --output FILE       write the table or JSON to FILE instead of stdout
  --replies DIR       write one reply draft (.eml) per series that needs changes
  --smtp URL          send those drafts (smtp://user:pass@host:port); off by default
  --dry-run           with --smtp: say what would be sent, send nothing
  --patchwork URL     post one check per patch to this patchwork (REST API)
  --token T           the patchwork API token (or PATCHWORK_TOKEN)
  --html DIR          write a static dashboard (index.html, a page per series)
  --html-url URL      where that dashboard is published (links in the patchwork checks)
  --config FILE       configuration file (default: .rubberduck.json in the current directory)
  --rules PACKS       force these packs: kernel,netdev,series,generic
  --window N          messages an incomplete series waits for its missing members (default 500)
  --offline           no LLM reviewer even when a model is configured
  --max-llm-calls N   at most N model calls
  --max-tokens N      at most N prompt+completion tokens
  --progress          progress on stderr even when it is not a terminal
  -h, --help          this help

exit status: 0 no series needs changes, 1 some series need changes, 2 unusable input`;

export interface TriageArgs {
  input: string;
  since?: Date;
  until?: Date;
  limit?: number;
  db?: string;
  format: 'table' | 'json';
  output?: string;
  replies?: string;
  smtp?: string;
  dryRun: boolean;
  patchwork?: string;
  token?: string;
  html?: string;
  htmlUrl?: string;
  config?: string;
  packs?: Pack[];
  window?: number;
  offline: boolean;
  maxLlmCalls?: number;
  maxTokens?: number;
  progress: boolean;
  help: boolean;
}

/** `2025-06-01`, an ISO date-time, or `7d` / `12h` / `30m` ago. */
export function parseWhen(text: string, option: string, now = new Date()): Date {
  const relative = /^(\d+)\s*([dhm])$/.exec(text.trim());
  if (relative) {
    const ms = Number(relative[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - ms);
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError('not a date (use 2025-06-01, an ISO date-time, or 7d, 12h)', `${option} ${text}`);
  return date;
}

function count(raw: string | undefined, option: string, min = 0): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`expects a whole number${min > 0 ? ` of at least ${min}` : ''}`, `${option} ${raw}`);
  return Number(raw);
}

export function parseTriageArgs(argv: string[], cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): TriageArgs {
  const { values, positionals } = parseCommandArgs('triage', {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
      db: { type: 'string' },
      format: { type: 'string', default: 'table' },
      output: { type: 'string', short: 'o' },
      replies: { type: 'string' },
      smtp: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      patchwork: { type: 'string' },
      token: { type: 'string' },
      html: { type: 'string' },
      'html-url': { type: 'string' },
      config: { type: 'string' },
      rules: { type: 'string' },
      window: { type: 'string' },
      offline: { type: 'boolean', default: false },
      'max-llm-calls': { type: 'string' },
      'max-tokens': { type: 'string' },
      progress: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const args: TriageArgs = { input: '', format: 'table', dryRun: Boolean(values['dry-run']), offline: Boolean(values.offline), progress: Boolean(values.progress), help: Boolean(values.help) };
  if (args.help) return args;
  if (positionals.length === 0) throw new UsageError(`no archive given: an mbox, a Maildir, a public-inbox repository, or - for stdin (try 'rubberduck triage --help')`, 'triage');
  if (positionals.length > 1) throw new UsageError('one archive at a time', positionals[1]!);
  args.input = positionals[0]!;
  if (args.input !== '-' && !existsSync(resolve(cwd, args.input))) throw new UsageError('no such file or directory', args.input);
  if (values.format !== 'table' && values.format !== 'json') throw new UsageError('unknown format (use table or json)', `--format ${values.format}`);
  args.format = values.format;
  if (values.since !== undefined) args.since = parseWhen(values.since, '--since');
  if (values.until !== undefined) args.until = parseWhen(values.until, '--until');
  if (args.since && args.until && args.since > args.until) throw new UsageError('--since is after --until', `--since ${values.since}`);
  const limit = count(values.limit, '--limit', 1);
  if (limit !== undefined) args.limit = limit;
  const window = count(values.window, '--window', 1);
  if (window !== undefined) args.window = window;
  const maxLlmCalls = count(values['max-llm-calls'], '--max-llm-calls');
  if (maxLlmCalls !== undefined) args.maxLlmCalls = maxLlmCalls;
  const maxTokens = count(values['max-tokens'], '--max-tokens');
  if (maxTokens !== undefined) args.maxTokens = maxTokens;
  for (const key of ['db', 'output', 'replies', 'smtp', 'patchwork', 'html', 'config'] as const) if (values[key] !== undefined) args[key] = values[key];
  if (values['html-url'] !== undefined) args.htmlUrl = values['html-url'];
  const token = values.token ?? env.PATCHWORK_TOKEN;
  if (token !== undefined && token !== '') args.token = token;
  if (args.patchwork !== undefined && args.token === undefined) throw new UsageError('needs --token T (or PATCHWORK_TOKEN) to post checks', `--patchwork ${args.patchwork}`);
  if (args.dryRun && args.smtp === undefined) throw new UsageError('only goes with --smtp URL', '--dry-run');
  if (args.replies !== undefined && existsSync(resolve(cwd, args.replies)) && !statSync(resolve(cwd, args.replies)).isDirectory()) throw new UsageError('is a file, not a directory', `--replies ${args.replies}`);
  if (values.rules !== undefined) {
    const { packs, unknown } = parsePackList(values.rules);
    if (unknown.length > 0) throw new UsageError(`unknown pack "${unknown[0]}" (use kernel, netdev, series, generic)`, `--rules ${values.rules}`);
    if (packs.length === 0) throw new UsageError('no pack given', '--rules');
    args.packs = packs;
  }
  return args;
}

/** A progress line (a bar when the total is known) on stderr. */
function progressPrinter(force: boolean): { update(done: number, total: number | undefined, unit: string, messages: number, series: number): void; end(): void } {
  const stream = process.stderr;
  const tty = Boolean(stream.isTTY);
  if (!tty && !force) return { update() {}, end() {} };
  let last = 0;
  return {
    update(done, total, unit, messages, series) {
      const now = Date.now();
      if (now - last < (tty ? 100 : 1000)) return;
      last = now;
      const counts = `${messages.toLocaleString('en-US')} messages, ${series.toLocaleString('en-US')} series`;
      let text = counts;
      if (total) {
        const ratio = Math.min(1, done / total);
        const width = 24;
        text = `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '-')}] ${String(Math.round(ratio * 100)).padStart(3)}% ${counts}`;
      } else if (unit === 'bytes') text = `${(done / 1e6).toFixed(1)} MB, ${counts}`;
      stream.write(tty ? `\r\x1b[2Krubberduck: ${text}` : `rubberduck: ${text}\n`);
    },
    end() {
      if (tty) stream.write('\r\x1b[2K');
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  const args = parseTriageArgs(argv, cwd);
  if (args.help) {
    process.stdout.write(`${TRIAGE_USAGE}\n`);
    return 0;
  }
  const config = await loadConfig({ cwd, ...(args.config !== undefined ? { file: args.config } : {}) });
  const [{ runTriage }, { defaultDatabasePath }, { jsonChunks, renderTable }, outputs, { createLlmClient }] = await Promise.all([
    import('../mail/triage.js'),
    import('../mail/history.js'),
    import('../mail/table.js'),
    import('../mail/outputs.js'),
    import('../llm/client.js'),
  ]);
  const llm = args.offline ? null : createLlmClient({ config, budget: { maxCalls: args.maxLlmCalls, maxTokens: args.maxTokens } });
  const progress = progressPrinter(args.progress);
  const filter = { ...(args.since ? { since: args.since } : {}), ...(args.until ? { until: args.until } : {}), ...(args.limit !== undefined ? { limit: args.limit } : {}) };
  const { report, drafts } = await runTriage(
    {
      input: args.input === '-' ? '-' : args.input,
      ...(args.input === '-' ? { stdin: process.stdin } : {}),
      filter,
      db: args.db ?? defaultDatabasePath(),
      config,
      llm,
      ...(args.packs ? { packs: args.packs } : {}),
      ...(args.window !== undefined ? { window: args.window } : {}),
    },
    (event) => {
      if (event.type === 'progress') progress.update(event.done, event.total, event.unit, event.messages, event.series);
      else {
        progress.end();
        process.stderr.write(`rubberduck: ${args.input}: message ${event.index + 1} skipped (${event.reason})\n`);
      }
    },
  );
  progress.end();

  // The report first, then the files, then what talks to servers: a server that cannot be
  // reached fails last, with everything else already written.
  const chunks = args.format === 'json' ? jsonChunks(report) : [renderTable(report, process.stdout.columns || 120)];
  if (args.output !== undefined) {
    let fd: number | undefined;
    try {
      fd = openSync(resolve(cwd, args.output), 'w');
      for (const chunk of chunks) writeSync(fd, chunk);
    } catch (error) {
      throw new UsageError(`cannot write the report (${(error as NodeJS.ErrnoException).code ?? 'error'})`, args.output);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  } else for (const chunk of chunks) process.stdout.write(chunk);
  const say = (line: string) => process.stderr.write(`rubberduck: ${line}\n`);
  if (args.html !== undefined) say(`dashboard written to ${outputs.writeDashboard(resolve(cwd, args.html), report)}`);
  if (args.replies !== undefined) {
    const written = outputs.writeDrafts(resolve(cwd, args.replies), report, drafts);
    say(`${written.length} reply draft${written.length === 1 ? '' : 's'} written to ${args.replies}`);
  }
  if (args.patchwork !== undefined) {
    const { PatchworkClient } = await import('../mail/patchwork.js');
    const result = await new PatchworkClient(args.patchwork, args.token!).postChecks(outputs.patchChecks(report, args.htmlUrl));
    say(`patchwork: ${result.posted} check${result.posted === 1 ? '' : 's'} posted${result.unknown.length ? `, ${result.unknown.length} patches unknown to it` : ''}${result.failed.length ? `, ${result.failed.length} refused (${result.failed[0]!.error})` : ''}`);
  }
  if (args.smtp !== undefined) {
    const { sendDrafts, redact } = await import('../mail/smtp.js');
    const list = report.series.flatMap((s) => (drafts.has(s.id) ? [drafts.get(s.id)!] : []));
    const result = await sendDrafts(args.smtp, list, { from: config.reviewer.email, dryRun: args.dryRun, log: say });
    if (!args.dryRun) say(`smtp: ${result.sent.length} sent through ${redact(args.smtp)}${result.failed.length ? `, ${result.failed.length} refused (${result.failed[0]!.error})` : ''}`);
  }
  return report.totals.changesRequested > 0 ? 1 : 0;
}
