/**
 * checkpatch.pl and rubberduck side by side on the same patch emails: each message of every
 * input is written to its own file in a temp folder (so both tools number its lines the same
 * way), checkpatch runs on it with `--no-tree` from that folder (no git there), rubberduck's
 * engine runs with the kernel, netdev and generic packs (checkpatch takes every input for a
 * kernel patch), and the findings are compared row by row of src/rules/checkpatch.ts.
 *
 * Used by test/rules/checkpatch-agreement.test.ts and bench/checkpatch-agreement.ts.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { defaultConfig } from '../../src/config/schema.js';
import type { Patch } from '../../src/model/changeset.js';
import type { Finding } from '../../src/model/finding.js';
import { loadChangeSet } from '../../src/parse/load.js';
import { splitMbox } from '../../src/parse/mbox.js';
import { CHECKPATCH_MAPPINGS, type CheckpatchMapping, type KeptCase } from '../../src/rules/checkpatch.js';
import { runRules } from '../../src/rules/engine.js';
import { descriptionLines, messageLines, quotedLineSet } from '../../src/rules/kernel/util.js';
import { isB4RelayAddress } from '../../src/rules/lib/person.js';

const run = promisify(execFile);

/** The project root, from bench/checkpatch or from its build in dist/bench/checkpatch. */
export const REPO_ROOT = basename(resolve(import.meta.dirname, '..', '..')) === 'dist' ? resolve(import.meta.dirname, '..', '..', '..') : resolve(import.meta.dirname, '..', '..');
/** The pinned copy (outside the project; never copied into it). */
export const CHECKPATCH = resolve(REPO_ROOT, '..', 'shared', 'tools', 'checkpatch', 'checkpatch.pl');
export const CORPUS = resolve(REPO_ROOT, '..', 'shared', 'corpus');
export const FIXTURES = resolve(REPO_ROOT, 'fixtures', 'patches');

/**
 * checkpatch's options: no kernel tree; the 80 columns NIPA checks; the two data files the pinned
 * copy lacks (spelling.txt, const_structs.checkpatch) only feed TYPO_SPELLING and CONST_STRUCT,
 * which no rule of ours covers, so their notices on stderr are ignored.
 */
export const CHECKPATCH_ARGS = ['--no-tree', '--show-types', '--terse', '--no-summary', '--max-line-length=80', '--color=never'];

/** Why the comparison cannot run here, or undefined when it can. */
export function unavailable(): string | undefined {
  if (!existsSync(CHECKPATCH)) return `no checkpatch.pl at ${CHECKPATCH} (../shared is not there: a clean clone has no pinned copy)`;
  try {
    execFileSync('perl', ['-e', '1'], { stdio: 'ignore' });
  } catch {
    return 'perl is not installed';
  }
  return undefined;
}

export interface CheckpatchMessage {
  line: number;
  level: string;
  type: string;
  text: string;
}

function parseCheckpatch(stdout: string, byFile: Map<string, CheckpatchMessage[]>): void {
  for (const m of stdout.matchAll(/^([^:\n]+):(\d+): (ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)$/gm)) {
    byFile.get(m[1]!)?.push({ line: Number(m[2]), level: m[3]!, type: m[4]!, text: m[5]! });
  }
}

/**
 * checkpatch on several files in one run: each file is checked on its own, as if given alone,
 * except that the pinned copy reports CORRUPTED_PATCH once per run (its `$emitted_corrupt` is
 * never reset). So a run stops being trusted after the first file that reports it, and the
 * files after that one go to a new run. (One run per file would cost perl's start-up and the
 * script's compilation, ~0.15 s, every time.) Checked against one run per file on all 277
 * messages of the corpus and the fixtures: the same reports. Files are named relative to `cwd`.
 */
