import { describe, expect, it } from 'vitest';
import { addedLines, type Patch } from '../../src/model/changeset.js';
import { ConfigSchema, defaultConfig } from '../../src/config/schema.js';
import type { Finding } from '../../src/model/finding.js';
import {
  choosePacks,
  dedupeFindings,
  isKernelPatch,
  runRepositoryRules,
  runRules,
  runRulesWithNotes,
  sortFindings,
  suggestFixes,
} from '../../src/rules/engine.js';
import { CATALOGUE_RULE_IDS, allRules } from '../../src/rules/registry.js';
import type { PatchRule, Rule, SeriesRule } from '../../src/rules/types.js';
import { changeset as makeChangeSet, finding, patch as makePatch } from '../support/changeset.js';
import { tableRepository } from '../support/rule-harness.js';

const doc = { what: 'w', why: 'y', fix: 'f' };

/** A patch rule that flags every added line ending in whitespace. */
function wsRule(id: string, pack: PatchRule['pack'], severity: PatchRule['severity'] = 'warning'): PatchRule {
  return {
    id,
    pack,
    severity,
    doc,
    scope: 'patch',
    check(patch: Patch) {
      return [...addedLines(patch)]
        .filter(({ line }) => /\s$/.test(line.text))
        .map(({ file, line }) => ({ message: 'trailing whitespace', location: { kind: 'diff' as const, file: file.newPath ?? '', line: line.newLine ?? 1, side: 'new' as const } }));
    },
  };
}

function subjectRule(id: string, pack: PatchRule['pack']): PatchRule {
  return { id, pack, severity: 'info', doc, scope: 'patch', check: () => [{ message: 'subject', location: { kind: 'subject' } }] };
}

const seriesRule: SeriesRule = {
  id: 'series/numbering',
  pack: 'series',
  severity: 'warning',
  doc,
  scope: 'series',
  check: (series) => [{ message: 'numbering', location: { kind: 'series' } }, { message: 'on patch', location: { kind: 'subject' }, patch: series.patches[1] ?? 0 }],
};

const throwing: PatchRule = {
  id: 'kernel/body-wrap',
  pack: 'kernel',
  severity: 'info',
  doc,
  scope: 'patch',
  check: () => {
    throw new Error('boom\nsecond line');
  },
};

const RULES: Rule[] = [
  // Declared as the real rules declare it: the kernel rule supersedes the generic one.
  { ...wsRule('kernel/trailing-whitespace', 'kernel', 'error'), supersedes: ['generic/trailing-whitespace'] },
  wsRule('generic/trailing-whitespace', 'generic', 'warning'),
  { ...subjectRule('netdev/tree-missing', 'netdev'), appliesToCover: true },
  subjectRule('kernel/missing-signoff', 'kernel'),
  seriesRule,
];

const netdevEmail = () => makePatch({ files: [{ path: 'drivers/net/foo.c', added: ['\tint ret; ', '\treturn ret;'] }] });
const plainDiff = () => makePatch({ kind: 'diff', subject: 'x.diff', files: [{ path: 'src/app.ts', added: ['const x = 1; '] }] });

function rulesOf(findings: Finding[]): string[] {
  return [...new Set(findings.map((f) => f.rule))].sort();
}

describe('pack choice', () => {
  it('runs kernel, netdev and generic on a netdev email, but not generic/trailing-whitespace', () => {
    const cs = makeChangeSet([netdevEmail()]);
    expect([...choosePacks(cs, 0, defaultConfig())].sort()).toEqual(['generic', 'kernel', 'netdev']);
    const findings = runRules(cs, defaultConfig(), { rules: RULES });
    expect(rulesOf(findings)).toEqual(['kernel/missing-signoff', 'kernel/trailing-whitespace', 'netdev/tree-missing', 'series/numbering']);
  });

  it('runs only generic on a plain diff, including generic/trailing-whitespace', () => {
    const cs = makeChangeSet([plainDiff()], 'diff');
    expect(isKernelPatch(cs.patches[0]!)).toBe(false);
    expect([...choosePacks(cs, 0, defaultConfig())]).toEqual(['generic']);
    const findings = runRules(cs, defaultConfig(), { rules: RULES });
    expect(rulesOf(findings)).toEqual(['generic/trailing-whitespace']);
    expect(findings[0]!.severity).toBe('warning');
  });

  it('skips netdev for a kernel patch outside networking', () => {
    const cs = makeChangeSet([makePatch({ subject: '[PATCH] ext4: fix it', files: [{ path: 'fs/ext4/inode.c', added: ['x '] }] })]);
    expect([...choosePacks(cs, 0, defaultConfig())].sort()).toEqual(['generic', 'kernel']);
  });

  it('honours forced packs (--rules) over detection and config.packs', () => {
    const cs = makeChangeSet([netdevEmail()]);
    const config = ConfigSchema.parse({ packs: ['kernel'] });
    expect(rulesOf(runRules(cs, config, { rules: RULES }))).toEqual(['kernel/missing-signoff', 'kernel/trailing-whitespace']);
    // --rules generic wins over config.packs; without kernel, generic/trailing-whitespace runs.
    expect(rulesOf(runRules(cs, config, { rules: RULES, packs: ['generic'] }))).toEqual(['generic/trailing-whitespace']);
    expect(rulesOf(runRules(cs, defaultConfig(), { rules: RULES, packs: ['series'] }))).toEqual(['series/numbering']);
  });

  it('gives a cover letter only its subject rules', () => {
    const cover = makePatch({ subject: '[PATCH net 0/2] net: foo: fixes', isCover: true, files: [] });
    const p1 = makePatch({ index: 1, subject: '[PATCH net 1/2] net: foo: a', message: 'x' });
    const cs = makeChangeSet([cover, p1]);
    cs.series[0] = { ...cs.series[0]!, cover: 0, patches: [1] };
    const findings = runRules(cs, defaultConfig(), { rules: RULES.filter((r) => r.scope === 'patch') });
    const onCover = findings.filter((f) => f.patch === 0).map((f) => f.rule);
    expect(onCover).toEqual(['netdev/tree-missing']);
    expect(findings.some((f) => f.patch === 1 && f.rule === 'kernel/missing-signoff')).toBe(true);
  });
});

