/**
 * A small STATEFUL fake of the GitHub REST API (and the two GraphQL calls the bot makes) on
 * 127.0.0.1, for tests and benchmarks: the bot's Octokit is pointed at it with GITHUB_API_URL.
 *
 * It keeps what GitHub keeps — installations and their tokens (JWTs checked against the App's
 * public key), repositories with default-branch files and collaborator permissions, pull requests
 * and their files (paginated), reviews (pending ones too), review comments and replies, issue
 * comments, reactions, check runs with annotations, review threads — and refuses what GitHub
 * refuses: 422 for a review comment outside the diff's hunks, more than 50 annotations in one
 * request, check output over 65,535 characters; 403 for writes with a read-only token; 404 for a
 * repository the token cannot see. Every answer carries rate-limit headers.
 */
import { createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeFile {
  filename: string;
  status: 'added' | 'removed' | 'modified' | 'renamed';
  previous_filename?: string;
  /** Left out to play a file GitHub sends no patch for (too large). */
  patch?: string;
  additions?: number;
  deletions?: number;
}

export interface FakeUser {
  login: string;
  type?: 'User' | 'Bot';
}

export interface FakePull {
  number: number;
  title: string;
  state: 'open' | 'closed';
  draft: boolean;
  user: FakeUser;
  headSha: string;
  baseSha: string;
  headRepo: string;
  files: FakeFile[];
  /** Paths GitHub refuses review comments on although they are in the diff (e.g. a diff it does not display). */
  refusePaths?: string[];
}

export interface FakeRepo {
  owner: string;
  name: string;
  defaultBranch: string;
  /** Files on the default branch, served by the contents API. */
  files: Record<string, string>;
  /** login → admin | maintain | write | read | none. */
  permissions: Record<string, string>;
  /** The tar.gz of a ref, served (after a redirect, like codeload) by the tarball API. */
  archive?: (ref: string) => Buffer | undefined;
}

export interface ReviewCommentRecord {
  id: number;
  node_id: string;
  pull: string;
  pull_request_review_id: number | null;
  path: string;
  line: number | null;
  side: 'LEFT' | 'RIGHT';
  start_line: number | null;
  start_side: 'LEFT' | 'RIGHT' | null;
  body: string;
  user: FakeUser;
  in_reply_to_id?: number;
  commit_id: string;
}

export interface ReviewRecord {
  id: number;
  pull: string;
  user: FakeUser;
  body: string;
  state: 'PENDING' | 'COMMENTED' | 'APPROVED' | 'CHANGES_REQUESTED';
  commit_id: string;
  comments: number[];
}

export interface IssueCommentRecord {
  id: number;
  issue: string;
  body: string;
  user: FakeUser;
  edits: number;
}

export interface CheckRunRecord {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string };
  annotations: { path: string; start_line: number; end_line: number; annotation_level: string; message: string; title?: string }[];
  /** Requests that carried annotations, with how many each. */
  annotationRequests: number[];
}

export interface RequestRecord {
  method: string;
  path: string;
  /** The query string, `?` included ('' when none). */
  search: string;
  status: number;
  userAgent: string;
  login?: string;
  at: number;
}

interface TokenInfo {
  login: string;
  installationId?: number;
  readOnly: boolean;
  /** Repositories (owner/name) it can see; undefined = every repository. */
  repos?: Set<string>;
}

interface Matcher {
  method: string;
  path: RegExp;
}

interface Gate extends Matcher {
  seen: Promise<RequestRecord>;
  markSeen: (r: RequestRecord) => void;
  released: Promise<void>;
  release: () => void;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
};

function b64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Commentable lines of a file's patch: side → line → hunk index. */
export function commentableLines(patch: string | undefined): { RIGHT: Map<number, number>; LEFT: Map<number, number> } {
  const out = { RIGHT: new Map<number, number>(), LEFT: new Map<number, number>() };
  if (!patch) return out;
  let oldNo = 0;
  let newNo = 0;
  let hunk = -1;
  for (const line of patch.split('\n')) {
    const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (header) {
      oldNo = Number(header[1]);
      newNo = Number(header[2]);
      hunk++;
      continue;
    }
    if (hunk < 0 || line.startsWith('\\')) continue;
    if (line.startsWith('+')) out.RIGHT.set(newNo++, hunk);
    else if (line.startsWith('-')) out.LEFT.set(oldNo++, hunk);
    else {
      out.RIGHT.set(newNo++, hunk);
      out.LEFT.set(oldNo++, hunk);
    }
  }
  return out;
}