export async function runCheckpatch(files: readonly string[], cwd: string): Promise<Map<string, CheckpatchMessage[]>> {
  const byFile = new Map<string, CheckpatchMessage[]>();
  let rest = [...files];
  while (rest.length > 0) {
    const batch = new Map<string, CheckpatchMessage[]>(rest.map((f) => [f, []]));
    let stdout: string;
    try {
      ({ stdout } = await run('perl', [CHECKPATCH, ...CHECKPATCH_ARGS, ...rest], { cwd, maxBuffer: 256 << 20 }));
    } catch (error) {
      // checkpatch exits 1 when it reports anything.
      stdout = (error as { stdout?: string }).stdout ?? '';
    }
    parseCheckpatch(stdout, batch);
    const corrupt = rest.findIndex((f) => batch.get(f)!.some((m) => m.type === 'CORRUPTED_PATCH'));
    const trusted = corrupt < 0 ? rest.length : corrupt + 1;
    for (const f of rest.slice(0, trusted)) byFile.set(f, batch.get(f)!);
    rest = rest.slice(trusted);
  }
  return byFile;
}

/** Every patch file under the given folders (.eml, .mbox, .patch, .diff). */
export function patchFiles(roots: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(eml|mbox|patch|diff)$/.test(name)) files.push(path);
    }
  };
  for (const root of roots) if (existsSync(root)) walk(root);
  return files;
}

/** The messages of a file: an mbox (or format-patch file) split, anything else whole. */
function messagesOf(path: string): Buffer[] {
  const buf = readFileSync(path);
  if (!buf.subarray(0, 5).equals(Buffer.from('From '))) return [buf];
  return splitMbox(buf, { maxBytes: 1 << 30, inputName: path });
}

export interface Difference {
  /** `path#k` of the message. */
  message: string;
  mapping: CheckpatchMapping;
  /** Who reported it: checkpatch alone, or rubberduck alone. */
  only: 'checkpatch' | 'rubberduck';
  line?: number;
  detail: string;
  /** Our finding, for a difference only we report. */
  finding?: Finding;
  /** The kept-on-purpose case of the mapping row that explains it, if one does. */
  kept?: KeptCase;
}

export interface MessageResult {
  message: string;
  /** Why it was not compared (a cover letter, a reply, a pull request), when it was not. */
  skipped?: string;
  checkpatch: CheckpatchMessage[];
  rubberduck: Finding[];
  differences: Difference[];
}

/** Patch lines a finding covers: its own, and every line of a run its fix rewrites. */
function findingLines(finding: Finding, lineOf: (file: string, newLine: number) => number | undefined): number[] {
  const location = finding.location;
  const own = location.kind === 'diff' || location.kind === 'message' ? location.patchLine : undefined;
  const lines = own !== undefined ? [own] : [];
  const target = finding.fix?.target;
  if (target?.kind === 'diff' && location.kind === 'diff' && target.endLine > target.startLine) {
    for (let n = target.startLine; n <= target.endLine; n++) {
      const at = lineOf(target.file, n);
      if (at !== undefined && !lines.includes(at)) lines.push(at);
    }
  }
  return lines;
}

/** What the recognisers of kept cases look at. */
export interface MessageContext {
  /** The message as written (checkpatch's input). */
  raw: string;
  patch: Patch;
  lineOf: (file: string, newLine: number) => number | undefined;
}

function headerBlock(raw: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  return end < 0 ? raw : raw.slice(0, end);
}

/** The raw text of line `n` (1-based) of the message. */
function rawLine(ctx: MessageContext, n: number | undefined): string {
  return n === undefined ? '' : (ctx.raw.split('\n')[n - 1] ?? '').replace(/\r$/, '');
}

/** The diff file a patch line belongs to. */
function fileAt(ctx: MessageContext, n: number | undefined) {
  if (n === undefined) return undefined;
  return ctx.patch.files.find((f) => f.hunks.some((h) => h.patchLine <= n && h.lines.some((l) => l.patchLine >= n)) || f.patchLine === n);
}

/** Line n as a line of the commit message (1-based), if it is one. */
function messageLineAt(ctx: MessageContext, n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  const k = n - ctx.patch.messageStartLine + 1;
  return k >= 1 && k <= messageLines(ctx.patch).length ? k : undefined;
}

