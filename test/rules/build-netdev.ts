import { describe, expect, it } from 'vitest';
/**
 * Hand-built Patch / ChangeSet objects for the netdev, series and generic rule tests, so the
 * tricky cases can be tested without going through the parser.
 */
import type { ChangeSet, DiffLine, FilePatch, Hunk, Patch, Series, Subject, Trailer } from '../../src/model/changeset.js';
import { ConfigSchema, defaultConfig } from '../../src/config/schema.js';
import { loadChangeSet } from '../../src/parse/index.js';
import type { Config } from '../../src/config/schema.js';
import type { RuleContext } from '../../src/rules/types.js';

/** `[PATCH net-next v2 3/5] summary` → a Subject (enough for the rules under test). */
export function subject(raw: string, trees: readonly string[] = defaultConfig().netdev.trees): Subject {
  const m = /^((?:\[[^\]]*\]\s*)*)(.*)$/.exec(raw);
  const bracket = m?.[1] ?? '';
  const summary = m?.[2] ?? raw;
  const prefixes = [...bracket.matchAll(/\[([^\]]*)\]/g)].flatMap((b) => (b[1] ?? '').split(/[\s,]+/).filter(Boolean));
  let version = 1;
  let counter: number | undefined;
  let total: number | undefined;
  let tree: string | undefined;
  for (const p of prefixes) {
    const v = /^v(\d+)$/i.exec(p);
    const c = /^(\d+)\/(\d+)$/.exec(p);
    if (v) version = Number(v[1]);
    else if (c) {
      counter = Number(c[1]);
      total = Number(c[2]);
    } else if (trees.includes(p.toLowerCase())) tree = p;
  }
  return {
    raw,
    listTags: [],
    prefixes,
    hasPatchTag: prefixes.some((p) => /^(PATCH|RFC)$/i.test(p)),
    hasPrefix: prefixes.length > 0,
    rfc: prefixes.some((p) => /^RFC$/i.test(p)),
    resend: prefixes.some((p) => /^RESEND$/i.test(p)),
    version,
    ...(counter !== undefined ? { counter } : {}),
    ...(total !== undefined ? { total } : {}),
    ...(tree !== undefined ? { tree } : {}),
    summary,
    isReply: false,
  };
}

/**
 * A file from hunks written as in a diff: each hunk starts with its `@@ -a,b +c,d @@ section`
 * line, then lines starting with ' ', '+' or '-'. `\` marks "no newline" on the previous line.
 */
export function file(path: string, diff: string, opts: Partial<FilePatch> = {}): FilePatch {
  const hunks: Hunk[] = [];
  let patchLine = 1;
  let oldNo = 0;
  let newNo = 0;
  let hunk: Hunk | undefined;
  for (const raw of diff.replace(/\n$/, '').split('\n')) {
    patchLine++;
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/.exec(raw);
    if (h) {
      oldNo = Number(h[1]);
      newNo = Number(h[3]);
      hunk = { oldStart: oldNo, oldLines: Number(h[2] ?? 1), newStart: newNo, newLines: Number(h[4] ?? 1), section: (h[5] ?? '').trim(), patchLine, lines: [] };
      hunks.push(hunk);
      continue;
    }
    if (!hunk) throw new Error(`line before any hunk: ${raw}`);
    if (raw.startsWith('\\')) {
      const last = hunk.lines[hunk.lines.length - 1];
      if (last) last.noNewlineAtEnd = true;
      continue;
    }
    const kind = raw[0] === '+' ? 'add' : raw[0] === '-' ? 'del' : 'ctx';
    const line: DiffLine = { kind, text: raw.slice(1), crlf: false, patchLine, noNewlineAtEnd: false };
    if (kind !== 'add') line.oldLine = oldNo++;
    if (kind !== 'del') line.newLine = newNo++;
    hunk.lines.push(line);
  }
  return { oldPath: path, newPath: path, status: 'modified', binary: false, patchLine: 1, hunks, ...opts };
}

export interface PatchSpec {
  subject?: string;
  message?: string;
  trailers?: Array<[string, string]>;
  files?: FilePatch[];
  isCover?: boolean;
  kind?: 'diff' | 'email' | 'commit';
  notes?: string;
  index?: number;
}

