/**
 * Webhook deliveries for the bot's tests and benchmarks: payloads built from the fixtures in
 * fixtures/github/, signed like GitHub signs them, POSTed over real HTTP; plus starting the BUILT
 * `rubberduck serve` / `rubberduck worker` against the fake GitHub.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeGitHub } from './fake-github.js';

/** The repository root, from test/support/ or from dist/test/support/ (the benchmark imports this module). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, '..', 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = findRoot();
export const CLI = join(REPO_ROOT, 'dist/src/cli/index.js');
export const SECRET = 'test-webhook-secret';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures/github', name), 'utf8')) as Record<string, unknown>;
}

export interface PullEventOptions {
  owner?: string;
  repo?: string;
  number: number;
  headSha: string;
  action?: string;
  draft?: boolean;
  user?: { login: string; type: 'User' | 'Bot' };
  installationId?: number;
  /** The head lives in this fork (owner/name). */
  fork?: string;
}

export function pullRequestEvent(o: PullEventOptions): Record<string, unknown> {
  const payload = fixture('pull_request.opened.json') as {
    action: string;
    number: number;
    pull_request: Record<string, unknown> & { head: { sha: string; repo: Record<string, unknown> }; user: unknown; draft: boolean; number: number };
    repository: { name: string; full_name: string; owner: { login: string } };
    installation: { id: number };
  };
  const owner = o.owner ?? 'octo';
  const repo = o.repo ?? 'demo';
  payload.action = o.action ?? 'opened';
  payload.number = o.number;
  payload.pull_request.number = o.number;
  payload.pull_request.head.sha = o.headSha;
  payload.pull_request.draft = o.draft ?? false;
  if (o.user) payload.pull_request.user = o.user;
  if (o.fork) {
    const [forkOwner, forkName] = o.fork.split('/');
    payload.pull_request.head.repo = { name: forkName, full_name: o.fork, fork: true, owner: { login: forkOwner, type: 'User' } };
  }
  payload.repository.name = repo;
  payload.repository.full_name = `${owner}/${repo}`;
  payload.repository.owner.login = owner;
  payload.installation.id = o.installationId ?? 1;
  return payload;
}

export function issueCommentEvent(o: { owner?: string; repo?: string; number: number; commentId: number; body: string; login: string; installationId?: number }): Record<string, unknown> {
  const payload = fixture('issue_comment.created.json') as {
    issue: { number: number };
    comment: { id: number; body: string; user: { login: string } };
    repository: { name: string; full_name: string; owner: { login: string } };
    installation: { id: number };
  };
  const owner = o.owner ?? 'octo';
  const repo = o.repo ?? 'demo';
  payload.issue.number = o.number;
  payload.comment.id = o.commentId;
  payload.comment.body = o.body;
  payload.comment.user.login = o.login;
  payload.repository.name = repo;
  payload.repository.full_name = `${owner}/${repo}`;
  payload.repository.owner.login = owner;
  payload.installation.id = o.installationId ?? 1;
  return payload;
}

export function sign(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface Delivery {
  status: number;
  body: string;
  ms: number;
}

/** POST one delivery as GitHub does; `signature: null` sends none, `tamper` changes the body after signing. */
export async function deliver(
  url: string,
  event: string,
  payload: unknown,
  options: { id?: string; secret?: string; signature?: string | null; tamper?: boolean } = {},
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const signature = options.signature === null ? undefined : (options.signature ?? sign(options.secret ?? SECRET, body));
  const sent = options.tamper ? body.replace(/"opened"|"created"/, '"closed"') : body;
  const started = performance.now();
  const res = await fetch(`${url}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': options.id ?? randomUUID(),
      'user-agent': 'GitHub-Hookshot/test',
      ...(signature ? { 'x-hub-signature-256': signature } : {}),
    },
    body: sent,
  });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}

export interface Started {
  proc: ChildProcess;
  /** Everything it wrote to stderr so far. */
  log(): string;
  /** The server's base URL (serve only). */
  url: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export function appEnv(fake: FakeGitHub, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(OPENAI_|RUBBERDUCK_MODEL|REDIS_URL|GITHUB_)/.test(k)) env[k] = v;
  return { ...env, APP_ID: String(fake.appId), PRIVATE_KEY: fake.privateKey, WEBHOOK_SECRET: SECRET, GITHUB_API_URL: fake.url, PORT: '0', HOST: '127.0.0.1', RUBBERDUCK_GITHUB_PACING: 'off', ...extra };
}

/** Start the built CLI's `serve` or `worker`; resolves once it says it is ready. */
export async function startCli(command: 'serve' | 'worker', env: Record<string, string>, cwd: string, args: string[] = []): Promise<Started> {
  const proc = spawn(process.execPath, [CLI, command, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const ready = new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const listening = /listening on (http:\/\/[^\s/]+:\d+)/.exec(stderr);
      if (command === 'serve' && listening) resolve(listening[1]!.replace('0.0.0.0', '127.0.0.1'));
      if (command === 'worker' && /ready \(pid/.test(stderr)) resolve('');
    });
    proc.stdout!.resume();
    void exited.then((code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${stderr}`)));
  });
  const url = await ready;
  return {
    proc,
    url,
    log: () => stderr,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Poll `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