/** How each kept case is recognised on one difference. */
const RECOGNISE: Record<KeptCase, (d: Difference, ctx: MessageContext) => boolean> = {
  mime: (_d, ctx) => {
    const head = headerBlock(ctx.raw);
    return /^content-transfer-encoding:\s*(?:quoted-printable|base64)/im.test(head) || /^content-type:\s*(?:multipart\/|text\/html)/im.test(head) || /=\?[^?\s]+\?[bq]\?/i.test(head);
  },
  'crlf-transport': (d, ctx) => {
    const lines = ctx.raw.split('\n').slice(0, -1);
    return d.only === 'checkpatch' && lines.length > 0 && lines.every((l) => l.endsWith('\r'));
  },
  symlink: (d, ctx) => d.only === 'checkpatch' && fileAt(ctx, d.line)?.newMode === '120000',
  'existing-file': (d, ctx) => d.only === 'checkpatch' && fileAt(ctx, d.line)?.status !== 'added',
  'pasted-output': (d, ctx) => {
    const k = messageLineAt(ctx, d.line);
    return d.only === 'checkpatch' && k !== undefined && quotedLineSet(messageLines(ctx.patch)).has(k);
  },
  'url-or-tag-line': (d, ctx) => d.only === 'checkpatch' && messageLineAt(ctx, d.line) !== undefined && /\b[a-z][\w.+-]*:\/\/\S+|^[A-Za-z-]+: /.test(rawLine(ctx, d.line)),
  'below-the-message': (d, ctx) => d.only === 'checkpatch' && messageLineAt(ctx, d.line) === undefined,
  'description-counted-by-checkpatch': (d, ctx) => d.only === 'rubberduck' && descriptionLines(ctx.patch).every((l) => l.text.trim() === ''),
  'plain-diff': (d, ctx) => d.only === 'checkpatch' && ctx.patch.source.kind === 'diff',
  'unreadable-hunk-header': (d) => d.only === 'rubberduck' && /malformed hunk header/.test(d.finding?.message ?? ''),
  'colonless-trailer': (d) => d.only === 'rubberduck' && /has no colon/.test(d.finding?.message ?? ''),
  'b4-relay': (d, ctx) => d.only === 'checkpatch' && ctx.patch.from !== undefined && isB4RelayAddress(ctx.patch.from.email),
  'hex-word': (d, ctx) => d.only === 'checkpatch' && [...rawLine(ctx, d.line).matchAll(/\bcommit\s+([0-9a-f]{5,})\b/gi)].every((m) => !/[0-9]/.test(m[1]!)),
  'fixes-line': (d, ctx) => d.only === 'checkpatch' && /^\s*fixes\b/i.test(rawLine(ctx, d.line)),
};

/** Compare the two tools' reports on one message, row by row of the mapping table; explain what the rows keep. */
export function compare(message: string, checkpatch: readonly CheckpatchMessage[], rubberduck: readonly Finding[], ctx: MessageContext): Difference[] {
  const differences: Difference[] = [];
  for (const mapping of CHECKPATCH_MAPPINGS) {
    if (mapping.compare === 'none') continue;
    const found: Difference[] = [];
    const theirs = checkpatch.filter((m) => mapping.types.includes(m.type));
    const ours = rubberduck.filter((f) => mapping.rules.includes(f.rule) && (!mapping.severities || mapping.severities.includes(f.severity)));
    const describe = (m: CheckpatchMessage) => `${m.type}: ${m.text}`;
    const describeOurs = (f: Finding) => `${f.rule}: ${f.message}`;
    const theirsOnly = (m: CheckpatchMessage) => found.push({ message, mapping, only: 'checkpatch', line: m.line, detail: describe(m) });
    const oursOnly = (f: Finding, line?: number) => found.push({ message, mapping, only: 'rubberduck', ...(line !== undefined ? { line } : {}), detail: describeOurs(f), finding: f });
    if (mapping.compare === 'presence') {
      if (theirs.length > 0 && ours.length === 0) theirsOnly(theirs[0]!);
      if (ours.length > 0 && theirs.length === 0) oursOnly(ours[0]!);
    } else {
      const ourLines = new Map<number, Finding>();
      for (const f of ours) for (const line of findingLines(f, ctx.lineOf)) ourLines.set(line, f);
      if (mapping.compare === 'first') {
        const first = theirs[0];
        if (first && !ourLines.has(first.line)) theirsOnly(first);
        if (!first && ours.length > 0) oursOnly(ours[0]!, [...ourLines.keys()][0]);
      } else {
        const theirLines = new Map(theirs.map((m) => [m.line, m]));
        for (const [line, m] of theirLines) if (!ourLines.has(line)) theirsOnly(m);
        for (const [line, f] of ourLines) if (!theirLines.has(line)) oursOnly(f, line);
        // A finding of ours with no line at all cannot agree on one.
        for (const f of ours) if (findingLines(f, ctx.lineOf).length === 0) oursOnly(f);
      }
    }
    for (const d of found) {
      const kept = mapping.kept?.find((k) => RECOGNISE[k.when](d, ctx));
      if (kept) d.kept = kept.when;
      differences.push(d);
    }
  }
  return differences;
}

