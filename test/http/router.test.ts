import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/http/errors.js';
import { createRouter, type RouteParams } from '../../src/http/router.js';
import { silentLogger } from '../../src/logger.js';
import { call, json, startServer, stopAll } from './client.js';

afterEach(stopAll);

describe('routes and path parameters', () => {
  it('hands path parameters to the handler, percent-decoded, and ignores the query', async () => {
    const seen: RouteParams[] = [];
    const { port } = await startServer((s) => {
      s.route({
        method: 'GET',
        path: '/api/announcements/:id',
        bodyLimit: 0,
        handler: (_req, res, params) => {
          seen.push({ ...params });
          res.end('ok');
        },
      });
      s.route({
        method: 'GET',
        path: '/api/teams/:team/members/:member',
        bodyLimit: 0,
        handler: (_req, res, params) => {
          seen.push({ ...params });
          res.end('ok');
        },
      });
    });
    expect((await call(port, 'GET', '/api/announcements/a%20b?x=1')).body).toBe('ok');
    expect((await call(port, 'GET', '/api/teams/T1/members/U2')).status).toBe(200);
    expect(seen).toEqual([{ id: 'a b' }, { team: 'T1', member: 'U2' }]);
    expect((await call(port, 'GET', '/api/announcements')).status).toBe(404);
    expect((await call(port, 'GET', '/api/announcements/1/extra')).status).toBe(404);
  });

  it('answers an unknown path with 404 JSON and a wrong method with 405 and Allow', async () => {
    const { port } = await startServer((s) => {
      s.route({ method: 'POST', path: '/slack/events', bodyLimit: 1024, handler: (_q, res) => void res.end('ok') });
      s.route({ method: 'DELETE', path: '/api/items/:id', bodyLimit: 0, handler: (_q, res) => void res.end('gone') });
      s.route({ method: 'GET', path: '/api/items/:id', bodyLimit: 0, handler: (_q, res) => void res.end('item') });
    });
    const missing = await call(port, 'GET', '/nope?x=1');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
    expect(json(missing)).toEqual({ error: 'not_found' });
    const wrong = await call(port, 'GET', '/slack/events');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(json(wrong)).toEqual({ error: 'method_not_allowed' });
    expect((await call(port, 'PUT', '/api/items/7')).headers.allow).toBe('GET, HEAD, DELETE');
    expect((await call(port, 'POST', '/healthz')).headers.allow).toBe('GET, HEAD');
    expect((await call(port, 'POST', '/slack/events?retry=1', { body: '{}' })).body).toBe('ok');
    expect((await call(port, 'DELETE', '/api/items/7')).body).toBe('gone');
  });

  it('answers HEAD for every GET route, without a body', async () => {
    const { port } = await startServer((s) =>
      s.route({ method: 'GET', path: '/page', bodyLimit: 0, handler: (_q, res) => void res.end('hello') }),
    );
    const head = await call(port, 'HEAD', '/page');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await call(port, 'HEAD', '/healthz')).status).toBe(200);
    expect((await call(port, 'GET', '/page')).body).toBe('hello');
  });

  it('answers a malformed URL with 400', async () => {
    const { port } = await startServer((s) =>
      s.route({ method: 'GET', path: '/api/items/:id', bodyLimit: 0, handler: (_q, res) => void res.end('x') }),
    );
    const bad = await call(port, 'GET', '/api/items/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(json(bad)).toEqual({ error: 'bad_url' });
  });

  it('refuses bad registrations: twice, no body limit, an unsupported method', () => {
    const router = createRouter({ log: silentLogger() });
    const handler = () => undefined;
    router.route({ method: 'POST', path: '/api/messages', bodyLimit: 10, handler });
    expect(() => router.route({ method: 'POST', path: '/api/messages', bodyLimit: 10, handler })).toThrow(
      /registered twice/,
    );
    expect(() => router.route({ method: 'GET', path: '/x', bodyLimit: -1, handler })).toThrow(/bodyLimit/);
    expect(() => router.route({ method: 'GET', path: '/y', bodyLimit: 1.5, handler })).toThrow(/bodyLimit/);
    expect(() => router.route({ method: 'HEAD' as never, path: '/z', bodyLimit: 0, handler })).toThrow(/method/);
    expect(() => router.route({ method: 'GET', path: 'relative', bodyLimit: 0, handler })).toThrow(/start with/);
    expect(router.list()).toEqual(['POST /api/messages']);
  });
});

