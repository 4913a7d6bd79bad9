import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createNodeMiddleware } from '@octokit/webhooks';
import type { App } from 'octokit';
import type { JobQueue } from '../queue/types.js';
import { routeEvent } from './events.js';
import { jobKey } from './jobs.js';
import { WEBHOOK_PATH } from './settings.js';

/**
 * The webhook endpoint of `rubberduck serve`. X-Hub-Signature-256 is checked here on the raw
 * bytes of the body before anything else (unsigned or tampered → 401: octokit's middleware would
 * answer 400), then octokit's webhooks middleware gets the same raw body, checks it again and
 * dispatches the event. The handler only queues: the answer goes out at once (GitHub gives up
 * after 10 s) and the work happens behind the queue.
 */
export const MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

export function signatureMatches(secret: string, body: Buffer, header: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface WebhookServerOptions {
  app: App;
  webhookSecret: string;
  queue: JobQueue;
  log: (line: string) => void;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createWebhookServer(options: WebhookServerOptions): Server {
  const { app, queue, log } = options;
  app.webhooks.onAny(async ({ id, name, payload }) => {
    const routed = routeEvent(name, payload, id);
    if ('job' in routed) {
      // Queue first, then remember the delivery: a crash in between loses nothing (the job key dedupes).
      const queued = await queue.enqueue(routed.job);
      const fresh = await queue.once(`delivery:${id}`);
      log(`delivery ${id} ${name}: ${!fresh ? 'redelivery, ignored' : queued ? `queued ${jobKey(routed.job)}` : `already queued ${jobKey(routed.job)}`}`);
    } else {
      const fresh = await queue.once(`delivery:${id}`);
      log(`delivery ${id} ${name}: ${fresh ? routed.skip : 'redelivery, ignored'}`);
    }
  });
  app.webhooks.onError((error) => log(`webhook error: ${error.message.split('\n')[0]}`));
  const middleware = createNodeMiddleware(app.webhooks, { path: WEBHOOK_PATH, log: { debug: () => {}, info: () => {}, warn: (m: string) => log(m), error: () => {} } });

  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      queue.counts().then(
        (counts) => send(res, 200, { ok: true, queue: queue.kind, ...counts }),
        (error: unknown) => send(res, 503, { ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    if (path !== WEBHOOK_PATH) return send(res, 404, { error: `no route ${req.method} ${path}` });
    if (req.method !== 'POST') return send(res, 405, { error: 'webhooks are POSTed' });
    const delivery = String(req.headers['x-github-delivery'] ?? '?');
    const signature = req.headers['x-hub-signature-256'];
    if (typeof signature !== 'string' || signature === '') {
      req.resume();
      log(`delivery ${delivery}: refused, no X-Hub-Signature-256`);
      return send(res, 401, { error: 'missing X-Hub-Signature-256: the webhook secret is required' });
    }
    readBody(req, MAX_PAYLOAD_BYTES).then(
      (body) => {
        if (!body) return send(res, 413, { error: `payload over ${MAX_PAYLOAD_BYTES} bytes` });
        if (!signatureMatches(options.webhookSecret, body, signature)) {
          log(`delivery ${delivery}: refused, X-Hub-Signature-256 does not match the body`);
          return send(res, 401, { error: 'X-Hub-Signature-256 does not match the payload and the webhook secret' });
        }
        // The middleware reads `rawBody` instead of the (already consumed) stream.
        Object.assign(req, { body: {}, rawBody: new Uint8Array(body) });
        void middleware(req, res);
      },
      () => send(res, 400, { error: 'could not read the request body' }),
    );
  });
}
