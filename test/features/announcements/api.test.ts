import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/app.js';
import { createRouter } from '../../../src/http/router.js';
import { silentLogger } from '../../../src/logger.js';
import { call } from '../../http/client.js';
import { organiserBot } from './support.js';

const TOKEN = 'organiser-api-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function serve(bot: Core): Promise<{ port: number; server: Server }> {
  const router = createRouter({ log: silentLogger() });
  for (const feature of bot.pipeline.table.features) for (const route of feature.routes ?? []) router.route(route);
  const server = createServer((req, res) => void router.dispatch(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

describe('the organiser API', () => {
  let bot: Core;
  let port: number;
  let server: Server;

  async function start(env: Record<string, string>) {
    ({ bot } = await organiserBot(env));
    ({ port, server } = await serve(bot));
  }
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await bot.stopBackground();
    await bot.store.close();
  });

  describe('with a token', () => {
    beforeEach(() => start({ ORGANISER_API_TOKEN: TOKEN }));

    it('answers 401 without the token or with a wrong one', async () => {
      for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: `Basic ${TOKEN}` }] as Record<
        string,
        string
      >[]) {
        const reply = await call(port, 'GET', '/api/announcements/abc', { headers });
        expect(reply.status).toBe(401);
        expect(reply.headers['www-authenticate']).toBe('Bearer');
      }
    });

    it('creates, reads and cancels a scheduled announcement', async () => {
      const sendAt = new Date(Date.now() + 3_600_000).toISOString();
      const body = JSON.stringify({
        title: 'Masterclass',
        text: 'Doe mee',
        audience: { teamsChannels: ['19:abc@thread.tacv2'] },
        sendAt,
      });
      const created = await call(port, 'POST', '/api/announcements', { headers: auth, body });
      expect(created.status).toBe(201);
      const { id, status } = JSON.parse(created.body);
      expect(status).toBe('scheduled');
      expect(created.headers.location).toBe(`/api/announcements/${id}`);
      const read = await call(port, 'GET', `/api/announcements/${id}`, { headers: auth });
      expect(JSON.parse(read.body)).toEqual({
        id,
        status: 'scheduled',
        total: 0,
        pending: 0,
        sent: 0,
        failed: 0,
        blocked: 0,
      });
      const cancelled = await call(port, 'DELETE', `/api/announcements/${id}`, { headers: auth });
      expect(cancelled.status).toBe(200);
      expect(JSON.parse(cancelled.body).status).toBe('cancelled');
      expect((await call(port, 'GET', '/api/announcements/nope', { headers: auth })).status).toBe(404);
      // The raw channel id is not stored in plaintext anywhere.
      const page = await bot.store.list<unknown>('announcements:');
      expect(JSON.stringify(page.entries)).not.toContain('19:abc');
    });

    it('delivers one sent now and reports per recipient, an unknown channel included', async () => {
      await bot.startBackground();
      const body = JSON.stringify({ text: 'Nu', audience: { teamsChannels: ['19:unknown@thread.tacv2'] } });
      const { id } = JSON.parse((await call(port, 'POST', '/api/announcements', { headers: auth, body })).body);
      let state: Record<string, unknown> = {};
      for (let i = 0; i < 200 && state.status !== 'done'; i += 1) {
        state = JSON.parse((await call(port, 'GET', `/api/announcements/${id}`, { headers: auth })).body);
        if (state.status !== 'done') await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toMatchObject({ status: 'done', total: 1, failed: 1, sent: 0, pending: 0 });
      const cancel = await call(port, 'DELETE', `/api/announcements/${id}`, { headers: auth });
      expect(cancel.status).toBe(409);
    }, 20_000);

    it('names the field of bad input', async () => {
      const cases: [unknown, string][] = [
        [{ audience: { subscribers: {} } }, 'text'],
        [{ text: '  ', audience: { subscribers: {} } }, 'text'],
        [{ text: 'x', audience: {} }, 'audience'],
        [{ text: 'x', audience: { subscribers: {} }, sendAt: '2001-01-01T10:00:00Z' }, 'sendAt'],
        [{ text: 'x', audience: { subscribers: {} }, sendAt: 'tomorrow' }, 'sendAt'],
        [{ text: 'x', audience: { subscribers: { platform: 'irc' } } }, 'audience.subscribers.platform'],
        [{ text: 'x', audience: { subscribers: { topic: 'nope' } } }, 'audience.subscribers.topic'],
      ];
      for (const [input, field] of cases) {
        const reply = await call(port, 'POST', '/api/announcements', { headers: auth, body: JSON.stringify(input) });
        expect(reply.status, field).toBe(400);
        expect(JSON.parse(reply.body).error.startsWith(`${field}:`), reply.body).toBe(true);
      }
      const broken = await call(port, 'POST', '/api/announcements', { headers: auth, body: '{"text":' });
      expect(broken.status).toBe(400);
      expect(JSON.parse(broken.body).error).toBe('malformed_json');
    });

    it('writes API actions to the audit log as "api"', async () => {
      const body = JSON.stringify({
        text: 'x',
        audience: { subscribers: {} },
        sendAt: new Date(Date.now() + 60_000).toISOString(),
      });
      await call(port, 'POST', '/api/announcements', { headers: auth, body });
      const page = await bot.store.indexRange('organisers:audit');
      expect(page.entries.map((e) => JSON.parse(e.member))).toEqual([
        expect.objectContaining({ who: 'api', what: 'announcement.created', scope: 'api' }),
      ]);
    });
  });

  it('answers 401 to everything without ORGANISER_API_TOKEN', async () => {
    await start({});
    const reply = await call(port, 'POST', '/api/announcements', {
      headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(reply.status).toBe(401);
  });
});
