/**
 * Running rules in tests: on a built or parsed patch, on a change set, on the fixtures under
 * fixtures/patches/rules/<pack>/<rule>.{bad,good}.<ext>, with a repository answered from a table.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChangeSet, Patch } from '../../src/model/changeset.js';
import { defaultConfig, type Config } from '../../src/config/schema.js';
import { loadChangeSet } from '../../src/parse/index.js';
import type { PatchRule, RepositoryLookup, Rule, RuleFinding } from '../../src/rules/types.js';
import { ctx } from './changeset.js';

export const FIXTURE_ROOT = join(import.meta.dirname, '..', '..', 'fixtures', 'patches', 'rules');

/** The fixture of a rule for one polarity, e.g. `netdev/enotsupp` + 'bad' → …/netdev/enotsupp.bad.patch. */
export function fixtureFor(rule: Rule, polarity: 'bad' | 'good'): string | undefined {
  const [pack, name] = rule.id.split('/');
  const dir = join(FIXTURE_ROOT, pack ?? '');
  if (!existsSync(dir)) return undefined;
  const hit = readdirSync(dir).find((f) => f.startsWith(`${name}.${polarity}.`));
  return hit ? join(dir, hit) : undefined;
}

/** One patch file through the real entry point, as `rubberduck review FILE` would load it. */
export async function loadFixture(path: string): Promise<Patch> {
  const changeset = await loadChangeSet([path], { config: defaultConfig() });
  const [patch, ...rest] = changeset.patches;
  if (!patch || rest.length > 0) throw new Error(`${path}: expected one patch, got ${changeset.patches.length}`);
  return patch;
}

/**
 * A repository that answers from a table (`<rule>.repo.json` beside a rule's fixtures): the
 * commits it has, their subjects, and whether each is an ancestor of HEAD.
 */
export function tableRepository(commits: Array<{ hash: string; subject: string; ancestorOfHead?: boolean }>): RepositoryLookup {
  const find = (hash: string) => {
    const matches = commits.filter((c) => c.hash.startsWith(hash.toLowerCase()));
    return matches.length === 1 ? matches[0] : undefined;
  };
  return {
    commit: async (hash) => {
      const c = find(hash);
      return c ? { hash: c.hash, subject: c.subject } : undefined;
    },
    isAncestorOfHead: async (hash) => find(hash)?.ancestorOfHead,
  };
}

/** The table repository of a rule's fixtures, if it has one. */
export function fixtureRepository(rule: Rule): RepositoryLookup | undefined {
  const [pack, name] = rule.id.split('/');
  const path = join(FIXTURE_ROOT, pack ?? '', `${name}.repo.json`);
  if (!existsSync(path)) return undefined;
  return tableRepository((JSON.parse(readFileSync(path, 'utf8')) as { commits: Array<{ hash: string; subject: string; ancestorOfHead?: boolean }> }).commits);
}

/** A patch rule's offline check on one patch (alone in its change set). */
export function run(rule: Rule, patch: Patch): RuleFinding[] {
  if (rule.scope !== 'patch') return [];
  return rule.check(patch, ctx({ inputs: ['test'], patches: [patch], series: [] }));
}

/** A patch rule's offline check and, given a repository, its repository check. */
export async function runWithRepository(rule: Rule, patch: Patch, repository: RepositoryLookup | undefined): Promise<RuleFinding[]> {
  const offline = run(rule, patch);
  if (rule.scope !== 'patch' || !repository || !(rule as PatchRule).checkRepository) return offline;
  const cs: ChangeSet = { inputs: ['test'], patches: [patch], series: [] };
  return [...offline, ...(await (rule as PatchRule).checkRepository!(patch, { ...ctx(cs), repository }))];
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
            const config = defaultConfig();
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