async function reviewMessage(file: string): Promise<{ findings: Finding[]; skipped?: string; patch?: Patch; lineOf: (file: string, newLine: number) => number | undefined }> {
  const config = defaultConfig();
  let changeset;
  try {
    changeset = await loadChangeSet([file], { config });
  } catch (error) {
    return { findings: [], skipped: `not a patch for rubberduck: ${(error as Error).message}`, lineOf: () => undefined };
  }
  const patch = changeset.patches[0];
  if (!patch) return { findings: [], skipped: 'no patch', lineOf: () => undefined };
  if (patch.isCover) return { findings: [], skipped: 'a cover letter', lineOf: () => undefined };
  if (patch.subject.isReply) return { findings: [], skipped: 'a review reply', lineOf: () => undefined };
  if (patch.subject.prefixes.some((t) => /^(?:git|pull)$/i.test(t)) || /\bGIT\s+PULL\b|^\s*\[GIT\b/i.test(patch.subject.raw)) {
    return { findings: [], skipped: 'a pull request', lineOf: () => undefined };
  }
  const findings = runRules(changeset, config, { packs: ['kernel', 'netdev', 'generic'] }).filter((f) => f.patch === 0);
  const lineOf = (path: string, newLine: number) => {
    for (const f of patch.files) {
      if (f.newPath !== path) continue;
      for (const h of f.hunks) for (const l of h.lines) if (l.kind !== 'del' && l.newLine === newLine) return l.patchLine;
    }
    return undefined;
  };
  return { findings, patch, lineOf };
}

export interface AgreementReport {
  results: MessageResult[];
  files: number;
  seconds: { checkpatch: number; rubberduck: number };
}

/** Run both tools on every message of every file under `roots` (`concurrency` checkpatch runs at a time). */
export async function agreement(roots: readonly string[] = [CORPUS, FIXTURES], concurrency = 2): Promise<AgreementReport> {
  const files = patchFiles(roots);
  const dir = mkdtempSync(join(tmpdir(), 'rd-checkpatch-'));
  const jobs: { name: string; file: string }[] = [];
  try {
    let n = 0;
    for (const file of files) {
      const shown = relative(resolve(REPO_ROOT, '..'), file);
      messagesOf(file).forEach((message, k) => {
        // Keep a diff a .diff, and make mail .eml, so both tools take each for what it is.
        const name = `${String(n++).padStart(4, '0')}-${basename(file).replace(/\.(mbox|patch)$/, '.eml')}`;
        writeFileSync(join(dir, name), message);
        jobs.push({ name: `${shown}#${k}`, file: name });
      });
    }
    let t = performance.now();
    const size = Math.ceil(jobs.length / concurrency);
    const batches = Array.from({ length: concurrency }, (_, i) => jobs.slice(i * size, (i + 1) * size).map((j) => j.file));
    const theirs = new Map<string, CheckpatchMessage[]>();
    for (const part of await Promise.all(batches.map((batch) => runCheckpatch(batch, dir)))) for (const [k, v] of part) theirs.set(k, v);
    const checkpatchSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    const results: MessageResult[] = [];
    for (const job of jobs) {
      const cp = theirs.get(job.file) ?? [];
      const ours = await reviewMessage(join(dir, job.file));
      results.push(
        ours.skipped
          ? { message: job.name, skipped: ours.skipped, checkpatch: cp, rubberduck: [], differences: [] }
          : {
              message: job.name,
              checkpatch: cp,
              rubberduck: ours.findings,
              differences: compare(job.name, cp, ours.findings, { raw: readFileSync(join(dir, job.file), 'utf8'), patch: ours.patch!, lineOf: ours.lineOf }),
            },
      );
    }
    return { results, files: files.length, seconds: { checkpatch: checkpatchSeconds, rubberduck: (performance.now() - t) / 1000 } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

