import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readBody } from '../../src/http/body.js';
import { HttpError } from '../../src/http/errors.js';
import { createHttpServer } from '../../src/http/server.js';
import { createMetrics } from '../../src/metrics.js';
import { silentLogger } from '../../src/logger.js';
import { call, json, rawSocket, sleep, startServer, stopAll } from './client.js';

afterEach(async () => {
  vi.useRealTimers();
  await stopAll();
});

describe('built-in routes', () => {
  it('GET /healthz → 200 {"status":"ok"}', async () => {
    const { port } = await startServer();
    const reply = await call(port, 'GET', '/healthz');
    expect(reply.status).toBe(200);
    expect(json(reply)).toEqual({ status: 'ok' });
    expect(reply.headers['content-type']).toMatch(/application\/json/);
  });

  it('GET /readyz follows the readiness check', async () => {
    let ready: boolean | { ready: boolean; reason?: string } = true;
    const { port } = await startServer(undefined, { isReady: async () => ready });
    expect((await call(port, 'GET', '/readyz')).status).toBe(200);
    ready = false;
    const down = await call(port, 'GET', '/readyz');
    expect(down.status).toBe(503);
    expect(json(down)).toEqual({ status: 'unavailable', reason: 'not ready' });
    ready = { ready: false, reason: 'store unreachable' };
    expect(json(await call(port, 'GET', '/readyz'))).toMatchObject({ reason: 'store unreachable' });
  });

  it('GET /readyz → 503 without details when the check throws', async () => {
    const { port, cap } = await startServer(undefined, {
      isReady: () => Promise.reject(new Error('redis://user:SECRET@host')),
    });
    const failed = await call(port, 'GET', '/readyz');
    expect(failed.status).toBe(503);
    expect(json(failed)).toEqual({ status: 'unavailable', reason: 'readiness check failed' });
    expect(cap.text()).not.toContain('SECRET');
  });

  it('GET /readyz → 503 when the check outlives its timeout', async () => {
    let asked!: () => void;
    const wasAsked = new Promise<void>((r) => (asked = r));
    const { port } = await startServer(undefined, {
      config: { readyTimeoutMs: 2_000 },
      isReady: () => {
        asked();
        return new Promise<boolean>(() => undefined);
      },
    });
    // A raw socket: the test's HTTP client is intercepted by nock, whose socket runs on the faked timers.
    const client = await rawSocket(port);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    client.socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await wasAsked;
    await vi.advanceTimersByTimeAsync(1_999);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(client.received()).toBe('');
    await vi.advanceTimersByTimeAsync(1);
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 503 /);
    expect(client.received()).toContain('"reason":"readiness check timed out"');
  });

  it('GET /metrics serves prom-client text with the bubbelbreker metrics', async () => {
    const { port, metrics } = await startServer(undefined, { defaultMetrics: true });
    metrics.eventsTotal.inc({ platform: 'slack', kind: 'message', outcome: 'ok' });
    const reply = await call(port, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    expect(reply.body).toContain('bubbelbreker_events_total{platform="slack",kind="message",outcome="ok"} 1');
    for (const name of ['bubbelbreker_event_duration_seconds', 'process_cpu_user_seconds_total'])
      expect(reply.body).toContain(`# TYPE ${name}`);
  });

  it('also answers on ::1 when bound to 127.0.0.1 (where the machine has IPv6)', async () => {
    const { port } = await startServer();
    const status = await new Promise<number | 'no-ipv6'>((resolve) => {
      const req = request({ host: '::1', port, path: '/healthz', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code === 'EADDRNOTAVAIL' || error.code === 'ENETUNREACH' ? 'no-ipv6' : 0),
      );
      req.end();
    });
    expect([200, 'no-ipv6']).toContain(status);
  });
});

