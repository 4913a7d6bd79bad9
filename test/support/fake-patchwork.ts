/**
 * A small stateful patchwork on 127.0.0.1 (a free port): the REST calls the triage makes —
 * `GET /api/patches/?msgid=` and `POST /api/patches/{id}/checks/` — with token authentication,
 * recording the checks it is sent.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePatchwork {
  url: string;
  /** Message-ID (without <>) → patch id, for the patches the fake knows. */
  patches: Map<string, number>;
  checks: { patch: number; body: Record<string, unknown>; authorization: string | undefined }[];
  requests: string[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text;
}

export async function startFakePatchwork(token: string, messageIds: string[]): Promise<FakePatchwork> {
  const patches = new Map(messageIds.map((id, i) => [id, 100 + i]));
  const checks: FakePatchwork['checks'] = [];
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== `Token ${token}`) return json(401, { detail: 'Invalid token.' });
    if (req.method === 'GET' && url.pathname === '/api/patches/') {
      const id = patches.get(url.searchParams.get('msgid') ?? '');
      return json(200, id === undefined ? [] : [{ id, msgid: `<${url.searchParams.get('msgid')}>` }]);
    }
    const check = /^\/api\/patches\/(\d+)\/checks\/$/.exec(url.pathname);
    if (req.method === 'POST' && check) {
      const parsed = JSON.parse(await body(req)) as Record<string, unknown>;
      if (!['pending', 'success', 'warning', 'fail'].includes(String(parsed.state)) || typeof parsed.context !== 'string') return json(400, { state: ['bad'] });
      checks.push({ patch: Number(check[1]), body: parsed, authorization: req.headers.authorization });
      return json(201, { id: checks.length, ...parsed });
    }
    json(404, { detail: 'Not found.' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    patches,
    checks,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
