/**
 * A PSEUDONYM_KEY rotation moves a person's data: everything written under the v1 pseudonym (a kept check-in result
 * with its note, consent, a language, a subscription, a seat, a place in a waiting line, an address) is under the v2
 * pseudonym once the app restarted with `v2:…,v1:…` and the person sent their next event. Nothing names the old
 * pseudonym afterwards (raw bytes of SQLite, every Redis key and value), sealed values open under their new keys,
 * the seats are counted as before, and "vergeet mij" afterwards leaves nothing of the person.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/app.js';
import { createPseudonymizer } from '../../src/crypto/pseudonym.js';
import { createSealer, looksSealed, parseDataKeys } from '../../src/crypto/sealer.js';
import { sessionKeys } from '../../src/features/sessions/keys.js';
import { subscriptionKeys } from '../../src/features/subscriptions/store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { openRedisStore } from '../../src/store/redis-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { recordingAdapter } from '../features/announcements/support.js';
import { insightsKeys } from '../../src/features/insights/keys.js';
import { nudgeKeys } from '../../src/features/nudges/model.js';
import { organiserKeys } from '../../src/features/organisers/keys.js';
import { createSession, joinRoute, sessionRoute, turn } from '../features/sessions/support.js';
import { captureLogger } from '../support/capture-logger.js';
import { buttonsOf, checkInWith, conflictAnswers, makeBot, person, TEST_DATA_KEY } from '../support/make-bot.js';
import {
  connectTestClient,
  deleteNamespace,
  dumpNamespace,
  redisAvailable,
  redisUrl,
  type TestRedisClient,
  uniqueNamespace,
} from '../support/redis.js';
import { tempDir } from '../support/temp.js';

const OLD_P = 'rekey-old-pseudonym-key-0123456789abcdef0123';
const NEW_P = 'rekey-new-pseudonym-key-fedcba9876543210fedc';
const ROTATED = `v2:${NEW_P},v1:${OLD_P}`;
const NOTE = 'REKEY-notitie-w8Tq over de Kerkstraat';
const USER_ID = 'UREKEYcanary37';
const ids = { platform: 'console' as const, tenantId: 'T1', userId: USER_ID };
const OLD = createPseudonymizer(OLD_P)(ids);
const sealer = createSealer(parseDataKeys(TEST_DATA_KEY));

/** A back end that can be closed and opened again over the same data (a restart), with its raw bytes. */
interface Backend {
  open(): Promise<KeyValueStore>;
  /** Everything the back end holds, as bytes: search them for what must be gone. */
  raw(store: KeyValueStore): Promise<Buffer>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const path = join(tempDir(), 'data', 'bb.sqlite');
  return {
    open: async () => openSqliteStore({ path, purgeIntervalMs: 0 }),
    async raw(store) {
      await store.checkpoint?.();
      const files = [path, `${path}-wal`, `${path}-shm`].filter(existsSync);
      return Buffer.concat(files.map((f) => readFileSync(f)));
    },
    cleanup: async () => undefined,
  };
}

function redisBackend(): Backend {
  const namespace = uniqueNamespace();
  let client: TestRedisClient | undefined;
  return {
    open: () => openRedisStore({ url: redisUrl, namespace }),
    async raw() {
      client ??= await connectTestClient();
      return dumpNamespace(client, namespace);
    },
    async cleanup() {
      client ??= await connectTestClient();
      await deleteNamespace(client, namespace);
      client.destroy();
    },
  };
}

const found = (bytes: Buffer, needles: readonly string[]) =>
  needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));

let bot: Core | undefined;
afterEach(async () => {
  await bot?.stopBackground();
  await bot?.store.close();
  bot = undefined;
});

async function start(store: KeyValueStore, keys: string, log = captureLogger().log): Promise<Core> {
  const core = await makeBot({
    store,
    log,
    env: { PSEUDONYM_KEY: keys, ORGANISERS: 'slack:UORG', QUIET_HOURS: 'off' },
  });
  core.registry.register(recordingAdapter().adapter);
  await core.startBackground();
  return core;
}

async function restart(backend: Backend, keys: string, log = captureLogger().log): Promise<Core> {
  await bot?.stopBackground();
  await bot?.store.close();
  bot = await start(await backend.open(), keys, log);
  return bot;
}

