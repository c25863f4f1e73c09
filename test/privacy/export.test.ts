/**
 * "Mijn gegevens" as a JSON document (the right of access): everything kept about the person, as a signed
 * short-lived link at PUBLIC_URL on Slack and Teams, as a file in the terminal. A tampered link is refused (404),
 * an expired one too (410).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Core } from '../../src/app.js';
import { createSealer, parseDataKeys } from '../../src/crypto/sealer.js';
import { createRouter } from '../../src/http/router.js';
import { silentLogger } from '../../src/logger.js';
import type { OutboundMessage } from '../../src/message/types.js';
import { call } from '../http/client.js';
import { buttonsOf, checkInWith, conflictAnswers, makeBot, person, recordingIO } from '../support/make-bot.js';

const addFormats = (createRequire(import.meta.url)('ajv-formats') as { default: (ajv: Ajv) => void }).default;
const NOTE = 'EXPORT-notitie-Lk29';
/** A sealer under a key the bot does not hold (as after a DATA_KEY was removed). */
const otherSealer = createSealer(parseDataKeys('9'.repeat(64)));

let bot: Core | undefined;
let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
  await bot?.stopBackground();
  await bot?.store.close();
  bot = undefined;
});

async function turn(core: Core, event: Parameters<Core['receive']>[0]) {
  const io = recordingIO();
  await core.receive(event, io);
  return io;
}

async function checkIn(core: Core, user: ReturnType<typeof person>): Promise<void> {
  await checkInWith(core, user, conflictAnswers(NOTE));
}

/** "mijn gegevens", then its download button; the message that answered. */
async function download(core: Core, user: ReturnType<typeof person>): Promise<OutboundMessage | undefined> {
  const overview = await turn(core, user.says('mijn gegevens'));
  const button = buttonsOf(overview.last()).get('Download als bestand (JSON)');
  expect(button).toBeDefined();
  return (await turn(core, user.clicks(button!))).last();
}

