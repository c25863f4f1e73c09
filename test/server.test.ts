import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpRoutes } from '../src/core/http.js';
import { createMetrics } from '../src/metrics.js';
import { createServer, HttpError, readBody, type BotServer, type ReadinessCheck } from '../src/server.js';
import { captureLogger } from './support/capture-logger.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const running: BotServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close(1000)));
});

async function start(isReady: ReadinessCheck = async () => true, extra: { readyTimeoutMs?: number } = {}) {
  const cap = captureLogger();
  const metrics = createMetrics();
  const server = createServer({ config: { host: '127.0.0.1', port: 0 }, log: cap.log, metrics, isReady, ...extra });
  running.push(server);
  return { server, cap, metrics, mountThenListen: async () => server.listen() };
}

describe('createServer', () => {
  it('GET /healthz → 200 {"status":"ok"}', async () => {
    const { mountThenListen } = await start();
    const port = await mountThenListen();
    expect(port).toBeGreaterThan(0);
    const reply = await call(port, 'GET', '/healthz');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' });
    expect(reply.headers['content-type']).toMatch(/application\/json/);
  });

  it('GET /readyz follows isReady', async () => {
    let ready: boolean | { ready: boolean; reason?: string } = true;
    const { mountThenListen } = await start(async () => ready);
    const port = await mountThenListen();
    expect((await call(port, 'GET', '/readyz')).status).toBe(200);
    ready = false;
    const down = await call(port, 'GET', '/readyz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toEqual({ status: 'unavailable', reason: 'not ready' });
    ready = { ready: false, reason: 'store unreachable' };
    expect(JSON.parse((await call(port, 'GET', '/readyz')).body).reason).toBe('store unreachable');
  });

  it('GET /readyz → 503 when the check throws or hangs, without details', async () => {
    let mode: 'throw' | 'hang' = 'throw';
    const { mountThenListen } = await start(
      () => (mode === 'throw' ? Promise.reject(new Error('redis://user:SECRET@host')) : new Promise<boolean>(() => {})),
      { readyTimeoutMs: 100 },
    );
    const port = await mountThenListen();
    const failed = await call(port, 'GET', '/readyz');
    expect(failed.status).toBe(503);
    expect(failed.body).not.toContain('SECRET');
    expect(JSON.parse(failed.body).reason).toBe('readiness check failed');
    mode = 'hang';
    const hung = await call(port, 'GET', '/readyz');
    expect(hung.status).toBe(503);
    expect(JSON.parse(hung.body).reason).toBe('readiness check timed out');
  });

  it('GET /metrics serves prom-client text with the bubbelbreker metrics', async () => {
    const { mountThenListen, metrics } = await start();
    metrics.eventsTotal.inc({ platform: 'slack', kind: 'message', outcome: 'ok' });
    const port = await mountThenListen();
    const reply = await call(port, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    expect(reply.body).toContain('bubbelbreker_events_total{platform="slack",kind="message",outcome="ok"} 1');
    for (const name of [
      'bubbelbreker_event_duration_seconds',
      'bubbelbreker_dedupe_hits_total',
      'bubbelbreker_outbound_total',
      'process_cpu_user_seconds_total',
    ]) {
      expect(reply.body).toContain(`# TYPE ${name}`);
    }
  });

  it('unknown path → 404 JSON; wrong method → 405 with Allow', async () => {
    const { server, mountThenListen } = await start();
    server.mount('POST', '/slack/events', (_req, res) => void res.end('ok'));
    const port = await mountThenListen();
    const missing = await call(port, 'GET', '/nope?x=1');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'not_found' });
    const wrong = await call(port, 'GET', '/slack/events');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect((await call(port, 'POST', '/healthz')).headers.allow).toBe('GET, HEAD');
    expect((await call(port, 'HEAD', '/healthz')).status).toBe(200);
    expect((await call(port, 'POST', '/slack/events?retry=1', '{}')).body).toBe('ok');
  });

  it('counts responses per mounted route and status (the Slack non-2xx alert reads this), other paths as "other"', async () => {
    const { server, metrics, mountThenListen } = await start();
    server.mount('POST', '/slack/events', (_req, res) => {
      res.statusCode = 401;
      res.end();
    });
    const port = await mountThenListen();
    await call(port, 'POST', '/slack/events', '{}');
    await call(port, 'POST', '/slack/events', '{}');
    await call(port, 'GET', '/healthz');
    await call(port, 'GET', '/random-scan-1');
    await call(port, 'GET', '/random-scan-2');
    const values = (await metrics.httpResponsesTotal.get()).values.map((v) => [
      v.labels.route,
      v.labels.status,
      v.value,
    ]);
    expect(values).toEqual(
      expect.arrayContaining([
        ['/slack/events', '401', 2],
        ['/healthz', '200', 1],
        ['other', '404', 2],
      ]),
    );
  });

  it('refuses to mount the same route twice', async () => {
    const { server } = await start();
    const routes: HttpRoutes = server; // adapters see the server as HttpRoutes
    expect(() => routes.mount('POST', '/api/messages', () => {})).not.toThrow();
    expect(() => server.mount('get', '/healthz', () => {})).toThrow(/mounted twice/);
  });

  it('a throwing handler → 500 without details, and the server keeps answering', async () => {
    const { server, cap, mountThenListen } = await start();
    server.mount('POST', '/sync', () => {
      throw new Error('boom');
    });
    server.mount('POST', '/async', async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw new TypeError('later boom');
    });
    const port = await mountThenListen();
    for (const path of ['/sync', '/async']) {
      const reply = await call(port, 'POST', path, '{}');
      expect(reply.status).toBe(500);
      expect(JSON.parse(reply.body)).toEqual({ error: 'internal' });
      expect(reply.body).not.toContain('boom');
    }
    expect((await call(port, 'GET', '/healthz')).status).toBe(200);
    expect(cap.lines().filter((l) => l.msg === 'request handler failed')).toHaveLength(2);
  });

  it('close() stops accepting and waits for a slow request in flight', async () => {
    const { server, mountThenListen } = await start();
    let release!: () => void;
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    server.mount('POST', '/slow', async (req, res) => {
      const body = await readBody(req, 1024);
      entered();
      await new Promise<void>((r) => (release = r));
      res.end(`done:${body.toString()}`);
    });
    const port = await mountThenListen();
    const slow = call(port, 'POST', '/slow', 'abc');
    await inHandler;
    let closedAt = 0;
    const closing = server.close(5000).then(() => (closedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 50));
    expect(closedAt).toBe(0);
    await expect(call(port, 'GET', '/healthz')).rejects.toThrow(/ECONNREFUSED/);
    const releasedAt = Date.now();
    release();
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('done:abc');
    await closing;
    expect(closedAt).toBeGreaterThanOrEqual(releasedAt);
  });

  it('close() cuts off a request that outlives the timeout', async () => {
    const { server, mountThenListen } = await start();
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    server.mount('GET', '/forever', () => entered());
    const port = await mountThenListen();
    const hanging = call(port, 'GET', '/forever').catch((error: Error) => error);
    await inHandler;
    const started = Date.now();
    await server.close(150);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('also answers on ::1 when bound to 127.0.0.1 (where the machine has IPv6)', async () => {
    const { mountThenListen } = await start();
    const port = await mountThenListen();
    const reply = await new Promise<number | 'no-ipv6'>((resolve) => {
      const req = request({ host: '::1', port, path: '/healthz', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'ENETUNREACH' ? 'no-ipv6' : 0),
      );
      req.end();
    });
    expect([200, 'no-ipv6']).toContain(reply);
  });
});

describe('readBody', () => {
  async function echoServer(limit: number) {
    const { server, mountThenListen } = await start();
    server.mount('POST', '/echo', async (req, res) => {
      const body = await readBody(req, limit);
      res.end(`${body.length}`);
    });
    return mountThenListen();
  }

  it('returns the raw bytes', async () => {
    const port = await echoServer(10);
    expect((await call(port, 'POST', '/echo', Buffer.from([0xc3, 0xa9, 0, 1]))).body).toBe('4');
  });

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const port = await echoServer(10);
    const declared = await call(port, 'POST', '/echo', 'x'.repeat(11));
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toEqual({ error: 'payload_too_large' });
    const chunked = await call(port, 'POST', '/echo', 'y'.repeat(50), { 'Transfer-Encoding': 'chunked' });
    expect(chunked.status).toBe(413);
  });

  it('rejects with 400 when the client aborts', async () => {
    const { server, mountThenListen } = await start();
    let outcome!: (e: unknown) => void;
    let entered!: () => void;
    const seen = new Promise<unknown>((r) => (outcome = r));
    const inHandler = new Promise<void>((r) => (entered = r));
    server.mount('POST', '/abort', async (req) => {
      const body = readBody(req, 1000).then(outcome, outcome);
      entered();
      await body;
    });
    const port = await mountThenListen();
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/abort',
      headers: { 'Content-Length': '100' },
      agent: false,
    });
    req.on('error', () => {});
    req.write('partial');
    await inHandler;
    req.destroy();
    const error = await seen;
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
  });
});