const user = () => person(USER_ID, 'console');

/** Under v1 only: a seat, a place in line, a subscription, a kept check-in with its note, consent, English. */
async function personUnderV1(core: Core) {
  const seat = await createSession(core, { title: 'Sessie met plek', startsAt: '2027-12-10 14:00', seats: '2' });
  const full = await createSession(core, { title: 'Sessie met wachtlijst', startsAt: '2027-12-11 14:00', seats: '1' });
  expect((await turn(core, person('UREKEYother', 'console').clicks(joinRoute(full)))).texts()[0]).toContain('plek');
  expect((await turn(core, user().clicks(joinRoute(seat)))).texts()[0]).toContain('Je hebt een plek');
  await turn(core, user().clicks(joinRoute(full)));
  const overview = await turn(core, user().says('abonneren'));
  const subscribe = [...buttonsOf(overview.last()).entries()].find(([label]) => label.startsWith('Aanmelden'));
  await turn(core, user().clicks(subscribe![1]));
  const { all } = await checkInWith(core, user(), conflictAnswers(NOTE));
  const keep = all.flatMap((m) => [...buttonsOf(m).values()]).find((b) => b.route.verb === 'keep');
  await turn(core, user().clicks(keep!));
  await turn(core, user().says('taal en'));
  return { seat, full };
}

/** What the seats and lines of both sessions hold, by whom. */
async function seating(store: KeyValueStore, sessions: { seat: string; full: string }) {
  const members = async (index: string) => (await store.indexRange(index, { limit: 100 })).entries;
  return {
    seated: await members(sessionKeys.seated(sessions.seat)),
    seats: await store.counter(sessionKeys.seats(sessions.seat)),
    line: await members(sessionKeys.waiting(sessions.full)),
    fullSeated: (await members(sessionKeys.seated(sessions.full))).length,
    fullSeats: await store.counter(sessionKeys.seats(sessions.full)),
  };
}

const swap = (text: string, from: string, to: string) => text.split(from).join(to);

describe.each([
  ['SQLite', sqliteBackend, false],
  ['Redis', redisBackend, !redisAvailable],
] as const)('a PSEUDONYM_KEY rotation on %s', (_name, makeBackend, skip) => {
  it.skipIf(skip)(
    "moves everything at the person's next event; afterwards nothing names the old pseudonym, and forgetting leaves nothing",
    async () => {
      const backend = makeBackend();
      try {
        bot = await start(await backend.open(), OLD_P);
        const sessions = await personUnderV1(bot);
        const oldKeys = await bot.store.keysOf(OLD);
        for (const family of ['checkin:note:', 'checkin:result:', 'privacy:', 'prefs:', 'subscriptions:person:'])
          expect(
            oldKeys.some((key) => key.startsWith(family)),
            family,
          ).toBe(true);
        expect(oldKeys).toContain(`address:person:${OLD}`);
        expect(oldKeys).toContain(sessionKeys.rsvp(sessions.full, OLD));
        const before = await seating(bot.store, sessions);
        expect(before.seated.map((e) => e.member)).toEqual([OLD]);
        expect(before.line.map((e) => e.member)).toEqual([OLD]);
        const shownBefore = (await turn(bot, user().says('mijn gegevens'))).texts();

        const logger = captureLogger();
        const core = await restart(backend, ROTATED, logger.log);
        const NEW = core.pseudonymize(ids);
        expect(NEW).not.toBe(OLD);
        const store = core.store;
        expect(await store.keysOf(NEW)).toEqual([]);

        // The next event: "mijn gegevens" shows what it showed before the restart.
        expect((await turn(core, user().says('mijn gegevens'))).texts()).toEqual(shownBefore);

        expect(await store.keysOf(OLD)).toEqual([]);
        const newKeys = await store.keysOf(NEW);
        expect(newKeys).toEqual(oldKeys.map((key) => swap(key, OLD, NEW)).sort());
        // Every sealed value opens under its new key (its AAD); the note reads as it was written.
        let sealed = 0;
        for (const key of newKeys) {
          const value = await store.get(key);
          if (!looksSealed(value)) continue;
          expect(() => sealer.open(value, key), key).not.toThrow();
          sealed += 1;
        }
        expect(sealed).toBeGreaterThanOrEqual(3);
        const noteKey = newKeys.find((key) => key.startsWith('checkin:note:'))!;
        expect(sealer.open<{ text: string }>((await store.get<string>(noteKey))!, noteKey).text).toBe(NOTE);
        // The seat and the place in line are theirs, at the same place; no seat counted twice.
        const after = await seating(store, sessions);
        expect(after).toEqual({
          ...before,
          seated: before.seated.map((e) => ({ ...e, member: NEW })),
          line: before.line.map((e) => ({ ...e, member: NEW })),
        });
        expect(after.seats).toBe(1);
        expect(after.fullSeats).toBe(1);
        const subscribers = (await store.indexRange(subscriptionKeys.members('algemeen'), { limit: 10 })).entries;
        expect(subscribers.map((e) => e.member)).toEqual([`console|${subscribers[0]?.member.split('|')[1]}|${NEW}`]);
        expect((await core.addresses.lookup(core.addresses.personAddress('console', NEW))).ok).toBe(true);

        // The log says it happened, once, and names nobody.
        const moves = logger.lines().filter((line) => line.msg === 'person re-keyed');
        expect(moves).toHaveLength(1);
        expect(moves[0]?.keys).toBe(oldKeys.length);
        expect(found(Buffer.from(logger.text()), [OLD, NEW, USER_ID])).toEqual([]);

        // Nothing in the store names the old pseudonym any more.
        expect(found(await backend.raw(store), [OLD])).toEqual([]);

        // "Vergeet mij" after the move: nothing of the person is left.
        const asked = await turn(core, user().says('vergeet mij'));
        const confirm = [...buttonsOf(asked.last()).values()].find((b) => b.route.verb === 'confirm');
        expect(asked.texts().join('\n')).toContain('Sessie met plek');
        await turn(core, user().clicks(confirm!));
        expect(await store.keysOf(NEW)).toEqual([]);
        expect(found(await backend.raw(store), [OLD, NEW, NOTE, USER_ID, ...newKeys])).toEqual([]);
      } finally {
        await bot?.stopBackground();
        await bot?.store.close();
        bot = undefined;
        await backend.cleanup();
      }
    },
  );
});

