import { filePath, type ChangeSet, type DiffLine, type Patch, type Series } from '../model/changeset.js';
import type { Config } from '../config/schema.js';
import type { Finding, Location, Severity } from '../model/finding.js';
import { seriesMembers } from './lib/series.js';
import { isNetdevPatch } from './netdev/applies.js';
import { PACKS, allRules } from './registry.js';
import type { Pack, PatchRule, RepositoryLookup, Rule, RuleContext, RuleFinding, SeriesRule } from './types.js';

/**
 * The review engine: chooses the packs for each patch, runs their rules, applies the
 * configuration (rule off, severity override), fills in what every finding carries (rule,
 * severity, source, patch, subject, message id, `#N:` line, evidence) and sorts the result.
 * Pure: no printing, no files. A rule that throws becomes a note, never a crash.
 */

export interface RunRulesOptions {
  /** Force these packs (`--rules kernel,netdev`); wins over config.packs and over detection. */
  packs?: readonly Pack[];
  /** The rules to choose from (tests inject their own); default: every registered rule. */
  rules?: readonly Rule[];
  /** Problems met while running (a rule that threw) are pushed here. */
  notes?: string[];
}

export interface RuleRunResult {
  findings: Finding[];
  notes: string[];
}

/** Top-level paths of a Linux tree. */
const KERNEL_PATH =
  /^(arch|block|certs|crypto|Documentation|drivers|fs|include|init|io_uring|ipc|kernel|lib|LICENSES|mm|net|rust|samples|scripts|security|sound|tools|usr|virt)\/|^(MAINTAINERS|Kconfig|Kbuild|CREDITS)$/;

/** A patch (email or commit) that touches a Linux tree's layout. Plain diffs never are. */
export function isKernelPatch(patch: Patch): boolean {
  if (patch.source.kind === 'diff') return false;
  return patch.files.some((file) => KERNEL_PATH.test(filePath(file)) || KERNEL_PATH.test(file.oldPath ?? ''));
}

/**
 * The patch-scope packs that apply to one patch: `forced` (CLI, then config.packs) when given,
 * else kernel for a kernel-looking email/commit, netdev when isNetdevPatch, generic always.
 * A cover letter takes its packs from the patches it covers.
 */
export function choosePacks(changeset: ChangeSet, index: number, config: Config, forced?: readonly Pack[]): Set<Pack> {
  const chosen = new Set<Pack>();
  const patch = changeset.patches[index];
  if (!patch) return chosen;
  if (forced && forced.length > 0) {
    for (const pack of forced) if (pack !== 'series') chosen.add(pack);
    return chosen;
  }
  const family = patch.isCover ? [patch, ...seriesMembers(changeset, index)] : [patch];
  if (patch.source.kind !== 'diff' && family.some(isKernelPatch)) chosen.add('kernel');
  if (family.some((p) => safeIsNetdev(p, config))) chosen.add('netdev');
  chosen.add('generic');
  return chosen;
}

function safeIsNetdev(patch: Patch, config: Config): boolean {
  try {
    return isNetdevPatch(patch, config);
  } catch {
    return false;
  }
}

/** Whether the series pack runs: forced, or automatically for anything but a lone plain diff. */
export function seriesPackApplies(series: Series, forced?: readonly Pack[]): boolean {
  if (forced && forced.length > 0) return forced.includes('series');
  return series.origin !== 'diff';
}

function forcedPacks(config: Config, options: RunRulesOptions): readonly Pack[] | undefined {
  if (options.packs && options.packs.length > 0) return options.packs;
  if (config.packs && config.packs.length > 0) return config.packs;
  return undefined;
}

function enabled(rule: Rule, config: Config): boolean {
  return config.rules[rule.id] !== 'off';
}

function severityFor(rule: Rule, config: Config, own?: Severity): Severity {
  const override = config.rules[rule.id];
  if (override && override !== 'off') return override;
  return own ?? rule.severity;
}

/**
 * Patch-scope rules run on one patch: those of the chosen packs that are enabled, only the ones
 * that say so on a cover letter, and none that another applicable rule supersedes.
 */