describe('configuration', () => {
  it('turns a rule off', () => {
    const cs = makeChangeSet([netdevEmail()]);
    const config = ConfigSchema.parse({ rules: { 'kernel/trailing-whitespace': 'off' } });
    expect(rulesOf(runRules(cs, config, { rules: RULES }))).not.toContain('kernel/trailing-whitespace');
  });

  it('overrides a severity, even one a rule set per finding', () => {
    const cs = makeChangeSet([netdevEmail()]);
    const config = ConfigSchema.parse({ rules: { 'kernel/trailing-whitespace': 'info', 'netdev/tree-missing': 'error' } });
    const findings = runRules(cs, config, { rules: RULES });
    expect(findings.find((f) => f.rule === 'kernel/trailing-whitespace')!.severity).toBe('info');
    expect(findings.find((f) => f.rule === 'netdev/tree-missing')!.severity).toBe('error');
    const own: PatchRule = { ...subjectRule('kernel/subject-length', 'kernel'), check: () => [{ message: 'm', location: { kind: 'subject' }, severity: 'warning' }] };
    expect(runRules(cs, defaultConfig(), { rules: [own] })[0]!.severity).toBe('warning');
    expect(runRules(cs, ConfigSchema.parse({ rules: { 'kernel/subject-length': 'error' } }), { rules: [own] })[0]!.severity).toBe('error');
  });
});

describe('finding completion', () => {
  it('fills rule, severity, source, patch, subject, message id, #N and evidence', () => {
    const patch = makePatch({ messageId: '<1@x>', files: [{ path: 'drivers/net/foo.c', added: ['\tint a;', '\tint ret; '] }] });
    const cs = makeChangeSet([patch]);
    const [f] = runRules(cs, defaultConfig(), { rules: [RULES[0]!] });
    const line = patch.files[0]!.hunks[0]!.lines[1]!;
    expect(f).toMatchObject({
      rule: 'kernel/trailing-whitespace',
      severity: 'error',
      source: 'rule',
      patch: 0,
      subject: patch.subject.raw,
      messageId: '<1@x>',
      evidence: '\tint ret; ',
      location: { kind: 'diff', file: 'drivers/net/foo.c', line: 11, patchLine: line.patchLine },
    });
  });

  it('places message findings at messageStartLine + line - 1', () => {
    const patch = makePatch({ message: 'one\ntwo\nthree' });
    const rule: PatchRule = { ...subjectRule('kernel/hash-line', 'kernel'), check: () => [{ message: 'm', location: { kind: 'message', line: 2, part: 'message' } }] };
    const [f] = runRules(makeChangeSet([patch]), defaultConfig(), { rules: [rule] });
    expect(f!.location).toMatchObject({ kind: 'message', line: 2, patchLine: patch.messageStartLine + 1 });
    expect(f!.evidence).toBe('two');
  });

  it('turns a throwing rule into a note and keeps going', () => {
    const cs = makeChangeSet([netdevEmail()]);
    const { findings, notes } = runRulesWithNotes(cs, defaultConfig(), { rules: [throwing, ...RULES] });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('kernel/body-wrap');
    expect(notes[0]).toContain('boom');
    expect(notes[0]).not.toContain('second line');
    expect(findings.length).toBeGreaterThan(0);
  });

  it('runs series rules once per series and takes the patch they name', () => {
    const cs = makeChangeSet([netdevEmail(), makePatch({ index: 1 })]);
    const findings = runRules(cs, defaultConfig(), { rules: [seriesRule] });
    expect(findings).toHaveLength(2);
    expect(findings.find((f) => f.message === 'on patch')!.patch).toBe(1);
    expect(findings.find((f) => f.message === 'numbering')!.patch).toBeUndefined();
  });
});