describe('a PSEUDONYM_KEY rotation, the lists only features know', () => {
  it("an organiser's membership and digest, their own reminder and a seat offer follow them to the new pseudonym", async () => {
    const store = new MemoryStore();
    bot = await start(store, OLD_P);
    const me = person(USER_ID, 'slack');
    const slackIds = { ...ids, platform: 'slack' as const };
    const old = createPseudonymizer(OLD_P)(slackIds);
    const lead = person('UORG', 'slack');
    const invite = await turn(bot, lead.clicks({ route: { feature: 'organisers', verb: 'invite' } }));
    const code = /organisator worden ([A-Z0-9]{8})/.exec(invite.texts().join('\n'))?.[1];
    expect((await turn(bot, me.says(`organisator worden ${code}`))).texts()[0]).toContain('Welkom');
    await turn(bot, me.says('maandoverzicht'));
    const card = await turn(bot, me.says('herinner mij'));
    await turn(bot, me.clicks(buttonsOf(card.last()).get('Elke week')!));
    // A seat freed in a full session is offered to them, with a deadline.
    const fields = { title: 'Vrijgekomen plek', startsAt: '2027-12-10 14:00', seats: '1' };
    const id = await createSession(bot, fields, lead);
    const other = person('UREKEYother', 'slack');
    await turn(bot, other.clicks(joinRoute(id)));
    expect((await turn(bot, me.clicks(joinRoute(id)))).texts()[0]).toContain('wachtlijst');
    await turn(bot, other.clicks(sessionRoute('leave', id)));
    expect((await store.indexRange(sessionKeys.offers(id))).entries.map((e) => e.member)).toEqual([old]);
    const tenant = (await store.get<{ tenant: string }>(organiserKeys.member(old)))!.tenant;
    const oldNudge = (await store.keysOf(old)).find((key) => key.startsWith(nudgeKeys.nudge('')))!;
    await bot.stopBackground();

    bot = await start(store, ROTATED);
    const NEW = bot.pseudonymize(slackIds);
    await turn(bot, me.says('mijn gegevens'));
    expect(await store.keysOf(old)).toEqual([]);
    // Still an organiser, listed under the new pseudonym in their workspace, with their digest.
    expect((await store.indexRange(organiserKeys.members(tenant))).entries.map((e) => e.member)).toEqual([NEW]);
    expect((await turn(bot, me.says('organisator'))).texts().join('\n')).not.toContain('alleen voor organisatoren');
    expect((await store.indexRange(insightsKeys.digests)).entries.map((e) => e.member)).toEqual([NEW]);
    // Their reminder is theirs under its new id: one record, one planned job, and "herinner mij" shows it.
    const nudges = (await store.keysOf(NEW)).filter((key) => key.startsWith(nudgeKeys.nudge('')));
    expect(nudges).toHaveLength(1);
    expect(nudges[0]).not.toBe(oldNudge);
    expect((await store.getVersioned(oldNudge)).version).toBe(0);
    expect((await store.indexRange(nudgeKeys.all)).entries).toHaveLength(1);
    expect(await bot.queue.size('nudges.fire')).toBe(1);
    expect(JSON.stringify((await turn(bot, me.says('herinner mij'))).last())).toContain('Elke week');
    // The offer is theirs: they can take the seat, and it is counted once.
    expect((await store.indexRange(sessionKeys.offers(id))).entries.map((e) => e.member)).toEqual([NEW]);
    expect((await turn(bot, me.clicks(sessionRoute('accept', id)))).texts()[0]).toContain('Je hebt een plek');
    expect((await store.indexRange(sessionKeys.seated(id))).entries.map((e) => e.member)).toEqual([NEW]);
    expect(await store.counter(sessionKeys.seats(id))).toBe(1);
  });
});