export function patchRulesFor(changeset: ChangeSet, index: number, config: Config, options: RunRulesOptions = {}): PatchRule[] {
  const patch = changeset.patches[index];
  if (!patch) return [];
  const packs = choosePacks(changeset, index, config, forcedPacks(config, options));
  const rules = options.rules ?? allRules;
  const applicable = rules.filter(
    (rule): rule is PatchRule => rule.scope === 'patch' && packs.has(rule.pack) && (!patch.isCover || rule.appliesToCover === true),
  );
  // A rule that is off still supersedes: turning the kernel rule off must not bring the generic one back.
  const superseded = new Set(applicable.flatMap((rule) => rule.supersedes ?? []));
  return applicable.filter((rule) => enabled(rule, config) && !superseded.has(rule.id));
}

/** Run every applicable patch rule on changeset.patches[index]. */
export function runPatchRules(changeset: ChangeSet, index: number, config: Config, options: RunRulesOptions = {}): RuleRunResult {
  const patch = changeset.patches[index];
  const findings: Finding[] = [];
  const notes: string[] = [];
  if (!patch) return { findings, notes };
  const ctx: RuleContext = { config, changeset };
  for (const rule of patchRulesFor(changeset, index, config, options)) {
    let produced: RuleFinding[];
    try {
      produced = rule.check(patch, ctx);
    } catch (error) {
      notes.push(`rule ${rule.id} failed on patch ${index + 1} ("${patch.subject.raw}"): ${errorText(error)}`);
      continue;
    }
    for (const rf of produced) findings.push(complete(rule, rf, index, changeset, config));
  }
  options.notes?.push(...notes);
  return { findings, notes };
}

/** Run the series rules once per series (when the series pack applies). */
export function runSeriesRules(changeset: ChangeSet, config: Config, options: RunRulesOptions = {}): RuleRunResult {
  const findings: Finding[] = [];
  const notes: string[] = [];
  const forced = forcedPacks(config, options);
  const rules = (options.rules ?? allRules).filter(
    (rule): rule is SeriesRule => rule.scope === 'series' && rule.pack === 'series' && enabled(rule, config),
  );
  // A series rule forced outside the series pack (none today) would still only run with its pack.
  const ctx: RuleContext = { config, changeset };
  for (const series of changeset.series) {
    if (!seriesPackApplies(series, forced)) continue;
    for (const rule of rules) {
      let produced: RuleFinding[];
      try {
        produced = rule.check(series, ctx);
      } catch (error) {
        notes.push(`rule ${rule.id} failed on series ${series.id}: ${errorText(error)}`);
        continue;
      }
      for (const rf of produced) findings.push(complete(rule, rf, rf.patch, changeset, config));
    }
  }
  options.notes?.push(...notes);
  return { findings, notes };
}

/** The whole engine: every patch, then every series; findings sorted by patch, then place. */
export function runRules(changeset: ChangeSet, config: Config, options: RunRulesOptions = {}): Finding[] {
  const findings: Finding[] = [];
  for (let index = 0; index < changeset.patches.length; index++) {
    findings.push(...runPatchRules(changeset, index, config, options).findings);
  }
  findings.push(...runSeriesRules(changeset, config, options).findings);
  return sortFindings(findings, changeset);
}

/**
 * The checks that need the repository (`--repo`): every applicable rule's `checkRepository`, on
 * every patch. Findings are completed like the offline ones; a check that throws is a note.
 */
export async function runRepositoryRules(
  changeset: ChangeSet,
  config: Config,
  repository: RepositoryLookup,
  options: RunRulesOptions = {},
): Promise<RuleRunResult> {
  const findings: Finding[] = [];
  const notes: string[] = [];
  for (let index = 0; index < changeset.patches.length; index++) {
    const patch = changeset.patches[index]!;
    for (const rule of patchRulesFor(changeset, index, config, options)) {
      if (!rule.checkRepository) continue;
      try {
        const produced = await rule.checkRepository(patch, { config, changeset, repository });
        for (const rf of produced) findings.push(complete(rule, rf, index, changeset, config));
      } catch (error) {
        notes.push(`rule ${rule.id} failed on patch ${index + 1} ("${patch.subject.raw}"): ${errorText(error)}`);
      }
    }
  }
  options.notes?.push(...notes);
  return { findings, notes };
}

