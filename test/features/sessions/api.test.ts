import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import ICAL from 'ical.js';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/app.js';
import { createRouter } from '../../../src/http/router.js';
import { silentLogger } from '../../../src/logger.js';
import { call } from '../../http/client.js';
import { buttonsOf } from '../../support/make-bot.js';
import { joinRoute, person, said, sessionBot, turn } from './support.js';

// ajv-formats is CommonJS with a default export: required, as the manifest tests do.
const addFormats = (createRequire(import.meta.url)('ajv-formats') as { default: (ajv: Ajv) => void }).default;
const TOKEN = 'organiser-api-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const HOUR = 3_600_000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

describe('the session API and calendar links', () => {
  let bot: Core;
  let port: number;
  let server: Server;

  beforeEach(async () => {
    ({ bot } = await sessionBot({
      env: { ORGANISER_API_TOKEN: TOKEN, PUBLIC_URL: 'https://bot.example.nl', CALENDAR_LINK_HOURS: '2' },
    }));
    const router = createRouter({ log: silentLogger() });
    for (const feature of bot.pipeline.table.features) for (const route of feature.routes ?? []) router.route(route);
    server = createServer((req, res) => void router.dispatch(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await bot.stopBackground();
    await bot.store.close();
  });

  const post = (body: unknown) => call(port, 'POST', '/api/sessions', { headers: auth, body: JSON.stringify(body) });

  it('creates a session with 14 seats by default, reads its counts, changes and cancels it', async () => {
    const created = await post({
      title: 'Doorbreek de bubbel',
      startsAt: inHours(48),
      place: 'Stadhuis',
      module: 'm1',
    });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body);
    expect(created.headers.location).toBe(`/api/sessions/${id}`);
    await turn(bot, person('UA', 'slack').clicks(joinRoute(id)));
    const read = JSON.parse((await call(port, 'GET', `/api/sessions/${id}`, { headers: auth })).body);
    expect(read).toMatchObject({ id, title: 'Doorbreek de bubbel', seats: 14, seated: 1, waiting: 0, status: 'open' });
    expect(Date.parse(read.startsAt)).toBeGreaterThan(Date.now());

    const patched = await call(port, 'PATCH', `/api/sessions/${id}`, {
      headers: auth,
      body: JSON.stringify({ seats: 12, place: 'Raadzaal' }),
    });
    expect(patched.status).toBe(200);
    expect(JSON.parse(patched.body)).toMatchObject({ seats: 12, place: 'Raadzaal' });

    const participants = JSON.parse(
      (await call(port, 'GET', `/api/sessions/${id}/participants`, { headers: auth })).body,
    );
    expect(participants.seated).toEqual([
      { ref: expect.stringMatching(/^[A-Za-z0-9_-]{10}$/), since: expect.any(String) },
    ]);
    expect(JSON.stringify(participants)).not.toContain('UA');
    // Attendance only after the end.
    const early = await call(port, 'POST', `/api/sessions/${id}/attendance`, { headers: auth, body: '{"absent":[]}' });
    expect(early.status).toBe(409);

    const cancelled = await call(port, 'DELETE', `/api/sessions/${id}`, { headers: auth });
    expect(JSON.parse(cancelled.body).status).toBe('cancelled');
    expect((await call(port, 'PATCH', `/api/sessions/${id}`, { headers: auth, body: '{"seats":3}' })).status).toBe(409);
    expect((await call(port, 'GET', '/api/sessions/nope', { headers: auth })).status).toBe(404);
    expect((await call(port, 'GET', `/api/sessions/${id}`, {})).status).toBe(401);
  });

  it('serves the routes docs/openapi.yaml documents, with answers that fit its schemas', async () => {
    const spec = parse(readFileSync('docs/openapi.yaml', 'utf8'));
    const served = bot.pipeline.table.features
      .find((f) => f.id === 'sessions')!
      .routes!.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.includes('session') || path.startsWith('/calendar'))
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => m !== 'parameters')
          .map((m) => `${m.toUpperCase()} ${path}`),
      );
    expect(served.sort()).toEqual(documented.sort());
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    const { id } = JSON.parse((await post({ title: 'Bubbel', startsAt: inHours(48), module: 'm2' })).body);
    await turn(bot, person('UA', 'teams').clicks(joinRoute(id)));
    const session = JSON.parse((await call(port, 'GET', `/api/sessions/${id}`, { headers: auth })).body);
    expect(ajv.validate(spec.components.schemas.Session, session), ajv.errorsText()).toBe(true);
    const list = JSON.parse((await call(port, 'GET', `/api/sessions/${id}/participants`, { headers: auth })).body);
    expect(ajv.validate(spec.components.schemas.Participants, list), ajv.errorsText()).toBe(true);
  });

  it('refuses bad input with the field named, and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ startsAt: inHours(48) }, 'title'],
      [{ title: 'x', startsAt: new Date(Date.now() - HOUR).toISOString() }, 'startsAt: must not be in the past'],
      [{ title: 'x', startsAt: '2026-12-01 14:00' }, 'startsAt'],
      [{ title: 'x', startsAt: inHours(48), seats: 0 }, 'seats: must be a whole number from 1'],
      [{ title: 'x', startsAt: inHours(48), seats: 2.5 }, 'seats'],
      [
        { title: 'x', startsAt: inHours(48), registrationDeadline: inHours(49) },
        'registrationDeadline: must not be after',
      ],
      [{ title: 'x', startsAt: inHours(48), url: 'javascript:alert(1)' }, 'url'],
      [{ title: 'x', startsAt: inHours(48), module: 'm99' }, 'module: no such module'],
      [{ title: 'x', startsAt: inHours(48), color: 'red' }, 'color'],
    ];
    for (const [input, reason] of cases) {
      const reply = await post(input);
      expect(reply.status, reason).toBe(400);
      expect(JSON.parse(reply.body).error, reply.body).toContain(reason.split(':')[0]);
      if (reason.includes(':')) expect(JSON.parse(reply.body).error).toContain(reason);
    }
    expect(await bot.store.indexCount('sessions:by-start')).toBe(0);
  });

  it('serves the calendar entry at a signed, expiring link without anything about the person', async () => {
    const { id } = JSON.parse(
      (await post({ title: 'Bubbel, één; twee', startsAt: inHours(48), url: 'https://meet.example.nl/x' })).body,
    );
    const joined = await turn(bot, person('UA', 'slack').clicks(joinRoute(id)));
    const link = /https:\/\/bot\.example\.nl(\/calendar\/[^"]+)/.exec(said(joined.last()))?.[1];
    expect(link).toBeDefined();
    expect(link).not.toContain(bot.pseudonymize({ platform: 'slack', tenantId: 'T1', userId: 'UA' }));
    const path = link!.replaceAll('\\u0026', '&');
    const served = await call(port, 'GET', path);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toContain('text/calendar');
    const event = new ICAL.Component(ICAL.parse(served.body)).getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('summary')).toBe('Bubbel, één; twee');
    expect(event.getFirstPropertyValue('uid')).toBe(`${id}@bubbelbreker`);
    expect(event.getFirstPropertyValue('url')).toBe('https://meet.example.nl/x');
    // A changed session gives the same UID with the next SEQUENCE.
    await call(port, 'PATCH', `/api/sessions/${id}`, {
      headers: auth,
      body: JSON.stringify({ startsAt: inHours(72) }),
    });
    const again = new ICAL.Component(ICAL.parse((await call(port, 'GET', path)).body)).getFirstSubcomponent('vevent')!;
    expect(again.getFirstPropertyValue('sequence')).toBe(1);
    expect(again.getFirstPropertyValue('uid')).toBe(`${id}@bubbelbreker`);
    // Tampered or another session's signature: 404; after the expiry: 410.
    const [base, query] = path.split('?') as [string, string];
    const params = new URLSearchParams(query);
    const forged = `${base}?e=${Number(params.get('e')) + 1000}&s=${params.get('s')}`;
    expect((await call(port, 'GET', forged)).status).toBe(404);
    // One moment for both: two Date.now() calls can fall in different milliseconds (then the signature is wrong).
    const past = Date.now() - 1;
    const expired = `${base}?e=${past}&s=${bot.hash('calendar', id, String(past))}`;
    expect((await call(port, 'GET', expired)).status).toBe(410);
    expect((await call(port, 'GET', '/calendar/nope.ics')).status).toBe(404);
  });

  it('puts an "ik doe mee" button under an announcement with a sessionId, and refuses an unknown one', async () => {
    const { id } = JSON.parse((await post({ title: 'Bubbel', startsAt: inHours(48) })).body);
    const unknown = await call(port, 'POST', '/api/announcements', {
      headers: auth,
      body: JSON.stringify({ text: 'Doe mee', audience: { subscribers: {} }, sessionId: 'nope' }),
    });
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).error).toBe('sessionId: no such session');
    const { announcementMessage } = await import('../../../src/features/announcements/render.js');
    const t = bot.translator.bind('nl');
    const message = announcementMessage({ text: 'Doe mee', sessionId: id }, { t, locale: 'nl', timeZone: 'UTC' });
    const press = buttonsOf(message).get('Ik doe mee')!;
    expect((await turn(bot, person('UB', 'teams').clicks(press))).texts()[0]).toContain('Je hebt een plek');
  });
});