export function patch(spec: PatchSpec = {}): Patch {
  const trailers: Trailer[] = (spec.trailers ?? []).map(([key, value], i) => ({
    key,
    value,
    raw: `${key}: ${value}`,
    line: 3 + i,
    wrapped: false,
    separator: ' ',
  }));
  const message = spec.message ?? ['Some description of the change.', '', ...trailers.map((t) => t.raw)].join('\n');
  const index = spec.index ?? 0;
  return {
    id: `test#${index}`,
    source: { input: 'test', index, kind: spec.kind ?? 'email' },
    headers: {},
    references: [],
    subject: subject(spec.subject ?? '[PATCH net-next] net: foo: do a thing'),
    message,
    messageStartLine: 10,
    trailers,
    notes: spec.notes ?? '',
    files: spec.files ?? [],
    isCover: spec.isCover ?? false,
    mime: { attachment: false, html: false },
    lineCount: 50,
    parseProblems: [],
  };
}

/** A change set of these patches as one series (cover = the patch marked isCover). */
export function changeset(patches: Patch[], origin: Series['origin'] = 'mailing-list', extra: Partial<Series> = {}): ChangeSet {
  const cover = patches.findIndex((p) => p.isCover);
  const members = patches.map((_, i) => i).filter((i) => i !== cover);
  const first = patches[members[0] ?? 0];
  const series: Series = {
    id: 's1',
    version: first?.subject.version ?? 1,
    total: first?.subject.total ?? members.length,
    ...(cover >= 0 ? { cover } : {}),
    patches: members,
    origin,
    ...extra,
  };
  return { inputs: ['test'], patches, series: [series] };
}

export function ctx(cs: ChangeSet = { inputs: [], patches: [], series: [] }, config: Config = defaultConfig()): RuleContext {
  return { config, changeset: cs };
}

// ---- fixture harness: fixtures/patches/rules/<pack>/<rule-name>.{bad,good}.<ext> ----

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleFinding, Rule } from '../../src/rules/types.js';

export const FIXTURE_ROOT = join(import.meta.dirname, '..', '..', 'fixtures', 'patches', 'rules');

/** The fixture of a rule for one polarity, e.g. `netdev/enotsupp` + 'bad' → …/netdev/enotsupp.bad.patch. */
export function fixtureFor(rule: Rule, polarity: 'bad' | 'good'): string | undefined {
  const [pack, name] = rule.id.split('/');
  const dir = join(FIXTURE_ROOT, pack ?? '');
  if (!existsSync(dir)) return undefined;
  const hit = readdirSync(dir).find((f) => f.startsWith(`${name}.${polarity}.`));
  return hit ? join(dir, hit) : undefined;
}

/** `<rule-name>.config.json` beside a rule's fixtures (rules that read settings, such as closed windows), else the defaults. */
export function fixtureConfig(rule: Rule): Config {
  const [pack, name] = rule.id.split('/');
  const path = join(FIXTURE_ROOT, pack ?? '', `${name}.config.json`);
  return existsSync(path) ? ConfigSchema.parse(JSON.parse(readFileSync(path, 'utf8'))) : defaultConfig();
}

/** Run one rule over a loaded change set: patch rules on every patch, series rules on every series. */
export function runRule(rule: Rule, cs: ChangeSet, config: Config = defaultConfig()): RuleFinding[] {
  const c = ctx(cs, config);
  if (rule.scope === 'patch') return cs.patches.flatMap((p) => rule.check(p, c));
  return cs.series.flatMap((s) => rule.check(s, c));
}

/**
 * The fixture contract every pack keeps: each rule has a `.bad` fixture that triggers it and a
 * `.good` near miss that must not. `checkInput` asserts what the pack needs of a loaded fixture.
 */
export function describePackFixtures(pack: string, rules: readonly Rule[], checkInput: (cs: ChangeSet, config: Config) => void): void {
  describe(`${pack} pack fixtures`, () => {
    for (const rule of rules) {
      describe(rule.id, () => {
        it('has a well-formed id and doc', () => {
          expect(rule.id.startsWith(`${pack}/`)).toBe(true);
          expect(rule.pack).toBe(pack);
          expect(rule.doc.what && rule.doc.why && rule.doc.fix).toBeTruthy();
        });

        for (const polarity of ['bad', 'good'] as const) {
          it(polarity === 'bad' ? '.bad fixture yields a finding' : '.good fixture (near miss) yields none', async () => {
            const path = fixtureFor(rule, polarity);
            expect(path, `fixture for ${rule.id}`).toBeDefined();
            const config = fixtureConfig(rule);
            const cs = await loadChangeSet([path!], { config });
            checkInput(cs, config);
            const found = runRule(rule, cs, config);
            if (polarity === 'bad') expect(found.length, JSON.stringify(found)).toBeGreaterThanOrEqual(1);
            else expect(found, JSON.stringify(found)).toEqual([]);
          });
        }
      });
    }
  });
}