/**
 * Completes deterministic findings with the fix their rule can suggest (`suggestFix`), for the
 * fixes a check could not make on its own (a tree tag, a Fixes tag rewritten from git). LLM
 * findings and findings of rules without a suggester pass through unchanged.
 */
export async function suggestFixes(
  findings: readonly Finding[],
  changeset: ChangeSet,
  config: Config,
  repository?: RepositoryLookup,
  options: Pick<RunRulesOptions, 'rules' | 'notes'> = {},
): Promise<Finding[]> {
  const byId = new Map((options.rules ?? allRules).map((rule) => [rule.id, rule]));
  const ctx = { config, changeset, ...(repository ? { repository } : {}) };
  return Promise.all(
    findings.map(async (finding) => {
      const patch = finding.patch !== undefined ? changeset.patches[finding.patch] : undefined;
      const suggest = byId.get(finding.rule)?.suggestFix;
      if (!patch || finding.source === 'llm' || !suggest) return finding;
      try {
        const fix = await suggest(finding, patch, ctx);
        return fix ? { ...finding, fix } : finding;
      } catch (error) {
        options.notes?.push(`rule ${finding.rule} could not suggest a fix on patch ${finding.patch! + 1}: ${errorText(error)}`);
        return finding;
      }
    }),
  );
}

/** runRules, with the notes returned alongside. */
export function runRulesWithNotes(changeset: ChangeSet, config: Config, options: RunRulesOptions = {}): RuleRunResult {
  const notes: string[] = [];
  const findings = runRules(changeset, config, { ...options, notes });
  options.notes?.push(...notes);
  return { findings, notes };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}

function complete(rule: Rule, rf: RuleFinding, patchIndex: number | undefined, changeset: ChangeSet, config: Config): Finding {
  const { severity: own, patch: _ignored, ...rest } = rf;
  const patch = patchIndex === undefined ? undefined : changeset.patches[patchIndex];
  const finding: Finding = {
    ...rest,
    rule: rule.id,
    severity: severityFor(rule, config, own),
    source: 'rule',
    location: { ...rf.location } as Location,
  };
  if (patchIndex !== undefined) finding.patch = patchIndex;
  if (patch) {
    finding.subject = patch.subject.raw;
    if (patch.messageId) finding.messageId = patch.messageId;
    placeFinding(finding, patch);
  }
  return finding;
}

// ---------------------------------------------------------------------------------------------
// Placing findings: `#N:` lines and evidence, from the parsed patch.

const lineIndexes = new WeakMap<Patch, Map<string, { byNew: Map<number, DiffLine>; byOld: Map<number, DiffLine> }>>();

function diffIndex(patch: Patch): Map<string, { byNew: Map<number, DiffLine>; byOld: Map<number, DiffLine> }> {
  let index = lineIndexes.get(patch);
  if (index) return index;
  index = new Map();
  for (const file of patch.files) {
    const entry = { byNew: new Map<number, DiffLine>(), byOld: new Map<number, DiffLine>() };
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        if (line.kind !== 'del' && line.newLine !== undefined) entry.byNew.set(line.newLine, line);
        if (line.kind !== 'add' && line.oldLine !== undefined && !entry.byOld.has(line.oldLine)) entry.byOld.set(line.oldLine, line);
        if (line.kind === 'del' && line.oldLine !== undefined) entry.byOld.set(line.oldLine, line);
      }
    }
    for (const name of [file.newPath, file.oldPath]) if (name && !index.has(name)) index.set(name, entry);
  }
  lineIndexes.set(patch, index);
  return index;
}

/** The diff line a diff location points at, if the patch has it. */
export function diffLineAt(patch: Patch, file: string, line: number, side: 'new' | 'old' = 'new'): DiffLine | undefined {
  const entry = diffIndex(patch).get(file);
  return side === 'new' ? entry?.byNew.get(line) : entry?.byOld.get(line);
}

