import { UsageError } from '../model/errors.js';
import type { CheckState } from './schema.js';

/**
 * Patchwork's REST API (v1.2+): patches are found by Message-ID (`GET /api/patches/?msgid=`),
 * and one check per patch is created with `POST /api/patches/{id}/checks/` (state, context,
 * description, target_url), authenticated with `Authorization: Token …`.
 */
export interface PatchCheck {
  messageId: string;
  state: CheckState;
  description: string;
  targetUrl?: string;
}

export interface PatchworkResult {
  posted: number;
  /** Message-IDs patchwork does not know. */
  unknown: string[];
  failed: { messageId: string; error: string }[];
}

const CONTEXT = 'rubberduck';

export class PatchworkClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError('not a URL', url);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError('use an http:// or https:// URL', url);
    this.base = url.replace(/\/+$/, '').replace(/\/api$/, '');
  }

  private async request(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await this.fetchImpl(`${this.base}${path}`, {
        ...init,
        headers: { Accept: 'application/json', Authorization: `Token ${this.token}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}), ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.message : String(error));
      throw new UsageError(`patchwork is unreachable (${cause})`, this.base);
    }
  }

  /** The patch id patchwork gave the message, or undefined. */
  async patchId(messageId: string): Promise<number | undefined> {
    const response = await this.request(`/api/patches/?msgid=${encodeURIComponent(messageId.replace(/^<|>$/g, ''))}`);
    if (response.status === 401 || response.status === 403) throw new UsageError(`patchwork refused the token (HTTP ${response.status})`, this.base);
    if (!response.ok) throw new UsageError(`patchwork answered HTTP ${response.status} to a patch lookup`, this.base);
    const list = (await response.json()) as { id: number }[];
    return Array.isArray(list) && list[0] ? list[0].id : undefined;
  }

  async postCheck(id: number, check: PatchCheck): Promise<void> {
    const response = await this.request(`/api/patches/${id}/checks/`, {
      method: 'POST',
      body: JSON.stringify({ state: check.state, context: CONTEXT, description: check.description.slice(0, 255), ...(check.targetUrl ? { target_url: check.targetUrl } : {}) }),
    });
    if (response.status === 401 || response.status === 403) throw new UsageError(`patchwork refused the token (HTTP ${response.status})`, this.base);
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 120)}`);
  }

  /** One check per patch; an unknown patch is counted, an unreachable server is a UsageError. */
  async postChecks(checks: readonly PatchCheck[]): Promise<PatchworkResult> {
    const result: PatchworkResult = { posted: 0, unknown: [], failed: [] };
    for (const check of checks) {
      const id = await this.patchId(check.messageId);
      if (id === undefined) {
        result.unknown.push(check.messageId);
        continue;
      }
      try {
        await this.postCheck(id, check);
        result.posted++;
      } catch (error) {
        if (error instanceof UsageError) throw error;
        result.failed.push({ messageId: check.messageId, error: (error as Error).message });
      }
    }
    return result;
  }
}