describe('a PSEUDONYM_KEY rotation, two events at once', () => {
  it('moves the person once; both turns see their data under the new pseudonym', async () => {
    const store = new MemoryStore();
    bot = await start(store, OLD_P);
    await turn(bot, user().says('taal en'));
    const sessionId = await createSession(bot, { title: 'Dubbel', startsAt: '2027-12-10 14:00', seats: '3' });
    await turn(bot, user().clicks(joinRoute(sessionId)));
    const oldKeys = await store.keysOf(OLD);
    await bot.stopBackground();

    const logger = captureLogger();
    bot = await start(store, ROTATED, logger.log);
    const NEW = bot.pseudonymize(ids);
    const [first, second] = await Promise.all([turn(bot, user().says('help')), turn(bot, user().says('help'))]);
    // Both answered in English: the language moved before either turn ran.
    for (const io of [first, second]) expect(io.texts().join('\n')).toContain('This is what I can do');
    expect(logger.lines().filter((line) => line.msg === 'person re-keyed')).toHaveLength(1);
    expect(await store.keysOf(OLD)).toEqual([]);
    expect(await store.keysOf(NEW)).toEqual(oldKeys.map((key) => swap(key, OLD, NEW)).sort());
    expect((await store.indexRange(sessionKeys.seated(sessionId))).entries.map((e) => e.member)).toEqual([NEW]);
    expect(await store.counter(sessionKeys.seats(sessionId))).toBe(1);
  });

  it('a move cut short is finished at the next event: what moved stays, the rest follows', async () => {
    const store = new MemoryStore();
    bot = await start(store, OLD_P);
    await turn(bot, user().says('taal en'));
    await turn(bot, user().says('abonneren'));
    const oldKeys = await store.keysOf(OLD);
    await bot.stopBackground();

    bot = await start(store, ROTATED);
    const NEW = bot.pseudonymize(ids);
    // As a crash after the first key: it is tracked under the new pseudonym and moved, the old index still lists
    // the rest (and the moved key, which is empty now).
    const [firstKey] = oldKeys as [string];
    await store.track(NEW, swap(firstKey, OLD, NEW));
    await store.rename(firstKey, swap(firstKey, OLD, NEW));
    expect(await store.keysOf(OLD)).toEqual(oldKeys);

    const io = await turn(bot, user().says('help'));
    expect(io.texts().join('\n')).toContain('This is what I can do');
    expect(await store.keysOf(OLD)).toEqual([]);
    expect(await store.keysOf(NEW)).toEqual(oldKeys.map((key) => swap(key, OLD, NEW)).sort());
  });
});
