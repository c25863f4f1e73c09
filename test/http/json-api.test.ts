import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError } from '../../src/http/errors.js';
import { bearerAuth, jsonRoute } from '../../src/http/json-api.js';
import { call, json, startServer, stopAll } from './client.js';

afterEach(stopAll);

const TOKEN = 'organiser-token-0123456789abcdef';
const Announcement = z.object({ title: z.string().min(1), audience: z.object({ slackChannels: z.array(z.string()) }) });

async function organiserApi() {
  const stored = new Map<string, z.output<typeof Announcement>>();
  const { port, cap } = await startServer((s) => {
    const auth = bearerAuth(TOKEN);
    s.route(
      jsonRoute({
        method: 'POST',
        path: '/api/announcements',
        bodyLimit: 4096,
        auth,
        input: Announcement,
        handler: async ({ body }) => {
          const id = String(stored.size + 1);
          stored.set(id, body);
          return { status: 201, body: { id }, headers: { Location: `/api/announcements/${id}` } };
        },
      }),
    );
    s.route(
      jsonRoute({
        method: 'GET',
        path: '/api/announcements/:id',
        bodyLimit: 0,
        auth,
        handler: async ({ params, query }) => {
          const found = stored.get(params.id ?? '');
          if (!found) throw new HttpError(404, 'announcement_not_found');
          return { status: 200, body: query.get('fields') === 'title' ? { title: found.title } : found };
        },
      }),
    );
    s.route(
      jsonRoute({
        method: 'DELETE',
        path: '/api/announcements/:id',
        bodyLimit: 0,
        auth,
        handler: async ({ params }) => ({ status: stored.delete(params.id ?? '') ? 204 : 404 }),
      }),
    );
  });
  const authorised = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
  return { port, cap, stored, authorised };
}

describe('jsonRoute', () => {
  it('runs auth, validation and the handler, and sends its reply as JSON', async () => {
    const { port, authorised } = await organiserApi();
    const body = JSON.stringify({ title: 'Dorpsavond', audience: { slackChannels: ['C1'] } });
    const created = await call(port, 'POST', '/api/announcements', { body, headers: authorised });
    expect(created.status).toBe(201);
    expect(json(created)).toEqual({ id: '1' });
    expect(created.headers.location).toBe('/api/announcements/1');
    expect(created.headers['cache-control']).toBe('no-store');
    const read = await call(port, 'GET', '/api/announcements/1?fields=title', { headers: authorised });
    expect(json(read)).toEqual({ title: 'Dorpsavond' });
    const deleted = await call(port, 'DELETE', '/api/announcements/1', { headers: authorised });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    const gone = await call(port, 'GET', '/api/announcements/1', { headers: authorised });
    expect(gone.status).toBe(404);
    expect(json(gone)).toEqual({ error: 'announcement_not_found' });
  });

  it('401 {"error":"unauthorized"} before the body is read when auth fails', async () => {
    const { port, stored } = await organiserApi();
    for (const headers of [
      {} as Record<string, string>,
      { Authorization: 'Bearer wrong-token' },
      { Authorization: `Basic ${TOKEN}` },
      { Authorization: `Bearer ${TOKEN}x` },
      { Authorization: `Bearer ${TOKEN.slice(0, -1)}` },
    ]) {
      // The body is held back: the refusal comes without reading it.
      const reply = await call(port, 'POST', '/api/announcements', {
        headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': 100 },
        holdBody: true,
      });
      expect(reply.status).toBe(401);
      expect(json(reply)).toEqual({ error: 'unauthorized' });
      expect(reply.headers['www-authenticate']).toBe('Bearer');
    }
    expect(stored.size).toBe(0);
  });

  it('400 naming the bad field, 415 for a non-JSON body, 413 over the limit', async () => {
    const { port, stored, authorised } = await organiserApi();
    const badField = await call(port, 'POST', '/api/announcements', {
      body: JSON.stringify({ title: 'x', audience: { slackChannels: 'geheim-canary' } }),
      headers: authorised,
    });
    expect(badField.status).toBe(400);
    expect(json(badField)).toEqual({ error: 'audience.slackChannels: expected array' });
    const form = await call(port, 'POST', '/api/announcements', {
      body: 'title=x',
      headers: { ...authorised, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const big = await call(port, 'POST', '/api/announcements', {
      body: JSON.stringify({ title: 'x'.repeat(5000), audience: { slackChannels: [] } }),
      headers: authorised,
    });
    expect(big.status).toBe(413);
    expect(stored.size).toBe(0);
  });

  it('a handler that throws something other than HttpError is a logged 500', async () => {
    const { port, cap } = await startServer((s) =>
      s.route(
        jsonRoute({
          method: 'GET',
          path: '/api/broken',
          bodyLimit: 0,
          handler: async () => {
            throw new RangeError('geheim-canary');
          },
        }),
      ),
    );
    const reply = await call(port, 'GET', '/api/broken');
    expect(reply.status).toBe(500);
    expect(json(reply)).toEqual({ error: 'internal' });
    expect(cap.lines().find((l) => l.msg === 'request handler failed')).toMatchObject({ errName: 'RangeError' });
    expect(cap.text()).not.toContain('canary');
  });

  it('refuses an input schema on a route without a body limit', () => {
    expect(() =>
      jsonRoute({
        method: 'POST',
        path: '/x',
        bodyLimit: 0,
        input: Announcement,
        handler: async () => ({ status: 200 }),
      }),
    ).toThrow(/bodyLimit/);
  });
});

describe('bearerAuth', () => {
  const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;

  it('accepts exactly the configured token, with the Bearer scheme in any case', () => {
    const check = bearerAuth(TOKEN);
    expect(check(req(`Bearer ${TOKEN}`))).toBe(true);
    expect(check(req(`bearer ${TOKEN}`))).toBe(true);
    expect(check(req(`Bearer ${TOKEN} `))).toBe(true);
    expect(check(req(`Bearer  ${TOKEN.toUpperCase()}`))).toBe(false);
    expect(check(req(TOKEN))).toBe(false);
    expect(check(req(`Bearer ${TOKEN} extra`))).toBe(false);
    expect(check(req())).toBe(false);
  });

  it('refuses everything when no token is configured', () => {
    for (const token of [undefined, '']) {
      const check = bearerAuth(token);
      expect(check(req('Bearer '))).toBe(false);
      expect(check(req('Bearer undefined'))).toBe(false);
      expect(check(req())).toBe(false);
    }
  });
});
