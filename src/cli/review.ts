import { closeSync, existsSync, openSync, realpathSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { ReviewEvent } from '../graphs/review/run.js';
import { applyFixes } from '../model/apply-fixes.js';
import type { ChangeSet, Patch } from '../model/changeset.js';
import { SeveritySchema, type Finding, type ReviewReport, type Severity } from '../model/finding.js';
import { renderPatchEmail } from '../model/render-patch.js';
import { emailReplyList, mboxrdEntry } from '../report/email.js';
import { failsAt, renderReport, REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { renderText, renderTextPatches, renderTextSummary } from '../report/text.js';
import { allRules, parsePackList } from '../rules/registry.js';
import type { Pack } from '../rules/types.js';
import { createProgress, type Progress } from '../util/progress.js';
import { parseCommandArgs } from './args.js';
import { UsageError } from '../model/errors.js';

export const REVIEW_USAGE = `usage: rubberduck review [INPUT…|-] [--repo DIR] [RANGE] [options]

Review patches against the kernel, netdev, series and generic rules.

inputs:
  INPUT               a .patch/.diff, a patch email (.eml), an mbox; - reads stdin
  RANGE               a git range (A..B, HEAD~3..) in --repo DIR or the current repository

options:
  --repo DIR          the repository (for a RANGE, Fixes: checks, and its .rubberduck.json)
  --format FMT        text (default, checkpatch-like), json, sarif, markdown, email (replies)
  --fail-on SEV       exit 1 when a finding is at or above SEV: error (default), warning, info
  --rules PACKS       force these packs, comma-separated: kernel,netdev,series,generic
  --config FILE       configuration file (default: .rubberduck.json in --repo, then in .)
  --output FILE       write the report to FILE instead of stdout
  --fix OUT           write the patches with every mechanical fix applied to OUT (an mbox);
                      the input is never changed
  --offline           no LLM reviewer even when a model is configured
  --max-llm-calls N   at most N model calls
  --max-tokens N      at most N prompt+completion tokens
  --progress          progress on stderr even when it is not a terminal
  -h, --help          this help

exit status: 0 no finding at or above --fail-on, 1 findings, 2 unusable input`;

/** `A..B`, `A...B`, `HEAD~3..`, `..B`: what git would take as a range. */
export function looksLikeRange(text: string): boolean {
  return /^[^\s:]*[^.\s]?\.\.\.?[^\s]*$/.test(text) && /\.\./.test(text) && !/^\.\.\.?\/?$/.test(text) && !text.includes('/..') && !text.startsWith('../');
}

/** True when dir (or a parent) is a git work tree. */
export function isGitRepo(dir: string): boolean {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, '.git'))) return true;
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

export interface ReviewArgs {
  inputs: string[];
  range?: string;
  repo?: string;
  format: ReportFormat;
  failOn: Severity;
  packs?: Pack[];
  config?: string;
  output?: string;
  fix?: string;
  offline: boolean;
  maxLlmCalls?: number;
  maxTokens?: number;
  progress: boolean;
  help: boolean;
}

