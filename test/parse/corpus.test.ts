import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChangeSetSchema, PatchSchema } from '../../src/model/changeset.js';
import { defaultConfig } from '../../src/config/schema.js';
import { loadChangeSet, parsePatchEmail, readMbox } from '../../src/parse/index.js';
import { CORPUS } from './helpers.js';

const present = existsSync(CORPUS);
const files = present ? readdirSync(CORPUS).filter((name) => name.endsWith('.eml') || name.endsWith('.mbox')) : [];

describe.skipIf(!present)('the shared corpus of real patch emails', () => {
  it('parses every message without throwing, into valid Patches', async () => {
    let messages = 0;
    for (const name of files) {
      let index = 0;
      for await (const raw of readMbox(join(CORPUS, name), { maxBytes: 64 << 20 })) {
        const patch = await parsePatchEmail(raw, { input: name, index: index++ });
        expect(() => PatchSchema.parse(patch), `${name}#${index}`).not.toThrow();
        messages++;
      }
      expect(index, name).toBeGreaterThan(0);
    }
    expect(messages).toBeGreaterThan(files.length);
  });

  it('loads every file as a ChangeSet', async () => {
    for (const name of files) {
      const changeset = await loadChangeSet([join(CORPUS, name)], { config: defaultConfig() });
      expect(() => ChangeSetSchema.parse(changeset), name).not.toThrow();
      expect(changeset.patches.length, name).toBeGreaterThan(0);
    }
  });

  it('gives iwl subjects their tree and resolves in-body / relayed authors', async () => {
    for (const name of files.filter((file) => file.startsWith('iwl-'))) {
      const raw = readFileSync(join(CORPUS, name));
      const patch = await parsePatchEmail(raw, { input: name, index: 0 });
      expect(patch.subject.listTags, name).toEqual(['Intel-wired-lan']);
      if (patch.subject.prefixes.length > 1) expect(patch.subject.tree, name).toMatch(/^(iwl-net|iwl-next|net|net-next)$/);
      const text = raw.toString('utf8');
      const inBody = /\n\nFrom: ([^\n]+)\n/.exec(text)?.[1];
      const relayed = /^X-Original-From: (.+)$/m.exec(text)?.[1];
      const expected = inBody ?? relayed;
      if (expected) expect(expected, name).toContain(patch.author!.email);
      else expect(patch.author, name).toEqual(patch.from);
    }
    const drewek = await parsePatchEmail(readFileSync(join(CORPUS, 'iwl-0c3605bcdb9b-m.eml')), { input: 'x', index: 0 });
    expect(drewek.author).toEqual({ name: 'Ngai-Mint Kwan', email: 'ngai-mint.kwan@intel.com' });
    expect(drewek.from?.email).toBe('wojciech.drewek@intel.com');
    expect(drewek.subject).toMatchObject({ tree: 'iwl-net', counter: 2, total: 2 });
  });

  it('threads the iwl 0/2 series together', async () => {
    const names = ['iwl-63097551a082-m.eml', 'iwl-a7d1541fc79d-m.eml', 'iwl-0c3605bcdb9b-m.eml'];
    const changeset = await loadChangeSet(
      names.map((name) => join(CORPUS, name)),
      { config: defaultConfig() },
    );
    expect(changeset.patches.map((p) => p.subject.counter)).toEqual([0, 1, 2]);
    expect(changeset.patches[1]!.inReplyTo).toBe(changeset.patches[0]!.messageId);
    expect(changeset.series).toEqual([
      { id: changeset.patches[0]!.messageId, version: 1, total: 2, cover: 0, patches: [1, 2], origin: 'mailing-list' },
    ]);
  });

  it('reads patchwork [net,v2,1/2] prefixes and splits two unlabelled revisions', async () => {
    const changeset = await loadChangeSet([join(CORPUS, 'pw-revision-unlabeled-noreferences.mbox')], { config: defaultConfig() });
    expect(changeset.patches.map((p) => [p.subject.tree, p.subject.version, p.subject.counter, p.subject.total])).toEqual([
      ['net', 2, 1, 2],
      ['net', 2, 2, 2],
      ['net', 2, 1, 2],
      ['net', 2, 2, 2],
    ]);
    expect(changeset.series.map((s) => s.patches)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('keeps a v2 cover threaded under v1 apart, and a reroll out of the old cover', async () => {
    const threaded = await loadChangeSet([join(CORPUS, 'pw-revision-threaded-to-cover.mbox')], { config: defaultConfig() });
    expect(threaded.series.map((s) => [s.version, s.cover, s.patches])).toEqual([
      [1, 0, [1, 2]],
      [2, 3, [4, 5]],
    ]);
    const reroll = await loadChangeSet([join(CORPUS, 'b4-trailers-followup-partial-reroll.mbox')], { config: defaultConfig() });
    expect(reroll.series.map((s) => [s.version, s.total, s.cover, s.patches])).toEqual([
      [2, 2, 0, [1, 2]],
      [3, 2, undefined, [3]],
    ]);
  });

  it('joins unversioned patches to their v3 cover, and keeps an unnumbered orphan alone', async () => {
    const versions = await loadChangeSet([join(CORPUS, 'pw-base-different-versions.mbox')], { config: defaultConfig() });
    expect(versions.series).toHaveLength(1);
    expect(versions.series[0]).toMatchObject({ version: 3, cover: 0, patches: [1, 2, 3, 4] });
    const orphan = await loadChangeSet([join(CORPUS, 'pw-bugs-unnumbered.mbox')], { config: defaultConfig() });
    expect(orphan.series.map((s) => [s.total, s.patches])).toEqual([
      [2, [1]],
      [1, [2]],
    ]);
  });

  it('reads a mode-only change and a missing final newline', async () => {
    const mode = await loadChangeSet([join(CORPUS, 'pw-0022-git-mode-change.mbox')], { config: defaultConfig() });
    expect(mode.patches[0]!.files[0]).toMatchObject({ oldMode: '100644', newMode: '100755', hunks: [] });
    const nonl = await loadChangeSet([join(CORPUS, 'pw-0011-no-newline-at-end-of-file.mbox')], { config: defaultConfig() });
    const links = nonl.patches[0]!.files.filter((f) => f.status === 'added');
    expect(links.every((f) => f.hunks[0]!.lines.at(-1)!.noNewlineAtEnd)).toBe(true);
  });
});
