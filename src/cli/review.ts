import { existsSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { applyFixes } from '../model/apply-fixes.js';
import type { ChangeSet } from '../model/changeset.js';
import { SeveritySchema, type Finding, type Severity } from '../model/finding.js';
import { renderPatchEmail } from '../model/render-patch.js';
import { REPORT_FORMATS, type ReportFormat } from '../report/index.js';
import { parsePackList } from '../rules/registry.js';
import type { Pack } from '../rules/types.js';
import { createProgress } from '../util/progress.js';
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

/** `--fix OUT`: every patch with its mechanical fixes applied, as an mbox; says on stderr what it did. */
function writeFixedPatches(path: string, name: string, changeset: ChangeSet, findings: Finding[]): void {
  let applied = 0;
  let skipped = 0;
  const skippedFixes: { finding: Finding; reason: string }[] = [];
  const messages = changeset.patches.map((patch, index) => {
    const result = applyFixes(patch, findings.filter((f) => f.patch === index));
    applied += result.applied.length;
    skipped += result.skipped.length;
    skippedFixes.push(...result.skipped);
    return renderPatchEmail(result.patch);
  });
  try {
    writeFileSync(path, messages.join('\n'));
  } catch (error) {
    throw new UsageError(`cannot write the fixed patches (${(error as NodeJS.ErrnoException).code ?? 'error'})`, name);
  }
  process.stderr.write(`rubberduck: ${name}: ${applied} fix${applied === 1 ? '' : 'es'} applied${skipped ? `, ${skipped} left out` : ''}\n`);
  for (const { finding, reason } of skippedFixes) process.stderr.write(`  left out ${finding.rule}: ${reason}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const cwd = process.cwd();
  const args = parseReviewArgs(argv, cwd);
  if (args.help) {
    process.stdout.write(`${REVIEW_USAGE}\n`);
    return 0;
  }
  const config = await loadConfig({ cwd, ...(args.repo !== undefined ? { repo: args.repo } : {}), ...(args.config !== undefined ? { file: args.config } : {}) });
  const progress = createProgress({ force: args.progress });
  // The graph (and LangGraph with it) loads only once the arguments are known to be usable.
  const { runReview } = await import('../graphs/review/index.js');
  const { createLlmClient } = await import('../llm/client.js');
  const result = await runReview({
    inputs: args.inputs,
    ...(args.repo !== undefined ? { repo: resolve(cwd, args.repo) } : {}),
    ...(args.range !== undefined ? { range: args.range } : {}),
    ...(args.inputs.includes('-') ? { stdin: process.stdin } : {}),
    ...(args.packs ? { packs: args.packs } : {}),
    config,
    format: args.format,
    failOn: args.failOn,
    llm: args.offline ? null : createLlmClient({ config, budget: { maxCalls: args.maxLlmCalls, maxTokens: args.maxTokens } }),
    progress,
  });
  if (args.fix !== undefined) writeFixedPatches(resolve(cwd, args.fix), args.fix, result.changeset, result.report.findings);
  if (args.output !== undefined) {
    try {
      writeFileSync(resolve(cwd, args.output), result.output);
    } catch (error) {
      throw new UsageError(`cannot write the report (${(error as NodeJS.ErrnoException).code ?? 'error'})`, args.output);
    }
  } else process.stdout.write(result.output);
  return result.exitCode;
}
