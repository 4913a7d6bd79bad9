import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built CLI (npx tsc -p . first; `npm test` does).
const cli = join(import.meta.dirname, '../../dist/src/cli/index.js');
const KEY = 'sk-proj-SECRETSECRETSECRET9z8y';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>, cwd = dir) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(OPENAI_|RUBBERDUCK_)/.test(k)));
  return spawnSync(process.execPath, [cli, 'config', ...args], { cwd, env: { ...clean, ...env }, encoding: 'utf8' });
}

describe('rubberduck config', () => {
  it('masks the API key (text)', () => {
    const r = run([], { OPENAI_API_KEY: KEY });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('sk-…9z8y');
    expect(r.stdout).not.toContain('SECRET');
    expect(r.stdout).toMatch(/endpoint: +https:\/\/api\.openai\.com\/v1 \(default\)/);
    expect(r.stdout).toMatch(/model: +gpt-4o-mini \(default\)/);
    expect(r.stdout).toMatch(/structured output: jsonSchema/);
    expect(r.stdout).toMatch(/configuration: +defaults/);
  });

  it('--format json: file, endpoint, model, method, masked key', () => {
    writeFileSync(join(dir, '.rubberduck.json'), JSON.stringify({ llm: { structuredOutput: 'functionCalling', timeoutSeconds: 30 } }));
    const r = run(['--format', 'json'], { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: 'http://user:hunter2@localhost:8080/v1', RUBBERDUCK_MODEL: 'qwen2.5-coder:7b' });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('SECRET');
    expect(r.stdout).not.toContain('hunter2');
    const view = JSON.parse(r.stdout);
    expect(view.configFile).toBe(join(dir, '.rubberduck.json'));
    expect(view.llm).toMatchObject({
      online: true,
      baseUrl: 'http://user:***@localhost:8080/v1',
      baseUrlSource: 'OPENAI_BASE_URL',
      model: 'qwen2.5-coder:7b',
      apiKey: 'sk-…9z8y',
      structuredOutput: 'functionCalling',
      timeoutSeconds: 30,
    });
    rmSync(join(dir, '.rubberduck.json'));
  });

  it('offline when nothing is set', () => {
    const r = run(['--format', 'json'], {});
    expect(JSON.parse(r.stdout).llm).toMatchObject({ online: false, apiKey: null });
    expect(run([], {}).stdout).toMatch(/mode: +offline/);
  });

  it('a bad config file or format is one line and exit 2', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ llm: { structuredOutput: 'xml' } }));
    const r = run(['--config', 'bad.json'], {});
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('bad.json');
    expect(run(['--format', 'yaml'], {}).status).toBe(2);
  });
});