/** Parse and check `rubberduck review` arguments; problems are UsageErrors naming the argument. */
export function parseReviewArgs(argv: string[], cwd: string = process.cwd()): ReviewArgs {
  const parsed = parseCommandArgs('review', {
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      repo: { type: 'string' },
      format: { type: 'string', default: 'text' },
      'fail-on': { type: 'string', default: 'error' },
      rules: { type: 'string' },
      config: { type: 'string' },
      output: { type: 'string', short: 'o' },
      fix: { type: 'string' },
      offline: { type: 'boolean', default: false },
      'max-llm-calls': { type: 'string' },
      'max-tokens': { type: 'string' },
      progress: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const { values, positionals } = parsed;
  const args: ReviewArgs = {
    inputs: [],
    format: 'text',
    failOn: 'error',
    offline: Boolean(values.offline),
    progress: Boolean(values.progress),
    help: Boolean(values.help),
  };
  if (args.help) return args;

  const format = values.format ?? 'text';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format (use ${REPORT_FORMATS.join(', ')})`, `--format ${format}`);
  }
  args.format = format as ReportFormat;
  const failOn = SeveritySchema.safeParse(values['fail-on']);
  if (!failOn.success) throw new UsageError('unknown severity (use error, warning or info)', `--fail-on ${values['fail-on']}`);
  args.failOn = failOn.data;
  if (values.rules !== undefined) {
    const { packs, unknown } = parsePackList(values.rules);
    if (unknown.length > 0) throw new UsageError(`unknown pack "${unknown[0]}" (use kernel, netdev, series, generic)`, `--rules ${values.rules}`);
    if (packs.length === 0) throw new UsageError('no pack given', '--rules');
    args.packs = packs;
  }
  if (values.repo !== undefined) {
    const repo = resolve(cwd, values.repo);
    if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new UsageError('no such directory', values.repo);
    args.repo = values.repo;
  }
  if (values.config !== undefined) args.config = values.config;
  if (values.output !== undefined) args.output = values.output;
  if (values.fix !== undefined) args.fix = values.fix;
  const count = (name: 'max-llm-calls' | 'max-tokens'): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    if (!/^\d+$/.test(raw)) throw new UsageError('expects a whole number', `--${name} ${raw}`);
    return Number(raw);
  };
  const maxLlmCalls = count('max-llm-calls');
  const maxTokens = count('max-tokens');
  if (maxLlmCalls !== undefined) args.maxLlmCalls = maxLlmCalls;
  if (maxTokens !== undefined) args.maxTokens = maxTokens;

  let stdinSeen = false;
  for (const positional of positionals) {
    if (positional === '-') {
      if (stdinSeen) throw new UsageError('stdin given twice', '-');
      stdinSeen = true;
      args.inputs.push('-');
      continue;
    }
    if (existsSync(resolve(cwd, positional))) {
      args.inputs.push(positional);
      continue;
    }
    if (looksLikeRange(positional)) {
      const repo = args.repo ?? cwd;
      if (!isGitRepo(resolve(cwd, repo))) {
        throw new UsageError(`no such file, and no git repository for a range (use --repo DIR)`, positional);
      }
      if (args.range !== undefined) throw new UsageError(`only one range can be reviewed at a time (already ${args.range})`, positional);
      args.range = positional;
      continue;
    }
    throw new UsageError('no such file', positional);
  }
  if (args.inputs.length === 0 && args.range === undefined) {
    throw new UsageError(`nothing to review: give a patch file, a git range or - for stdin (try 'rubberduck review --help')`, 'review');
  }
  if (args.fix !== undefined) {
    // --fix never changes the input: writing the fixed patches over it would.
    const real = (path: string) => {
      const full = resolve(cwd, path);
      return existsSync(full) ? realpathSync(full) : full;
    };
    const out = real(args.fix);
    if (args.inputs.some((input) => input !== '-' && real(input) === out)) throw new UsageError('is an input; --fix writes the fixed patches to another file', args.fix);
  }
  return args;
}

/** A file or stdout, written as the review goes; a write error names the file. */
class Sink {
  private fd: number | undefined;
  constructor(
    private readonly path: string | undefined,
    private readonly name: string | undefined,
    private readonly what: string,
  ) {}

  write(text: string): void {
    if (text === '') return;
    if (this.path === undefined) {
      process.stdout.write(text);
      return;
    }
    try {
      this.fd ??= openSync(this.path, 'w');
      writeSync(this.fd, text);
    } catch (error) {
      throw new UsageError(`cannot write the ${this.what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, this.name);
    }
  }

  /** Opens (creates or truncates) the file now, so an unwritable one is refused before any work. */
  open(): this {
    this.touch();
    return this;
  }

  /** Creates the file even when nothing was written to it. */
  touch(): void {
    if (this.path === undefined || this.fd !== undefined) return;
    try {
      this.fd = openSync(this.path, 'w');
    } catch (error) {
      throw new UsageError(`cannot write the ${this.what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, this.name);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * How the report reaches the user as the review goes. `text` and `email` come out unit by unit
 * (a large mbox shows its first series' findings at once); the first unit is held back only
 * until a second one shows whether the report holds one patch or several, which the formats
 * write differently. The other formats describe the whole run and come out at the end.
 */
interface ReportWriter {
  unit(event: UnitEvent): void;
  end(report: ReviewReport): void;
  /** The run failed: write what is held back, so nothing already reviewed is lost. */
  flush(): void;
}

type UnitEvent = Extract<ReviewEvent, { type: 'unit' }>;

function textWriter(sink: Sink): ReportWriter {
  let held: UnitEvent | undefined;
  let several = false;
  const patches = (event: UnitEvent) => renderTextPatches(event.report, { changeset: event.changeset });
  const release = () => {
    if (held) sink.write(patches(held));
    held = undefined;
    several = true;
  };
  return {
    unit(event) {
      if (!several && !held && event.report.patches.length === 1) held = event;
      else {
        release();
        sink.write(patches(event));
      }
    },
    end(report) {
      if (several) sink.write(renderTextSummary(report));
      else sink.write(renderText(report, held ? { changeset: held.changeset } : {}));
    },
    flush: release,
  };
}

function emailWriter(sink: Sink, reviewer: { name: string; email: string }): ReportWriter {
  const now = new Date();
  let held: string | undefined;
  let several = false;
  const release = () => {
    if (held !== undefined) sink.write(mboxrdEntry(held, now));
    held = undefined;
  };
  return {
    unit(event) {
      for (const reply of emailReplyList(event.changeset, event.report.findings, { reviewer, now, version: event.report.version })) {
        if (!several && held === undefined) held = reply;
        else {
          release();
          several = true;
          sink.write(`\n${mboxrdEntry(reply, now)}`);
        }
      }
    },
    end() {
      if (held !== undefined) sink.write(held);
      else sink.touch();
    },
    flush: release,
  };
}

/** The formats that describe the run as a whole: rendered once, at the end. */
function wholeWriter(sink: Sink, format: ReportFormat, reviewer: { name: string; email: string }): ReportWriter {
  // SARIF names the file each patch came from; only the patches' sources are kept for it.
  const sources: Patch[] = [];
  return {
    unit(event) {
      if (format === 'sarif') for (const patch of event.changeset.patches) sources.push({ ...patch, files: [], message: '', notes: '', headers: {}, trailers: [] });
    },
    end(report) {
      const changeset: ChangeSet = { inputs: report.inputs, patches: sources, series: [] };
      sink.write(renderReport(format, report, { changeset, reviewer, rules: allRules }));
    },
    flush() {},
  };
}

/** `--fix OUT`: every patch with its mechanical fixes applied, written unit by unit as an mbox. */
function fixWriter(path: string, name: string): { unit(event: UnitEvent): void; end(): void } {
  const sink = new Sink(path, name, 'fixed patches').open();
  let applied = 0;
  const skipped: { finding: Finding; reason: string }[] = [];
  let first = true;
  return {
    unit(event) {
      event.changeset.patches.forEach((patch, index) => {
        const result = applyFixes(patch, event.report.findings.filter((f) => f.patch === index));
        applied += result.applied.length;
        skipped.push(...result.skipped);
        sink.write(`${first ? '' : '\n'}${renderPatchEmail(result.patch)}`);
        first = false;
      });
    },
    end() {
      sink.touch();
      sink.close();
      process.stderr.write(`rubberduck: ${name}: ${applied} fix${applied === 1 ? '' : 'es'} applied${skipped.length ? `, ${skipped.length} left out` : ''}\n`);
      for (const { finding, reason } of skipped) process.stderr.write(`  left out ${finding.rule}: ${reason}\n`);
    },
  };
}

function progressOf(progress: Progress): (event: ReviewEvent) => void {
  let patches = 0;
  let series = 0;
  return (event) => {
    if (event.type === 'start') progress.step('reading');
    else if (event.type === 'unit') {
      patches += event.report.patches.length;
      series += event.changeset.series.length;
      progress.step(`reviewed ${patches} patch${patches === 1 ? '' : 'es'} (${series} series)`);
    } else if (event.type === 'done') progress.done();
  };
}

export async function run(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  const args = parseReviewArgs(argv, cwd);
  if (args.help) {
    process.stdout.write(`${REVIEW_USAGE}\n`);
    return 0;
  }
  const config = await loadConfig({ cwd, ...(args.repo !== undefined ? { repo: args.repo } : {}), ...(args.config !== undefined ? { file: args.config } : {}) });
  const { runReview } = await import('../graphs/review/run.js');
  const { createLlmClient } = await import('../llm/client.js');
  const llm = args.offline ? null : createLlmClient({ config, budget: { maxCalls: args.maxLlmCalls, maxTokens: args.maxTokens } });

  const sink = new Sink(args.output !== undefined ? resolve(cwd, args.output) : undefined, args.output, 'report').open();
  const writer = args.format === 'text' ? textWriter(sink) : args.format === 'email' ? emailWriter(sink, config.reviewer) : wholeWriter(sink, args.format, config.reviewer);
  const fixes = args.fix !== undefined ? fixWriter(resolve(cwd, args.fix), args.fix) : undefined;
  const progress = progressOf(createProgress({ force: args.progress }));
  try {
    const report = await runReview(
      { kind: 'sources', inputs: args.inputs, ...(args.range !== undefined ? { range: args.range } : {}), ...(args.inputs.includes('-') ? { stdin: process.stdin } : {}) },
      { config, llm, ...(args.repo !== undefined ? { repo: resolve(cwd, args.repo) } : {}), ...(args.packs ? { packs: args.packs } : {}) },
      (event) => {
        progress(event);
        if (event.type !== 'unit') return;
        writer.unit(event);
        fixes?.unit(event);
      },
    );
    fixes?.end();
    writer.end(report);
    return failsAt(report.findings, args.failOn) ? 1 : 0;
  } catch (error) {
    writer.flush();
    throw error;
  } finally {
    sink.close();
  }
}