export class FakeGitHub {
  url = '';
  readonly appId = 4242;
  readonly appSlug = 'rubberduck-test';
  readonly botLogin = 'rubberduck-test[bot]';
  readonly privateKey: string;
  private readonly publicKey: string;
  private server!: Server;
  private nextId = 1000;
  private rateRemaining = 5000;
  private rateLimited = 0;
  readonly requests: RequestRecord[] = [];
  readonly installations = new Map<number, Set<string>>();
  private readonly tokens = new Map<string, TokenInfo>();
  readonly repos = new Map<string, FakeRepo>();
  readonly pulls = new Map<string, FakePull>();
  readonly reviews = new Map<number, ReviewRecord>();
  readonly reviewComments = new Map<number, ReviewCommentRecord>();
  readonly issueComments = new Map<number, IssueCommentRecord>();
  readonly reactions: { commentId: number; content: string; user: string }[] = [];
  readonly checkRuns = new Map<number, CheckRunRecord>();
  readonly resolvedThreads = new Set<number>();
  private failures: (Matcher & { status: number; message: string; times: number })[] = [];
  private gates: Gate[] = [];

  constructor() {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => json(res, 500, { message: String(error) }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const gate of this.gates) gate.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── set-up ────────────────────────────────────────────────────────────────────────────────

  id(): number {
    return ++this.nextId;
  }

  addInstallation(id: number, repos: string[]): void {
    this.installations.set(id, new Set(repos));
  }

  addRepo(repo: Partial<FakeRepo> & { owner: string; name: string }): FakeRepo {
    const full: FakeRepo = { defaultBranch: 'main', files: {}, permissions: {}, ...repo };
    this.repos.set(`${repo.owner}/${repo.name}`, full);
    return full;
  }

  /** A token as GitHub Actions hands out (GITHUB_TOKEN): read-only for fork PRs. */
  addToken(token: string, info: { login?: string; readOnly?: boolean; repos?: string[] } = {}): void {
    this.tokens.set(token, { login: info.login ?? 'github-actions[bot]', readOnly: info.readOnly ?? false, ...(info.repos ? { repos: new Set(info.repos) } : {}) });
  }

  addPull(repo: string, pull: Partial<FakePull> & { number: number; headSha: string; files: FakeFile[] }): FakePull {
    const full: FakePull = { title: `PR ${pull.number}`, state: 'open', draft: false, user: { login: 'alice', type: 'User' }, baseSha: 'b'.repeat(40), headRepo: repo, ...pull };
    this.pulls.set(`${repo}#${pull.number}`, full);
    return full;
  }

  /** A push: the PR's head and files change. */
  push(repo: string, number: number, headSha: string, files: FakeFile[]): void {
    const pull = this.pulls.get(`${repo}#${number}`)!;
    pull.headSha = headSha;
    pull.files = files;
  }

  /** Someone answers a review comment (the bot then resolves it rather than deleting it). */
  reply(repo: string, number: number, inReplyTo: number, login: string, body: string): ReviewCommentRecord {
    const parent = this.reviewComments.get(inReplyTo)!;
    const record: ReviewCommentRecord = { ...parent, id: this.id(), node_id: `RC_${this.nextId}`, pull_request_review_id: null, body, user: { login, type: 'User' }, in_reply_to_id: inReplyTo };
    this.reviewComments.set(record.id, record);
    void repo;
    void number;
    return record;
  }

  addIssueComment(repo: string, number: number, login: string, body: string): IssueCommentRecord {
    const record: IssueCommentRecord = { id: this.id(), issue: `${repo}#${number}`, body, user: { login, type: 'User' }, edits: 0 };
    this.issueComments.set(record.id, record);
    return record;
  }

  /** The next `times` requests matching answer `status` (e.g. a 500, or a 422). */
  failNext(method: string, path: RegExp, status: number, message = 'injected failure', times = 1): void {
    this.failures.push({ method, path, status, message, times });
  }

  /** The next `count` requests get a primary rate limit (403, remaining 0, reset in 1 s). */
  rateLimitNext(count: number): void {
    this.rateLimited = count;
  }

  /** Hold the first request matching until release(); `seen` resolves when it arrives. */
  hold(method: string, path: RegExp): { seen: Promise<RequestRecord>; release: () => void } {
    let markSeen!: (r: RequestRecord) => void;
    let release!: () => void;
    const seen = new Promise<RequestRecord>((resolve) => (markSeen = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const gate: Gate = { method, path, seen, markSeen, released, release };
    this.gates.push(gate);
    return { seen, release };
  }

  // ── queries for assertions ───────────────────────────────────────────────────────────────

  commentsOn(repo: string, number: number): ReviewCommentRecord[] {
    return [...this.reviewComments.values()].filter((c) => c.pull === `${repo}#${number}`);
  }

  reviewsOn(repo: string, number: number): ReviewRecord[] {
    return [...this.reviews.values()].filter((r) => r.pull === `${repo}#${number}`);
  }

  issueCommentsOn(repo: string, number: number): IssueCommentRecord[] {
    return [...this.issueComments.values()].filter((c) => c.issue === `${repo}#${number}`);
  }

  checkRunsFor(repo: string, sha?: string): CheckRunRecord[] {
    return [...this.checkRuns.values()].filter((c) => c.repo === repo && (sha === undefined || c.head_sha === sha));
  }

  writes(): RequestRecord[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  // ── HTTP ─────────────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const record: RequestRecord = { method, path: url.pathname, search: url.search, status: 0, userAgent: String(req.headers['user-agent'] ?? ''), at: Date.now() };
    this.requests.push(record);

    const reset = Math.floor(Date.now() / 1000) + 1;
    const rateHeaders = () => ({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(this.rateRemaining), 'x-ratelimit-reset': String(reset), 'x-ratelimit-used': String(5000 - this.rateRemaining), 'x-ratelimit-resource': 'core' });
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      json(res, status, body, { ...rateHeaders(), ...headers });
    };

    const gate = this.gates.find((g) => g.method === method && g.path.test(url.pathname));
    if (gate) {
      this.gates = this.gates.filter((g) => g !== gate);
      gate.markSeen(record);
      await gate.released;
      if (res.destroyed || req.socket.destroyed) return;
    }

    if (url.pathname.startsWith('/_codeload/')) return this.codeload(url, res, record);

    // Authentication: a JWT for /app, a token for everything else.
    const auth = String(req.headers.authorization ?? '').replace(/^(token|bearer)\s+/i, '');
    let login: string | undefined;
    let token: TokenInfo | undefined;
    if (url.pathname.startsWith('/app')) {
      if (!this.jwtValid(auth)) return reply(401, { message: 'A JSON web token could not be decoded' });
    } else {
      token = this.tokens.get(auth);
      if (!token) return reply(401, { message: 'Bad credentials' });
      login = token.login;
      record.login = login;
    }

    if (this.rateLimited > 0) {
      this.rateLimited--;
      this.rateRemaining = 0;
      record.status = 403;
      json(res, 403, { message: 'API rate limit exceeded' }, { ...rateHeaders(), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) });
      this.rateRemaining = 5000;
      return;
    }
    this.rateRemaining = Math.max(1, this.rateRemaining - 1);

    const failure = this.failures.find((f) => f.method === method && f.path.test(url.pathname));
    if (failure) {
      if (--failure.times <= 0) this.failures = this.failures.filter((f) => f !== failure);
      return reply(failure.status, { message: failure.message });
    }

    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return reply(400, { message: 'Problems parsing JSON' });
      }
    }