describe('metrics per route', () => {
  it('counts answers by matched route pattern and status, never the raw URL; the rest as "other"', async () => {
    const { port, metrics } = await startServer((s) => {
      s.route({
        method: 'GET',
        path: '/api/items/:id',
        bodyLimit: 0,
        handler: (_q, res, params) => {
          res.statusCode = params.id === '404' ? 404 : 200;
          res.end();
        },
      });
      s.route({ method: 'POST', path: '/slack/events', bodyLimit: 100, handler: () => Promise.resolve() });
    });
    await call(port, 'GET', '/api/items/1');
    await call(port, 'GET', '/api/items/2');
    await call(port, 'GET', '/api/items/404');
    await call(port, 'GET', '/random-scan-1');
    await call(port, 'GET', '/random-scan-2');
    await call(port, 'POST', '/slack/events', { headers: { 'Content-Length': 500 }, holdBody: true });
    const values = (await metrics.httpResponsesTotal.get()).values.map((v) => [
      v.labels.route,
      v.labels.status,
      v.value,
    ]);
    expect(values).toEqual(
      expect.arrayContaining([
        ['/api/items/:id', '200', 2],
        ['/api/items/:id', '404', 1],
        ['other', '404', 2],
        ['/slack/events', '413', 1],
      ]),
    );
    expect(JSON.stringify(values)).not.toContain('random-scan');
  });
});

describe('time limits (set explicitly; small here so the tests are quick)', () => {
  // Node enforces these on its own timers, so they run in real time; the bounds are far below Node's defaults.
  it('a client that sends its headers slowly is cut off with 408 after the headers timeout', async () => {
    const { port } = await startServer(undefined, { config: { headersTimeoutMs: 300, requestTimeoutMs: 1_000 } });
    const client = await rawSocket(port);
    const started = Date.now();
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => client.socket.writable && client.socket.write('X-Slow: 1\r\n'), 50);
    await client.closed;
    clearInterval(drip);
    const elapsed = Date.now() - started;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.received()).toContain('{"error":"request_timeout"}');
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('a body sent slowly is cut off with 408 after the request timeout; the handler sees request_aborted', async () => {
    let outcome!: (e: unknown) => void;
    const seen = new Promise<unknown>((r) => (outcome = r));
    const { port } = await startServer(
      (s) =>
        s.route({
          method: 'POST',
          path: '/upload',
          bodyLimit: 1_000,
          handler: async (req, res) => {
            await readBody(req, 1_000).then(() => res.end('complete'), outcome);
          },
        }),
      { config: { headersTimeoutMs: 200, requestTimeoutMs: 600 } },
    );
    const client = await rawSocket(port);
    const started = Date.now();
    client.socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
    const drip = setInterval(() => client.socket.writable && client.socket.write('x'), 50);
    await client.closed;
    clearInterval(drip);
    const elapsed = Date.now() - started;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsed).toBeGreaterThanOrEqual(580);
    expect(elapsed).toBeLessThan(5_000);
    const error = await seen;
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).reason).toBe('request_aborted');
  });

  it('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
    const { port } = await startServer(undefined, { config: { keepAliveTimeoutMs: 200 } });
    const client = await rawSocket(port);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const answeredAt = Date.now();
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.received()).toContain('Keep-Alive: timeout=');
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(150);
  });

  it('the last answer on a connection says Connection: close after maxRequestsPerSocket requests', async () => {
    const { port } = await startServer(undefined, { config: { maxRequestsPerSocket: 2 } });
    const client = await rawSocket(port);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await vi.waitFor(() => expect(client.received().match(/HTTP\/1\.1 200 /g)).toHaveLength(2));
    const [first, second] = client.received().split('HTTP/1.1 200 ').slice(1);
    expect(first).toMatch(/Connection: keep-alive/i);
    expect(second).toMatch(/Connection: close/i);
    client.socket.destroy();
  });

  it('refuses the limits Node cannot honour (headers timeout longer than the request timeout)', () => {
    expect(() =>
      createHttpServer(
        { host: '127.0.0.1', port: 0, headersTimeoutMs: 2_000, requestTimeoutMs: 1_000 },
        { log: silentLogger(), metrics: createMetrics({ defaultMetrics: false }), isReady: async () => true },
      ),
    ).toThrow(/headersTimeoutMs/);
  });
});