describe('ordering and dedupe', () => {
  it('sorts by patch, then place (subject, message, diff), series-wide last', () => {
    const f = [
      finding({ rule: 'a/diff', patch: 0, location: { kind: 'diff', file: 'x.c', line: 5, side: 'new', patchLine: 40 } }),
      finding({ rule: 'a/series', patch: undefined, location: { kind: 'series' } }),
      finding({ rule: 'a/p1', patch: 1, location: { kind: 'subject' } }),
      finding({ rule: 'a/msg', patch: 0, location: { kind: 'message', line: 3, part: 'message', patchLine: 12 } }),
      finding({ rule: 'a/diff-early', patch: 0, location: { kind: 'diff', file: 'a.c', line: 900, side: 'new', patchLine: 30 } }),
      finding({ rule: 'a/subj', patch: 0, location: { kind: 'subject' } }),
    ];
    expect(sortFindings(f).map((x) => x.rule)).toEqual(['a/subj', 'a/msg', 'a/diff-early', 'a/diff', 'a/p1', 'a/series']);
  });

  it('dedupes by rule and place, deterministic over LLM', () => {
    const place = { kind: 'diff' as const, file: 'x.c', line: 5, side: 'new' as const };
    const llm = finding({ rule: 'netdev/reverse-xmas-tree', source: 'llm', message: 'llm', location: place });
    const det = finding({ rule: 'netdev/reverse-xmas-tree', message: 'rule', location: place });
    const other = finding({ rule: 'netdev/reverse-xmas-tree', message: 'elsewhere', location: { ...place, line: 6 } });
    const out = dedupeFindings([llm, det, other]);
    expect(out.map((x) => x.message).sort()).toEqual(['elsewhere', 'rule']);
  });
});

describe('registry', () => {
  it('registers unique rule ids, all from the catalogue', () => {
    const ids = allRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(CATALOGUE_RULE_IDS).toContain(id);
    for (const rule of allRules) expect(rule.id.startsWith(`${rule.pack}/`)).toBe(true);
  });
});

describe('what rules declare', () => {
  const repository = tableRepository([{ hash: '0123456789abcdef0123456789abcdef01234567', subject: 'net: foo: add it', ancestorOfHead: true }]);

  it('a rule\'s suggestFix completes its own findings, with the repository when there is one', async () => {
    const rule: PatchRule = {
      ...subjectRule('netdev/tree-case', 'netdev'),
      suggestFix: async (f, patch, ctx) => ({
        description: ctx.repository ? 'from git' : 'offline',
        target: { kind: 'subject', subject: `${patch.subject.raw} (${(await ctx.repository?.commit('0123456789ab'))?.subject ?? 'none'})` },
      }),
    };
    const cs = makeChangeSet([netdevEmail()]);
    const mine = finding({ rule: 'netdev/tree-case', location: { kind: 'subject' } });
    const other = finding({ rule: 'kernel/body-wrap', location: { kind: 'subject' } });
    const llm = finding({ rule: 'netdev/tree-case', source: 'llm', location: { kind: 'subject' } });
    const [a, b, c] = await suggestFixes([mine, other, llm], cs, defaultConfig(), repository, { rules: [rule] });
    expect(a!.fix).toEqual({ description: 'from git', target: { kind: 'subject', subject: `${cs.patches[0]!.subject.raw} (net: foo: add it)` } });
    expect(b!.fix).toBeUndefined();
    expect(c!.fix).toBeUndefined();
    expect((await suggestFixes([mine], cs, defaultConfig(), undefined, { rules: [rule] }))[0]!.fix?.description).toBe('offline');
  });

  it('repository checks run on the patches their rule applies to, completed like any finding', async () => {
    const rule: PatchRule = {
      ...subjectRule('kernel/fixes-target', 'kernel'),
      check: () => [],
      checkRepository: async (patch, ctx) => ((await ctx.repository.isAncestorOfHead('0123456789ab')) ? [{ message: `checked ${patch.id}`, location: { kind: 'message', line: 1, part: 'message' } }] : []),
    };
    const cs = makeChangeSet([netdevEmail(), makePatch({ index: 1, kind: 'diff', subject: 'x.diff', files: [{ path: 'src/app.ts', added: ['x'] }] })]);
    const { findings } = await runRepositoryRules(cs, defaultConfig(), repository, { rules: [rule] });
    // The plain diff gets no kernel rule.
    expect(findings.map((f) => [f.rule, f.patch, f.severity, f.location.kind === 'message' ? f.location.patchLine : undefined])).toEqual([['kernel/fixes-target', 0, 'info', cs.patches[0]!.messageStartLine]]);
    expect(runRules(cs, defaultConfig(), { rules: [rule] })).toEqual([]);
  });
});