describe('the export of mijn gegevens', () => {
  it('on Slack: a signed link that gives the whole document, refuses a tampered link and expires', async () => {
    let clock = Date.now();
    bot = await makeBot({ now: () => clock, env: { PUBLIC_URL: 'https://bot.example.nl/' } });
    const router = createRouter({ log: silentLogger() });
    for (const feature of bot.pipeline.table.features) for (const route of feature.routes ?? []) router.route(route);
    server = createServer((req, res) => void router.dispatch(req, res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    const user = person('UEXPORT1', 'slack');
    await checkIn(bot, user);
    await turn(bot, user.says('taal en'));
    await turn(bot, user.says('taal nl'));
    const message = await download(bot, user);
    const links = message?.blocks.flatMap((b) => (b.type === 'links' ? b.links : [])) ?? [];
    expect(links).toHaveLength(1);
    const url = new URL(links[0]!.url);
    expect(url.origin).toBe('https://bot.example.nl');
    // The link names neither the person's platform id nor their pseudonym.
    const pseudonym = bot.pseudonymize({ platform: 'slack', tenantId: 'T1', userId: 'UEXPORT1' });
    expect(url.href).not.toContain('UEXPORT1');
    expect(url.href).not.toContain(pseudonym);

    const path = `${url.pathname}${url.search}`;
    const served = await call(port, 'GET', path);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toContain('application/json');
    expect(served.headers['cache-control']).toBe('no-store');
    const document = JSON.parse(served.body) as { code: string; stored: { key: string; value?: unknown }[] };
    // As docs/openapi.yaml documents it: the route and the document's shape.
    const spec = parse(readFileSync('docs/openapi.yaml', 'utf8'));
    const served200 = spec.paths['/my-data/{file}'].get.responses['200'].content['application/json'].schema;
    const ajv = new Ajv({ strict: false });
    addFormats(ajv);
    expect(ajv.validate(served200, document), ajv.errorsText()).toBe(true);
    const routes = bot.pipeline.table.features
      .flatMap((f) => f.routes ?? [])
      .filter((r) => r.path.startsWith('/my-data'));
    expect(routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)).toEqual(['GET /my-data/{file}']);
    expect(document.code).toBe(pseudonym);
    // Everything kept: the result with its note, the language, and every key of the person's index.
    expect(served.body).toContain(NOTE);
    const keys = (await bot.store.keysOf(pseudonym)).filter((k) => !k.startsWith('privacy:export:'));
    expect(document.stored.map((s) => s.key).sort()).toEqual(keys.sort());
    expect(document.stored.find((s) => s.key === `prefs:${pseudonym}`)?.value).toMatchObject({ locale: 'nl' });
    // Each feature's own words too: the check-in's line of "mijn gegevens".
    expect(JSON.stringify((document as unknown as { features: Record<string, unknown> }).features.checkin)).toContain(
      'Check-in: één resultaat',
    );

    // Tampered: another expiry with the same signature, another id, a signature changed by one character.
    const e = url.searchParams.get('e')!;
    const s = url.searchParams.get('s')!;
    expect((await call(port, 'GET', `${url.pathname}?e=${Number(e) + 1000}&s=${s}`)).status).toBe(404);
    expect((await call(port, 'GET', `/my-data/${'A'.repeat(22)}.json?e=${e}&s=${s}`)).status).toBe(404);
    const flipped = `${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`;
    expect((await call(port, 'GET', `${url.pathname}?e=${e}&s=${flipped}`)).status).toBe(404);
    expect((await call(port, 'GET', `${url.pathname}`)).status).toBe(404);
    expect((await call(port, 'GET', '/my-data/..%2F..%2Fetc.json?e=1&s=x')).status).toBe(404);

    // Sealed under a DATA_KEY that was removed since: gone for good, said as such, not a crash.
    const stored = (await bot.store.keysOf(pseudonym)).find((k) => k.startsWith('privacy:export:'))!;
    await bot.store.set(stored, otherSealer.seal({ code: pseudonym }, stored));
    const unreadable = await call(port, 'GET', path);
    expect(unreadable.status).toBe(410);
    expect(JSON.parse(unreadable.body)).toEqual({ error: 'export_unreadable' });

    // After 15 minutes the link is gone.
    clock += 16 * 60 * 1000;
    expect((await call(port, 'GET', path)).status).toBe(410);
  });

  it('"vergeet mij" takes a pending export with it', async () => {
    bot = await makeBot({ env: { PUBLIC_URL: 'https://bot.example.nl' } });
    const user = person('UEXPORT2', 'slack');
    await checkIn(bot, user);
    await download(bot, user);
    const pseudonym = bot.pseudonymize({ platform: 'slack', tenantId: 'T1', userId: 'UEXPORT2' });
    const exportKey = (await bot.store.keysOf(pseudonym)).find((k) => k.startsWith('privacy:export:'));
    expect(exportKey).toBeDefined();
    const asked = await turn(bot, user.says('vergeet mij'));
    const confirm = [...buttonsOf(asked.last()).values()].find((b) => b.route.verb === 'confirm')!;
    await turn(bot, user.clicks(confirm));
    expect(await bot.store.get(exportKey!)).toBeUndefined();
  });

  it('without PUBLIC_URL: says a download is not possible here, and keeps nothing extra', async () => {
    bot = await makeBot();
    const user = person('UEXPORT3', 'teams');
    await turn(bot, user.says('taal nl'));
    const message = await download(bot, user);
    expect(message?.text).toContain('Een download kan hier nu niet');
    const pseudonym = bot.pseudonymize({ platform: 'teams', tenantId: 'T1', userId: 'UEXPORT3' });
    expect((await bot.store.keysOf(pseudonym)).some((k) => k.startsWith('privacy:export:'))).toBe(false);
  });

  it('in the terminal: the document printed, and a file readable by its owner only, its path shown', async () => {
    bot = await makeBot();
    const user = person('UEXPORT4', 'console');
    await checkIn(bot, user);
    const message = await download(bot, user);
    const path = /in een bestand gezet: (\S+\.json)/.exec(message?.text ?? '')?.[1];
    expect(path).toBeDefined();
    expect(statSync(path!).mode & 0o777).toBe(0o600);
    const document = JSON.parse(readFileSync(path!, 'utf8')) as { stored: unknown[]; about: string };
    expect(JSON.stringify(document)).toContain(NOTE);
    expect(document.about).toContain('Alles wat Bubbelbreker over je bewaart');
    // The same document is printed in the chat itself.
    expect(message?.text).toContain(JSON.stringify(document, null, 2));
  });

  it('in the terminal: a value that no longer opens is marked "(gecodeerd)", in the person\'s language', async () => {
    bot = await makeBot();
    const user = person('UEXPORT5', 'console');
    await checkIn(bot, user);
    const pseudonym = bot.pseudonymize({ platform: 'console', tenantId: 'T1', userId: 'UEXPORT5' });
    const noteKey = (await bot.store.keysOf(pseudonym)).find((k) => k.startsWith('checkin:note:'))!;
    await bot.store.set(noteKey, otherSealer.seal('oud', noteKey));
    const message = await download(bot, user);
    const path = /in een bestand gezet: (\S+\.json)/.exec(message?.text ?? '')?.[1];
    const document = JSON.parse(readFileSync(path!, 'utf8')) as { stored: { key: string; value?: unknown }[] };
    expect(document.stored.find((s) => s.key === noteKey)?.value).toBe('(gecodeerd)');
  });

  it.each(['vergeet mij', 'intrekken'])(
    'in the terminal: "%s" deletes the export file too, and says so',
    async (words) => {
      bot = await makeBot();
      const user = person('UEXPORT6', 'console');
      const other = person('UEXPORT7', 'console');
      await checkIn(bot, user);
      const path = /in een bestand gezet: (\S+\.json)/.exec((await download(bot, user))?.text ?? '')?.[1];
      expect(existsSync(path!)).toBe(true);
      // Someone else's "vergeet mij" leaves it alone.
      await checkIn(bot, other);
      const theirs = await turn(bot, other.says('intrekken'));
      expect(theirs.last()?.text).not.toContain('bestand');
      expect(existsSync(path!)).toBe(true);
      let answer = await turn(bot, user.says(words));
      if (words === 'vergeet mij') {
        const confirm = [...buttonsOf(answer.last()).values()].find((b) => b.route.verb === 'confirm')!;
        answer = await turn(bot, user.clicks(confirm));
      }
      expect(existsSync(path!)).toBe(false);
      expect(answer.texts().join('\n')).toContain('het bestand met al je gegevens dat ik voor je had gemaakt');
    },
  );
});