describe('the connection cap', () => {
  it('refuses connections over maxConnections and accepts again once one closes', async () => {
    const { port } = await startServer(undefined, { config: { maxConnections: 2 } });
    const held = [await rawSocket(port), await rawSocket(port)];
    // Each is answered once, so the server has surely counted both.
    for (const h of held) h.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await vi.waitFor(() => expect(held.every((h) => h.received().startsWith('HTTP/1.1 200'))).toBe(true));
    const third = await rawSocket(port);
    third.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await third.closed;
    expect(third.received()).toBe('');
    held[0]?.socket.destroy();
    await held[0]?.closed;
    await vi.waitFor(async () => expect((await call(port, 'GET', '/healthz')).status).toBe(200));
    held[1]?.socket.destroy();
  });
});

describe('graceful close', () => {
  it('stops accepting, lets a slow request finish, and reports nothing abandoned', async () => {
    let release!: () => void;
    let entered!: () => void;
    const inHandler = new Promise<void>((r) => (entered = r));
    const { server, port } = await startServer((s) =>
      s.route({
        method: 'POST',
        path: '/slow',
        bodyLimit: 1024,
        handler: async (req, res) => {
          const body = await readBody(req, 1024);
          entered();
          await new Promise<void>((r) => (release = r));
          res.end(`done:${body.toString()}`);
        },
      }),
    );
    const slow = call(port, 'POST', '/slow', { body: 'abc' });
    await inHandler;
    let report: unknown;
    const closing = server.close(5_000).then((r) => (report = r));
    await sleep(50);
    expect(report).toBeUndefined();
    await expect(call(port, 'GET', '/healthz')).rejects.toThrow(/ECONNREFUSED/);
    release();
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('done:abc');
    expect(reply.headers.connection).toBe('close');
    await closing;
    expect(report).toEqual({ abandoned: 0 });
  });

  it('cuts off what outlives the bound and resolves with how many requests it abandoned', async () => {
    let entered = 0;
    const { server, port } = await startServer((s) =>
      s.route({
        method: 'GET',
        path: '/forever',
        bodyLimit: 0,
        handler: () => {
          entered += 1;
        },
      }),
    );
    const hanging = [call(port, 'GET', '/forever'), call(port, 'GET', '/forever')].map((p) =>
      p.catch((error: Error) => error),
    );
    await vi.waitFor(() => expect(entered).toBe(2));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let report: unknown;
    const closing = server.close().then((r) => (report = r));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(report).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(report).toEqual({ abandoned: 2 });
    for (const outcome of await Promise.all(hanging)) expect(outcome).toBeInstanceOf(Error);
  });

  it('/readyz answers 503 "shutting down" once close() has begun', async () => {
    const bot = createHttpServer(
      { host: '127.0.0.1', port: 0 },
      { log: silentLogger(), metrics: createMetrics({ defaultMetrics: false }), isReady: async () => true },
    );
    // The request listener on a server of the test's own, so a request can still arrive after close().
    const rig = createServer(bot.handle);
    await new Promise<void>((r) => rig.listen(0, '127.0.0.1', r));
    const port = (rig.address() as AddressInfo).port;
    try {
      expect((await call(port, 'GET', '/readyz')).status).toBe(200);
      expect(await bot.close()).toEqual({ abandoned: 0 });
      const reply = await call(port, 'GET', '/readyz');
      expect(reply.status).toBe(503);
      expect(json(reply)).toEqual({ status: 'unavailable', reason: 'shutting down' });
      expect(reply.headers.connection).toBe('close');
    } finally {
      rig.closeAllConnections();
      await new Promise<void>((r) => rig.close(() => r()));
    }
  });
});
