import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../model/errors.js';

export const DEFAULT_API_URL = 'https://api.github.com';
export const DEFAULT_PORT = 3000;
export const WEBHOOK_PATH = '/api/github/webhooks';
export const CHECK_NAME = 'Rubberduck';

type Env = Record<string, string | undefined>;

/**
 * Variables that must not reach a pull request's tests (`/rubberduck fix` runs the PR's code):
 * the bot reads them once at start, keeps them in memory, and removes them from process.env so
 * that no child process inherits them.
 */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PRIVATE_KEY|API_KEY|CREDENTIALS)/i;
const SECRET_NAMES = new Set(['REDIS_URL', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_RUNTIME_URL', 'ACTIONS_CACHE_URL', 'ACTIONS_RESULTS_URL']);

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || SECRET_NAMES.has(name);
}

/** The secrets the bot knows of in an environment (what it keeps away from a PR's tests). */
export function secretNamesIn(env: Record<string, string | undefined>): string[] {
  return [...new Set([...Object.keys(env).filter(isSecretName), 'GITHUB_TOKEN', 'GH_TOKEN', 'PRIVATE_KEY', 'WEBHOOK_SECRET', 'OPENAI_API_KEY', 'REDIS_URL'])];
}

/** A copy of the environment as it was, after which process.env holds no secrets. */
export function takeSecrets(env: NodeJS.ProcessEnv = process.env): Env {
  const snapshot: Env = { ...env };
  for (const name of Object.keys(env)) if (isSecretName(name)) delete env[name];
  return snapshot;
}

export function apiUrlFrom(env: Env): string {
  const raw = env.GITHUB_API_URL || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('not a URL', 'GITHUB_API_URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('expected an http(s) URL', 'GITHUB_API_URL');
  return raw.replace(/\/+$/, '');
}

export interface AppSettings {
  appId: string;
  privateKey: string;
  webhookSecret?: string;
  apiUrl: string;
}

export interface ServeSettings extends AppSettings {
  webhookSecret: string;
  port: number;
  host: string;
  /** Jobs run at once in this process (embedded queue). */
  concurrency: number;
}

function readPrivateKey(env: Env, missing: string[]): string {
  if (env.PRIVATE_KEY) {
    // .env files often hold the PEM on one line with literal \n.
    const key = env.PRIVATE_KEY.includes('\\n') ? env.PRIVATE_KEY.replace(/\\n/g, '\n') : env.PRIVATE_KEY;
    if (!key.includes('-----BEGIN')) throw new UsageError('not a PEM private key (expected -----BEGIN … PRIVATE KEY-----)', 'PRIVATE_KEY');
    return key;
  }
  if (env.PRIVATE_KEY_PATH) {
    let text: string;
    try {
      text = readFileSync(resolve(env.PRIVATE_KEY_PATH), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the private key (${(error as NodeJS.ErrnoException).code ?? 'error'})`, `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH}`);
    }
    if (!text.includes('-----BEGIN')) throw new UsageError('not a PEM private key', `PRIVATE_KEY_PATH=${env.PRIVATE_KEY_PATH}`);
    return text;
  }
  missing.push('PRIVATE_KEY (or PRIVATE_KEY_PATH)');
  return '';
}

function positiveInt(env: Env, name: string, fallback: number, max = 65535): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new UsageError(`expects a whole number from 1 to ${max}`, `${name}=${raw}`);
  return Number(raw);
}

/** The App's credentials (`rubberduck worker` needs no webhook secret). */
export function readAppSettings(env: Env, command: string, needSecret: boolean): { settings: ServeSettings; missing: string[] } {
  const missing: string[] = [];
  if (!env.APP_ID) missing.push('APP_ID');
  else if (!/^\d+$/.test(env.APP_ID) && !/^Iv[0-9a-zA-Z.]+$/.test(env.APP_ID)) throw new UsageError('expected the numeric App ID (or the client ID)', `APP_ID=${env.APP_ID}`);
  const privateKey = readPrivateKey(env, missing);
  if (needSecret && !env.WEBHOOK_SECRET) missing.push('WEBHOOK_SECRET');
  if (missing.length > 0) throw new UsageError(`missing setting${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (set in the environment)`, command);
  return {
    settings: {
      appId: env.APP_ID!,
      privateKey,
      webhookSecret: env.WEBHOOK_SECRET ?? '',
      apiUrl: apiUrlFrom(env),
      // PORT=0 is allowed (any free port, printed on start): tests and benchmarks use it.
      port: env.PORT === '0' ? 0 : positiveInt(env, 'PORT', DEFAULT_PORT),
      host: env.HOST || '0.0.0.0',
      concurrency: positiveInt(env, 'RUBBERDUCK_CONCURRENCY', 2, 64),
    },
    missing,
  };
}

/** `rubberduck serve`: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT, GITHUB_API_URL. */
export function readServeSettings(env: Env): ServeSettings {
  return readAppSettings(env, 'serve', true).settings;
}