describe('body limits stated per route', () => {
  it('a route that takes no body refuses one with 413 and closes, without calling the handler or reading it', async () => {
    let calls = 0;
    const { port } = await startServer((s) =>
      s.route({
        method: 'GET',
        path: '/nobody',
        bodyLimit: 0,
        handler: (_q, res) => {
          calls += 1;
          res.end('ok');
        },
      }),
    );
    // The body is never sent: the answer can only come without reading it.
    const declared = await call(port, 'GET', '/nobody', { headers: { 'Content-Length': 1000 }, holdBody: true });
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect(json(declared)).toEqual({ error: 'payload_too_large' });
    const chunked = await call(port, 'GET', '/nobody', { headers: { 'Transfer-Encoding': 'chunked' }, holdBody: true });
    expect(chunked.status).toBe(413);
    expect(chunked.headers.connection).toBe('close');
    expect(calls).toBe(0);
    expect((await call(port, 'GET', '/nobody', { headers: { 'Content-Length': 0 } })).status).toBe(200);
    expect(calls).toBe(1);
  });

  it('a declared body over the route limit is refused before the handler runs', async () => {
    let calls = 0;
    const { port } = await startServer((s) =>
      s.route({
        method: 'POST',
        path: '/small',
        bodyLimit: 10,
        handler: (_q, res) => {
          calls += 1;
          res.end('ok');
        },
      }),
    );
    const refused = await call(port, 'POST', '/small', { headers: { 'Content-Length': 11 }, holdBody: true });
    expect(refused.status).toBe(413);
    expect(refused.headers.connection).toBe('close');
    expect(calls).toBe(0);
    expect((await call(port, 'POST', '/small', { body: '0123456789' })).status).toBe(200);
  });

  it('a 404 or 405 for a request with a body closes the connection instead of draining it', async () => {
    const { port } = await startServer();
    const missing = await call(port, 'POST', '/nope', { headers: { 'Content-Length': 5000 }, holdBody: true });
    expect(missing.status).toBe(404);
    expect(missing.headers.connection).toBe('close');
    const wrong = await call(port, 'POST', '/healthz', { headers: { 'Content-Length': 5000 }, holdBody: true });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.connection).toBe('close');
  });
});

describe('errors thrown by handlers', () => {
  it('an HttpError is answered as JSON with its status and headers', async () => {
    const { port } = await startServer((s) => {
      s.route({
        method: 'GET',
        path: '/limited',
        bodyLimit: 0,
        handler: () => {
          throw new HttpError(429, 'too_many_requests', { headers: { 'Retry-After': '3' } });
        },
      });
      s.route({
        method: 'GET',
        path: '/later',
        bodyLimit: 0,
        handler: async () => {
          await Promise.resolve();
          throw new HttpError(409, 'conflict');
        },
      });
    });
    const limited = await call(port, 'GET', '/limited');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(json(limited)).toEqual({ error: 'too_many_requests' });
    const later = await call(port, 'GET', '/later');
    expect(later.status).toBe(409);
    expect(json(later)).toEqual({ error: 'conflict' });
  });

  it('anything else is a 500 {"error":"internal"}, logged by code and class only, and the server keeps serving', async () => {
    class CanaryError extends Error {
      code = 'E_CANARY';
    }
    const { port, cap } = await startServer((s) => {
      s.route({
        method: 'POST',
        path: '/sync',
        bodyLimit: 100,
        handler: () => {
          throw new CanaryError('geheim-bericht-canary');
        },
      });
      s.route({
        method: 'POST',
        path: '/async',
        bodyLimit: 100,
        handler: async () => {
          await new Promise((r) => setTimeout(r, 5));
          throw new TypeError('later geheim-canary');
        },
      });
    });
    for (const path of ['/sync', '/async']) {
      const reply = await call(port, 'POST', path, { body: '{}' });
      expect(reply.status).toBe(500);
      expect(json(reply)).toEqual({ error: 'internal' });
    }
    expect((await call(port, 'GET', '/healthz')).status).toBe(200);
    const lines = cap.lines().filter((l) => l.msg === 'request handler failed');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ code: 'E_CANARY', errName: 'CanaryError', route: '/sync', method: 'POST' });
    expect(lines[1]).toMatchObject({ errName: 'TypeError', route: '/async' });
    expect(cap.text()).not.toContain('canary');
  });
});
