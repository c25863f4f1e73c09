/**
 * GET /api/insights: bearer auth, a 400 naming the field for bad input, one group per call, whole months that
 * ended, suppressed cells marked instead of numbered, answers that fit docs/openapi.yaml; and the chart and CSV
 * links the chat hands out.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../../src/app.js';
import { createRouter } from '../../../src/http/router.js';
import { silentLogger } from '../../../src/logger.js';
import { call } from '../../http/client.js';
import { makeBot, person, recordingIO } from '../../support/make-bot.js';
import { checkIn, said } from './support.js';

const addFormats = (createRequire(import.meta.url)('ajv-formats') as { default: (ajv: Ajv) => void }).default;
const TOKEN = 'organiser-api-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('the insights API', () => {
  let bot: Core;
  let server: Server;
  let port: number;

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-10-12T10:00:00Z'));
    bot = await makeBot({
      env: {
        ORGANISERS: 'slack:UORG',
        QUIET_HOURS: 'off',
        ORGANISER_API_TOKEN: TOKEN,
        PUBLIC_URL: 'https://bot.example.nl',
      },
    });
    const router = createRouter({ log: silentLogger() });
    for (const feature of bot.pipeline.table.features) for (const route of feature.routes ?? []) router.route(route);
    server = createServer((req, res) => void router.dispatch(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await new Promise((r) => server.close(r));
    await bot.store.close();
    vi.useRealTimers();
  });

  const get = (query: string, headers: Record<string, string> = auth) =>
    call(port, 'GET', `/api/insights?${query}`, { headers });

  it('answers 401 without the token or with a wrong one, before looking at the input', async () => {
    expect((await get('group=slack:T1&from=2026-09&to=2026-09', {})).status).toBe(401);
    expect((await get('group=slack:T1&from=2026-09&to=2026-09', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get('group=nonsense', {})).status).toBe(401);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['from=2026-09&to=2026-09', 'group:'],
      ['group=T1&from=2026-09&to=2026-09', 'group:'],
      ['group=console:T1&from=2026-09&to=2026-09', 'group:'],
      ['group=slack:T1,teams:X&from=2026-09&to=2026-09', 'group:'],
      ['group=slack:T1&to=2026-09', 'from: must be a month as YYYY-MM'],
      ['group=slack:T1&from=2026-9&to=2026-09', 'from: must be a month as YYYY-MM'],
      ['group=slack:T1&from=2026-13&to=2026-09', 'from:'],
      ['group=slack:T1&from=2026-09', 'to: must be a month as YYYY-MM'],
      // The month under way is not whole yet.
      ['group=slack:T1&from=2026-09&to=2026-10', 'to: must be a month that has ended (at the latest 2026-09)'],
      ['group=slack:T1&from=2026-09&to=2026-08', 'from: must not be after to'],
      ['group=slack:T1&from=2024-09&to=2026-09', 'from: must be at most 24 months back (2024-10)'],
    ];
    for (const [query, reason] of cases) {
      const reply = await get(query);
      expect(reply.status, query).toBe(400);
      expect(JSON.parse(reply.body).error, query).toContain(reason);
    }
  });

  it('gives one group over whole months, every suppressed cell marked, fitting docs/openapi.yaml', async () => {
    vi.setSystemTime(Date.parse('2026-09-12T10:00:00Z'));
    for (const u of ['UA', 'UB', 'UC', 'UD', 'UE', 'UF']) await checkIn(bot, person(u, 'slack'));
    await checkIn(bot, person('UG', 'slack'), ['debating']);
    vi.setSystemTime(Date.parse('2026-10-12T10:00:00Z'));
    const reply = await get('group=slack:T1&from=2026-09&to=2026-09');
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body);
    expect(body).toMatchObject({ group: 'slack:T1', from: '2026-09', to: '2026-09', k: 5, checkins: 7 });
    expect(body.track).toEqual({ conflict: 7, polarisation: 0, both: 0, unclear: 0 });
    // 6 win-lose and 1 win-win: the 1 is below k, and the 6 goes too, or 7 - 6 would give the 1 away.
    expect(body.phase).toEqual({
      'win-win': { suppressed: true, reason: 'small_cell' },
      'win-lose': { suppressed: true, reason: 'small_cell' },
      'lose-lose': 0,
      unknown: 0,
    });
    expect(body.voices.neighbours).toBe(7);
    const spec = parse(readFileSync('docs/openapi.yaml', 'utf8'));
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    // The whole document as one schema, so the component references resolve.
    ajv.addSchema({ $id: 'openapi.json', components: spec.components });
    const validate = ajv.getSchema('openapi.json#/components/schemas/Insights')!;
    expect(validate(body), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate({ ...body, phase: { 'win-win': 1 } })).toBe(true);
    expect(validate({ ...body, phase: { 'win-win': { suppressed: true, reason: 'because' } } })).toBe(false);
    // Another workspace, or the tenant of the same id on Teams, is another group: nothing there.
    const teams = JSON.parse((await get('group=teams:T1&from=2026-09&to=2026-09')).body);
    expect(teams.checkins).toBe(0);
    expect(JSON.parse((await get('group=slack:T2&from=2026-09&to=2026-09')).body).checkins).toBe(0);
    // The raw workspace id is never stored.
    const keys = (await bot.store.list('insights:', { limit: 1000 })).entries.map((e) => e.key);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toMatch(/:T1(:|$)/);
  });

  it('serves the routes docs/openapi.yaml documents for insights', () => {
    const spec = parse(readFileSync('docs/openapi.yaml', 'utf8'));
    const served = bot.pipeline.table.features
      .find((f) => f.id === 'insights')!
      .routes!.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.includes('insights'))
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => m !== 'parameters')
          .map((m) => `${m.toUpperCase()} ${path}`),
      );
    expect(served.sort()).toEqual(documented.sort());
  });

  it('links the chart picture and the CSV under PUBLIC_URL, with no person or group in the address', async () => {
    vi.setSystemTime(Date.parse('2026-09-12T10:00:00Z'));
    for (const u of ['UA', 'UB', 'UC', 'UD', 'UE']) await checkIn(bot, person(u, 'slack'));
    vi.setSystemTime(Date.parse('2026-10-12T10:00:00Z'));
    const io = recordingIO();
    await bot.receive(person('UORG', 'slack').says('inzichten'), io);
    const card = io.last()!;
    const image = card.blocks.find((b) => b.type === 'image');
    const url = image && 'url' in image ? image.url : undefined;
    expect(url).toMatch(/^https:\/\/bot\.example\.nl\/insights\/chart\/[A-Za-z0-9_-]{16}\.png$/);
    const pseudonym = bot.pseudonymize({ platform: 'slack', tenantId: 'T1', userId: 'UORG' });
    expect(url).not.toContain(pseudonym.slice(0, 8));
    const png = await call(port, 'GET', new URL(url!).pathname);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect((await call(port, 'GET', '/insights/chart/AAAAAAAAAAAAAAAA.png')).status).toBe(404);
    expect((await call(port, 'GET', '/insights/chart/..%2F..%2Fetc.png')).status).toBe(404);

    const csvButton = card.blocks
      .flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
      .find((b) => b.route.verb === 'csv')!;
    const csvIo = recordingIO();
    await bot.receive(person('UORG', 'slack').clicks({ route: csvButton.route }), csvIo);
    const link = /https:\/\/bot\.example\.nl(\/insights\/csv\/[A-Za-z0-9_-]{22}\.csv)/.exec(said(csvIo.sent()))?.[1];
    expect(link).toBeDefined();
    const csv = await call(port, 'GET', link!);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n')[1]).toBe('total,checkins,Aantal check-ins,5,false,');
    // The link works for a day.
    vi.setSystemTime(Date.parse('2026-10-13T10:01:00Z'));
    expect((await call(port, 'GET', link!)).status).toBe(404);
  });
});