/** Fill `location.patchLine` and `evidence` when the rule left them out and the patch has them. */
export function placeFinding(finding: Finding, patch: Patch): void {
  const location = finding.location;
  if (location.kind === 'diff') {
    const line = diffLineAt(patch, location.file, location.line, location.side ?? 'new');
    if (line) {
      if (location.patchLine === undefined) location.patchLine = line.patchLine;
      if (finding.evidence === undefined) finding.evidence = line.text;
    }
  } else if (location.kind === 'message') {
    const part = location.part ?? 'message';
    const text = part === 'message' ? patch.message : patch.notes;
    const start = part === 'message' ? patch.messageStartLine : patch.notesStartLine;
    if (location.patchLine === undefined && start !== undefined) location.patchLine = start + location.line - 1;
    if (finding.evidence === undefined) {
      const line = text.split('\n')[location.line - 1];
      if (line !== undefined) finding.evidence = line;
    }
  } else if (location.kind === 'subject') {
    if (finding.evidence === undefined) finding.evidence = `Subject: ${patch.subject.raw}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Ordering and identity.

const PLACE_RANK: Record<Location['kind'], number> = { headers: 0, subject: 1, message: 2, diff: 4, patch: 5, series: 6 };

function placeOrder(finding: Finding, changeset?: ChangeSet): [number, number, number] {
  const location = finding.location;
  switch (location.kind) {
    case 'message':
      return [PLACE_RANK.message + (location.part === 'notes' ? 1 : 0), location.patchLine ?? location.line, 0];
    case 'diff': {
      const patch = finding.patch === undefined ? undefined : changeset?.patches[finding.patch];
      const fileIndex = patch ? patch.files.findIndex((f) => f.newPath === location.file || f.oldPath === location.file) : -1;
      if (location.patchLine !== undefined) return [PLACE_RANK.diff, location.patchLine, 0];
      return [PLACE_RANK.diff, fileIndex < 0 ? Number.MAX_SAFE_INTEGER : fileIndex * 1e7 + location.line, 0];
    }
    default:
      return [PLACE_RANK[location.kind], 0, 0];
  }
}

/** Sort by patch (series-wide findings last), then place in the patch, then rule id. */
export function sortFindings(findings: readonly Finding[], changeset?: ChangeSet): Finding[] {
  const keyed = findings.map((finding, order) => ({ finding, order, place: placeOrder(finding, changeset) }));
  keyed.sort((a, b) => {
    const pa = a.finding.patch ?? Number.MAX_SAFE_INTEGER;
    const pb = b.finding.patch ?? Number.MAX_SAFE_INTEGER;
    if (pa !== pb) return pa - pb;
    for (let i = 0; i < 3; i++) {
      const d = (a.place[i] ?? 0) - (b.place[i] ?? 0);
      if (d !== 0) return d;
    }
    if (a.finding.rule !== b.finding.rule) return a.finding.rule < b.finding.rule ? -1 : 1;
    return a.order - b.order;
  });
  return keyed.map((k) => k.finding);
}

/** Where a finding points, as a string: equal keys mean the same place. */
export function placeKey(finding: Finding): string {
  const location = finding.location;
  const patch = finding.patch ?? '-';
  switch (location.kind) {
    case 'diff':
      return `${patch}|diff|${location.file}|${location.side ?? 'new'}|${location.line}`;
    case 'message':
      return `${patch}|message|${location.part ?? 'message'}|${location.line}`;
    default:
      return `${patch}|${location.kind}`;
  }
}

/**
 * One finding per rule and place. A deterministic finding (source 'rule') always wins over an
 * LLM one at the same place; otherwise the first one met stays.
 */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const kept = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.rule}#${placeKey(finding)}`;
    const existing = kept.get(key);
    if (!existing) kept.set(key, finding);
    else if (existing.source === 'llm' && finding.source !== 'llm') kept.set(key, finding);
  }
  return [...kept.values()];
}

export { PACKS };
