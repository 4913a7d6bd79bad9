import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { closestMatches, loadConfig, parseConfigText } from '../../src/config/load.js';
import { defaultConfig } from '../../src/config/schema.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'rd-config-'));
}

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('loadConfig', () => {
  it('gives the defaults when there is no file', async () => {
    expect(await loadConfig({ cwd: dir() })).toEqual(defaultConfig());
  });

  it('prefers --config, then the repository, then cwd', async () => {
    const cwd = dir();
    const repo = join(cwd, 'repo');
    mkdirSync(repo);
    writeFileSync(join(cwd, '.rubberduck.json'), JSON.stringify({ rules: { 'kernel/body-wrap': 'off' } }));
    writeFileSync(join(repo, '.rubberduck.json'), JSON.stringify({ rules: { 'kernel/body-wrap': 'warning' } }));
    writeFileSync(join(cwd, 'other.json'), JSON.stringify({ rules: { 'kernel/body-wrap': 'error' } }));
    expect((await loadConfig({ cwd })).rules['kernel/body-wrap']).toBe('off');
    expect((await loadConfig({ cwd, repo: 'repo' })).rules['kernel/body-wrap']).toBe('warning');
    expect((await loadConfig({ cwd, repo: 'repo', file: 'other.json' })).rules['kernel/body-wrap']).toBe('error');
  });

  it('names the file and the key of an unknown key', async () => {
    const cwd = dir();
    writeFileSync(join(cwd, '.rubberduck.json'), JSON.stringify({ rulez: {} }));
    await expect(loadConfig({ cwd })).rejects.toThrow(UsageError);
    const error = (await loadConfig({ cwd }).catch((e: unknown) => e)) as UsageError;
    expect(error.oneLine()).toBe('rubberduck: .rubberduck.json: unknown key "rulez"');
  });

  it('gives the key path of a nested unknown key', () => {
    const e = usageError(() => parseConfigText(JSON.stringify({ netdev: { treez: [] } }), 'c.json'));
    expect(e.oneLine()).toBe('rubberduck: c.json: unknown key "netdev.treez"');
  });

  it('gives the position of invalid JSON', () => {
    const e = usageError(() => parseConfigText('{\n  "rules": {,\n}', 'c.json'));
    expect(e.oneLine()).toMatch(/^rubberduck: c\.json: invalid JSON at line 2 column \d+/);
  });

  it('suggests the close match for an unknown rule id', () => {
    const e = usageError(() => parseConfigText(JSON.stringify({ rules: { 'kernel/fixes-fromat': 'off' } }), 'c.json'));
    expect(e.oneLine()).toContain('unknown rule "kernel/fixes-fromat"');
    expect(e.oneLine()).toContain('did you mean "kernel/fixes-format"');
  });

  it('rejects a bad severity with the key path', () => {
    const e = usageError(() => parseConfigText(JSON.stringify({ rules: { 'kernel/body-wrap': 'loud' } }), 'c.json'));
    expect(e.oneLine()).toContain('"rules.kernel/body-wrap"');
  });

  it('reports a missing --config file', async () => {
    const error = (await loadConfig({ cwd: dir(), file: 'nope.json' }).catch((e: unknown) => e)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.oneLine()).toBe('rubberduck: nope.json: no such configuration file');
  });

  it('finds close matches', () => {
    expect(closestMatches('netdev/reverse-xmas', ['netdev/reverse-xmas-tree', 'kernel/hash-line'])).toEqual(['netdev/reverse-xmas-tree']);
  });
});
