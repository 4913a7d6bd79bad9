import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { UsageError } from '../model/errors.js';
import { ConfigSchema, defaultConfig, type Config } from './schema.js';
import { knownRuleIds } from '../rules/registry.js';
import { maskKey, resolveEndpoint } from '../llm/client.js';

/**
 * The one configuration module: the schema (./schema.ts, imported alone by rules and parsers),
 * loading and validation of `.rubberduck.json`, and the view that layers the environment's model
 * endpoint over the file (what `rubberduck config` prints).
 */

/** The configuration file's name in a repository or the current directory. */
export const CONFIG_FILE_NAME = '.rubberduck.json';

export interface LoadConfigOptions {
  /** The current directory (relative paths are resolved against it). */
  cwd: string;
  /** The repository under review (`--repo`), searched before cwd. */
  repo?: string;
  /** `--config FILE`: must exist. */
  file?: string;
}

export interface LoadedConfig {
  config: Config;
  /** The file it came from; undefined for the defaults. */
  path?: string;
}

/** `--config FILE`, else `.rubberduck.json` in the repository, else in cwd, else undefined. */
export function findConfigFile(options: LoadConfigOptions): string | undefined {
  if (options.file !== undefined) return resolve(options.cwd, options.file);
  const candidates = [options.repo ? resolve(options.cwd, options.repo) : undefined, resolve(options.cwd)];
  for (const dir of candidates) {
    if (!dir) continue;
    const path = join(dir, CONFIG_FILE_NAME);
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return undefined;
}

/** The configuration in effect, validated; problems are UsageErrors naming the file. */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  return (await loadConfigWithPath(options)).config;
}

export async function loadConfigWithPath(options: LoadConfigOptions): Promise<LoadedConfig> {
  const path = findConfigFile(options);
  if (!path) return { config: defaultConfig() };
  const shown = displayPath(path, options.cwd, options.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? 'no such configuration file' : `cannot read configuration (${code ?? 'error'})`, shown);
  }
  return { config: parseConfigText(text, shown), path };
}

/** Parse and validate a configuration file's text; `name` is how errors refer to the file. */
export function parseConfigText(text: string, name: string): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid JSON ${jsonPosition(error, text)}`.trim(), name);
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) throw new UsageError(describeIssue(result.error.issues), name);
  const config = result.data;
  const known = knownRuleIds();
  for (const id of Object.keys(config.rules)) {
    if (known.has(id)) continue;
    const close = closestMatches(id, [...known]);
    const hint = close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(' or ')}?)` : '';
    throw new UsageError(`unknown rule "${id}" in "rules"${hint}`, name);
  }
  return config;
}

function displayPath(path: string, cwd: string, given?: string): string {
  if (given !== undefined) return given;
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}

function describeIssue(issues: readonly z.core.$ZodIssue[]): string {
  const issue = issues[0];
  if (!issue) return 'invalid configuration';
  const where = keyPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${where ? `${where}.` : ''}${key}"`);
    return `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
  }
  return `invalid value at "${where || '(top level)'}": ${issue.message}`;
}

/** `at line L column C` from a JSON.parse error (Node 20 says `at position N`). */
function jsonPosition(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return `at line ${lineCol[1]} column ${lineCol[2]}`;
  const pos = /position (\d+)/.exec(message);
  if (pos) {
    const offset = Number(pos[1]);
    const before = text.slice(0, offset).split('\n');
    return `at line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
  }
  if (/Unexpected end of JSON input/.test(message)) {
    const lines = text.split('\n');
    return `at line ${lines.length} column ${(lines.at(-1)?.length ?? 0) + 1} (unexpected end)`;
  }
  return `(${message.split('\n')[0]})`;
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest candidates, if any is close enough to be a typo. */
export function closestMatches(word: string, candidates: readonly string[]): string[] {
  let best = Infinity;
  let matches: string[] = [];
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < best) {
      best = d;
      matches = [candidate];
    } else if (d === best) matches.push(candidate);
  }
  const tail = word.includes('/') ? word.slice(word.indexOf('/') + 1) : word;
  if (best > Math.max(3, Math.floor(word.length / 3))) {
    // Same rule name in another pack (`netdev/trailing-whitespace`)?
    const samePart = candidates.filter((c) => c.endsWith(`/${tail}`));
    return samePart.slice(0, 3);
  }
  return matches.slice(0, 3);
}

export interface ConfigView {
  configFile: string | null;
  llm: {
    online: boolean;
    baseUrl: string;
    baseUrlSource: string;
    model: string;
    modelSource: string;
    apiKey: string | null;
    structuredOutput: Config['llm']['structuredOutput'];
    temperature: number;
    timeoutSeconds: number;
    maxRetries: number;
  };
  config: Config;
}

/** A URL with any password replaced by *** (a base URL may carry credentials). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export function configView(config: Config, configFile: string | undefined, env: Record<string, string | undefined> = process.env): ConfigView {
  const endpoint = resolveEndpoint(env);
  return {
    configFile: configFile ?? null,
    llm: {
      online: endpoint.configured,
      baseUrl: maskUrl(endpoint.baseUrl),
      baseUrlSource: endpoint.sources.baseUrl,
      model: endpoint.model,
      modelSource: endpoint.sources.model,
      apiKey: endpoint.apiKey ? maskKey(endpoint.apiKey) : null,
      ...config.llm,
    },
    config,
  };
}