    if (method === 'GET' && url.pathname === '/app') return reply(200, { id: this.appId, slug: this.appSlug, name: 'Rubberduck test' });
    let m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
    if (m && method === 'POST') {
      const id = Number(m[1]);
      const repos = this.installations.get(id);
      if (!repos) return reply(404, { message: 'Not Found' });
      const value = `ghs_${randomBytes(12).toString('hex')}`;
      this.tokens.set(value, { login: this.botLogin, installationId: id, readOnly: false, repos });
      return reply(201, { token: value, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { pull_requests: 'write', checks: 'write', contents: 'read', issues: 'write' }, repository_selection: 'selected' });
    }
    if (url.pathname === '/graphql' && method === 'POST') return this.graphql(body, token!, reply);

    m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!m) return reply(404, { message: 'Not Found' });
    const fullName = `${m[1]}/${m[2]}`;
    const repo = this.repos.get(fullName);
    if (!repo || (token!.repos && !token!.repos.has(fullName))) return reply(404, { message: 'Not Found' });
    const rest = m[3] ?? '';
    if (method !== 'GET' && token!.readOnly) return reply(403, { message: 'Resource not accessible by integration' });
    return this.repoRoute(method, rest, url, body, repo, fullName, login!, reply, res, record);
  }

  private jwtValid(jwt: string): boolean {
    const parts = jwt.split('.');
    if (parts.length !== 3) return false;
    const verify = createVerify('RSA-SHA256');
    verify.update(`${parts[0]}.${parts[1]}`);
    if (!verify.verify(this.publicKey, b64url(parts[2]!))) return false;
    const claims = JSON.parse(b64url(parts[1]!).toString('utf8')) as { iss?: unknown; exp?: number };
    return String(claims.iss) === String(this.appId) && typeof claims.exp === 'number' && claims.exp * 1000 > Date.now();
  }

  private paginate<T>(url: URL, items: T[], reply: (s: number, b: unknown, h?: Record<string, string>) => void, max = Infinity): void {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30)));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const all = items.slice(0, max);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const links: string[] = [];
    const link = (p: number, rel: string) => {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(p));
      next.searchParams.set('per_page', String(perPage));
      links.push(`<${next.toString()}>; rel="${rel}"`);
    };
    if (page < last) {
      link(page + 1, 'next');
      link(last, 'last');
    }
    reply(200, all.slice((page - 1) * perPage, page * perPage), links.length > 0 ? { link: links.join(', ') } : {});
  }

  private pullJson(repo: FakeRepo, fullName: string, pull: FakePull) {
    return {
      number: pull.number,
      title: pull.title,
      state: pull.state,
      draft: pull.draft,
      user: { login: pull.user.login, type: pull.user.type ?? 'User' },
      html_url: `${this.url}/${fullName}/pull/${pull.number}`,
      head: { sha: pull.headSha, ref: 'feature', repo: { full_name: pull.headRepo, fork: pull.headRepo !== fullName } },
      base: { sha: pull.baseSha, ref: repo.defaultBranch, repo: { full_name: fullName, default_branch: repo.defaultBranch } },
    };
  }

  private commentJson(c: ReviewCommentRecord) {
    const { pull: _pull, ...rest } = c;
    return { ...rest, user: { login: c.user.login, type: c.user.type ?? 'User' }, original_line: c.line, html_url: `${this.url}/comments/${c.id}` };
  }

  private repoRoute(
    method: string,
    rest: string,
    url: URL,
    body: Record<string, unknown>,
    repo: FakeRepo,
    fullName: string,
    login: string,
    reply: (s: number, b: unknown, h?: Record<string, string>) => void,
    res: ServerResponse,
    record: RequestRecord,
  ): void {
    const user = { login, type: login.endsWith('[bot]') ? ('Bot' as const) : ('User' as const) };
    if (rest === '' && method === 'GET') return reply(200, { full_name: fullName, name: repo.name, owner: { login: repo.owner }, default_branch: repo.defaultBranch });

    let m = /^\/contents\/(.+)$/.exec(rest);
    if (m && method === 'GET') {
      const path = decodeURIComponent(m[1]!);
      const ref = url.searchParams.get('ref') ?? repo.defaultBranch;
      // Only the default branch has files here: a PR branch's config is never served (nor read).
      const text = ref === repo.defaultBranch ? repo.files[path] : undefined;
      if (text === undefined) return reply(404, { message: 'Not Found' });
      return reply(200, { type: 'file', path, encoding: 'base64', content: Buffer.from(text).toString('base64'), sha: 'c'.repeat(40) });
    }

    m = /^\/tarball\/(.+)$/.exec(rest);
    if (m && method === 'GET') {
      const ref = decodeURIComponent(m[1]!);
      if (!repo.archive?.(ref)) return reply(404, { message: 'Not Found' });
      record.status = 302;
      res.writeHead(302, { location: `${this.url}/_codeload/${fullName}/tar.gz/${encodeURIComponent(ref)}` });
      res.end();
      return;
    }

    m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest);
    if (m && method === 'GET') {
      const who = decodeURIComponent(m[1]!);
      const permission = repo.permissions[who];
      if (permission === undefined) return reply(404, { message: `${who} is not a user` });
      const legacy = permission === 'maintain' ? 'write' : permission === 'triage' ? 'read' : permission;
      return reply(200, { permission: legacy, role_name: permission, user: { login: who } });
    }

    m = /^\/pulls\/(\d+)(\/.*)?$/.exec(rest);
    if (m) {
      const number = Number(m[1]);
      const key = `${fullName}#${number}`;
      const pull = this.pulls.get(key);
      if (!pull) return reply(404, { message: 'Not Found' });
      const sub = m[2] ?? '';
      if (sub === '' && method === 'GET') return reply(200, this.pullJson(repo, fullName, pull));
      if (sub === '/files' && method === 'GET') {
        const files = pull.files.map((f) => {
          const lines = (f.patch ?? '').split('\n');
          const additions = f.additions ?? lines.filter((l) => l.startsWith('+')).length;
          const deletions = f.deletions ?? lines.filter((l) => l.startsWith('-')).length;
          return { sha: 'd'.repeat(40), filename: f.filename, status: f.status, additions, deletions, changes: additions + deletions, ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}), ...(f.patch !== undefined ? { patch: f.patch } : {}) };
        });
        // GitHub lists at most 3000 files.
        return this.paginate(url, files, reply, 3000);
      }
      if (sub === '/comments' && method === 'GET') return this.paginate(url, this.commentsOn(fullName, number).map((c) => this.commentJson(c)), reply);
      if (sub === '/reviews' && method === 'GET') return this.paginate(url, this.reviewsOn(fullName, number).map((r) => ({ id: r.id, user: r.user, body: r.body, state: r.state, commit_id: r.commit_id })), reply);
      if (sub === '/reviews' && method === 'POST') return this.createReview(key, pull, body, user, reply);
      const dm = /^\/reviews\/(\d+)$/.exec(sub);
      if (dm && method === 'DELETE') {
        const review = this.reviews.get(Number(dm[1]));
        if (!review || review.pull !== key) return reply(404, { message: 'Not Found' });
        if (review.state !== 'PENDING') return reply(422, { message: 'Can not delete a non-pending pull request review' });
        for (const id of review.comments) this.reviewComments.delete(id);
        this.reviews.delete(review.id);
        return reply(200, { id: review.id, state: 'PENDING' });
      }
      return reply(404, { message: 'Not Found' });
    }

    m = /^\/pulls\/comments\/(\d+)$/.exec(rest);
    if (m) {
      const comment = this.reviewComments.get(Number(m[1]));
      if (!comment || !comment.pull.startsWith(`${fullName}#`)) return reply(404, { message: 'Not Found' });
      if (comment.user.login !== login) return reply(403, { message: 'Must be the author' });
      if (method === 'PATCH') {
        comment.body = String(body.body ?? '');
        return reply(200, this.commentJson(comment));
      }
      if (method === 'DELETE') {
        this.reviewComments.delete(comment.id);
        record.status = 204;
        res.writeHead(204);
        res.end();
        return;
      }
    }

    m = /^\/issues\/(\d+)\/comments$/.exec(rest);
    if (m) {
      const issue = `${fullName}#${m[1]}`;
      if (method === 'GET') return this.paginate(url, this.issueCommentsOn(fullName, Number(m[1])).map((c) => ({ id: c.id, body: c.body, user: c.user })), reply);
      if (method === 'POST') {
        const c: IssueCommentRecord = { id: this.id(), issue, body: String(body.body ?? ''), user, edits: 0 };
        if (c.body.length > 65_536) return reply(422, { message: 'Body is too long (maximum is 65536 characters)' });
        this.issueComments.set(c.id, c);
        return reply(201, { id: c.id, body: c.body, user });
      }
    }
    m = /^\/issues\/comments\/(\d+)(\/reactions)?$/.exec(rest);
    if (m) {
      const c = this.issueComments.get(Number(m[1]));
      if (!c || !c.issue.startsWith(`${fullName}#`)) return reply(404, { message: 'Not Found' });
      if (m[2] && method === 'POST') {
        this.reactions.push({ commentId: c.id, content: String(body.content), user: login });
        return reply(201, { id: this.id(), content: body.content, user });
      }
      if (!m[2] && method === 'PATCH') {
        if (c.user.login !== login) return reply(403, { message: 'Must be the author' });
        c.body = String(body.body ?? '');
        c.edits++;
        return reply(200, { id: c.id, body: c.body, user: c.user });
      }
    }

    if (rest === '/check-runs' && method === 'POST') {
      const output = (body.output ?? {}) as CheckRunRecord['output'] & { annotations?: CheckRunRecord['annotations'] };
      const problem = this.checkOutputProblem(output);
      if (problem) return reply(422, { message: problem });
      const run: CheckRunRecord = { id: this.id(), repo: fullName, name: String(body.name), head_sha: String(body.head_sha), status: String(body.status ?? 'queued'), conclusion: (body.conclusion as string) ?? null, output: { title: output.title, summary: output.summary, text: output.text }, annotations: [...(output.annotations ?? [])], annotationRequests: output.annotations?.length ? [output.annotations.length] : [] };
      this.checkRuns.set(run.id, run);
      return reply(201, this.checkJson(run));
    }
    m = /^\/check-runs\/(\d+)$/.exec(rest);
    if (m && method === 'PATCH') {
      const run = this.checkRuns.get(Number(m[1]));
      if (!run || run.repo !== fullName) return reply(404, { message: 'Not Found' });
      const output = (body.output ?? undefined) as (CheckRunRecord['output'] & { annotations?: CheckRunRecord['annotations'] }) | undefined;
      if (output) {
        const problem = this.checkOutputProblem(output);
        if (problem) return reply(422, { message: problem });
        run.output = { title: output.title, summary: output.summary, text: output.text };
        if (output.annotations?.length) {
          run.annotations.push(...output.annotations);
          run.annotationRequests.push(output.annotations.length);
        }
      }
      if (body.status) run.status = String(body.status);
      if (body.conclusion) run.conclusion = String(body.conclusion);
      return reply(200, this.checkJson(run));
    }
    m = /^\/commits\/([^/]+)\/check-runs$/.exec(rest);
    if (m && method === 'GET') {
      const name = url.searchParams.get('check_name');
      const runs = this.checkRunsFor(fullName, m[1]).filter((r) => !name || r.name === name);
      return reply(200, { total_count: runs.length, check_runs: runs.map((r) => this.checkJson(r)) });
    }
    return reply(404, { message: `Not Found: ${method} ${rest}` });
  }

  private checkOutputProblem(output: { title?: string; summary?: string; text?: string; annotations?: unknown[] }): string | undefined {
    if ((output.annotations?.length ?? 0) > 50) return 'Only 50 annotations may be sent per request';
    if ((output.text?.length ?? 0) > 65_535) return 'output.text is too long (maximum is 65535 characters)';
    if ((output.summary?.length ?? 0) > 65_535) return 'output.summary is too long (maximum is 65535 characters)';
    return undefined;
  }

  private checkJson(run: CheckRunRecord) {
    return { id: run.id, name: run.name, head_sha: run.head_sha, status: run.status, conclusion: run.conclusion, html_url: `${this.url}/runs/${run.id}`, output: { ...run.output, annotations_count: run.annotations.length } };
  }

  private createReview(key: string, pull: FakePull, body: Record<string, unknown>, user: FakeUser, reply: (s: number, b: unknown) => void): void {
    const comments = (body.comments ?? []) as { path: string; line?: number; side?: 'LEFT' | 'RIGHT'; start_line?: number; start_side?: 'LEFT' | 'RIGHT'; body: string; position?: number }[];
    const event = body.event as string | undefined;
    if (!event && [...this.reviews.values()].some((r) => r.pull === key && r.state === 'PENDING' && r.user.login === user.login)) {
      return reply(422, { message: 'Unprocessable Entity', errors: ['User can only have one pending review per pull request'] } as unknown as Record<string, unknown>);
    }
    if (body.commit_id && body.commit_id !== pull.headSha) {
      // GitHub accepts an older commit of the PR; this fake keeps only the head, so anything else is stale.
    }
    for (const c of comments) {
      const file = pull.files.find((f) => f.filename === c.path);
      if (!file || file.patch === undefined || pull.refusePaths?.includes(c.path)) return reply(422, { message: 'Unprocessable Entity', errors: ['Path could not be resolved'] });
      if (c.line === undefined) return reply(422, { message: 'Unprocessable Entity', errors: ['line is required'] });
      const lines = commentableLines(file.patch)[c.side ?? 'RIGHT'];
      const hunk = lines.get(c.line);
      if (hunk === undefined) return reply(422, { message: 'Unprocessable Entity', errors: ['Line could not be resolved'] });
      if (c.start_line !== undefined) {
        for (let n = c.start_line; n <= c.line; n++) if (lines.get(n) !== hunk) return reply(422, { message: 'Unprocessable Entity', errors: ['start_line must be part of the same hunk as the line'] });
      }
    }
    const review: ReviewRecord = { id: this.id(), pull: key, user, body: String(body.body ?? ''), state: event ? (event === 'APPROVE' ? 'APPROVED' : event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : 'COMMENTED') : 'PENDING', commit_id: String(body.commit_id ?? pull.headSha), comments: [] };
    this.reviews.set(review.id, review);
    for (const c of comments) {
      const record: ReviewCommentRecord = { id: this.id(), node_id: `RC_${this.nextId}`, pull: key, pull_request_review_id: review.id, path: c.path, line: c.line!, side: c.side ?? 'RIGHT', start_line: c.start_line ?? null, start_side: c.start_side ?? null, body: c.body, user, commit_id: review.commit_id };
      this.reviewComments.set(record.id, record);
      review.comments.push(record.id);
    }
    reply(200, { id: review.id, state: review.state, user, body: review.body, commit_id: review.commit_id });
  }

  private graphql(body: Record<string, unknown>, token: TokenInfo, reply: (s: number, b: unknown) => void): void {
    const query = String(body.query ?? '');
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    if (token.readOnly && query.includes('mutation')) return reply(200, { errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }] });
    if (query.includes('reviewThreads')) {
      const key = `${variables.owner}/${variables.repo}#${variables.number}`;
      const roots = [...this.reviewComments.values()].filter((c) => c.pull === key && !c.in_reply_to_id);
      const nodes = roots.map((c) => ({ id: `THREAD_${c.id}`, isResolved: this.resolvedThreads.has(c.id), comments: { nodes: [{ databaseId: c.id }] } }));
      return reply(200, { data: { repository: { pullRequest: { reviewThreads: { nodes, pageInfo: { hasNextPage: false, endCursor: null } } } } } });
    }
    if (query.includes('resolveReviewThread')) {
      const id = Number(String(variables.id).replace('THREAD_', ''));
      this.resolvedThreads.add(id);
      return reply(200, { data: { resolveReviewThread: { thread: { id: variables.id, isResolved: true } } } });
    }
    return reply(200, { errors: [{ message: 'unsupported query in the fake' }] });
  }

  private codeload(url: URL, res: ServerResponse, record: RequestRecord): void {
    const m = /^\/_codeload\/([^/]+)\/([^/]+)\/tar\.gz\/(.+)$/.exec(url.pathname);
    const archive = m ? this.repos.get(`${m[1]}/${m[2]}`)?.archive?.(decodeURIComponent(m[3]!)) : undefined;
    if (!archive) {
      record.status = 404;
      res.writeHead(404);
      res.end();
      return;
    }
    record.status = 200;
    res.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': archive.length });
    res.end(archive);
  }
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  return new FakeGitHub().start();
}
