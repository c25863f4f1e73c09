/**
 * Real erasure: after "vergeet mij" nothing about the person is readable in the raw bytes the store leaves behind —
 * the SQLite file, its -wal and -shm, free pages included — nor in Redis (every key and every value).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/app.js';
import { createPseudonymizer } from '../../src/crypto/pseudonym.js';
import type { ActionPayload } from '../../src/message/types.js';
import { openRedisStore } from '../../src/store/redis-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { recordingAdapter } from '../features/announcements/support.js';
import { createSession, joinRoute, turn } from '../features/sessions/support.js';
import {
  buttonsOf,
  checkInWith,
  conflictAnswers,
  makeBot,
  person,
  questionBlock,
  recordingIO,
  TEST_PSEUDONYM_KEY,
} from '../support/make-bot.js';
import {
  connectTestClient,
  deleteNamespace,
  dumpNamespace,
  redisAvailable,
  redisUrl,
  uniqueNamespace,
} from '../support/redis.js';
import { tempDir } from '../support/temp.js';

const NOTE = 'KANARIE-notitie-q7Zr2 over de Dorpsstraat';
const USER_ID = 'UERASEcanary91';

let bot: Core | undefined;
afterEach(async () => {
  await bot?.stopBackground();
  await bot?.store.close();
  bot = undefined;
});

/** The check-in answered to its end, the note written. */
async function checkIn(core: Core, user: ReturnType<typeof person>): Promise<void> {
  await checkInWith(core, user, conflictAnswers(NOTE));
}

/** A person with everything: a check-in with a note, a seat at a session, a subscription, a language. */
async function livePerson(store: KeyValueStore) {
  bot = await makeBot({ store, env: { ORGANISERS: 'slack:UORG', QUIET_HOURS: 'off' } });
  bot.registry.register(recordingAdapter().adapter);
  await bot.startBackground();
  const user = person(USER_ID, 'console');
  const pseudonym = createPseudonymizer(TEST_PSEUDONYM_KEY)({ platform: 'console', tenantId: 'T1', userId: USER_ID });
  const sessionId = await createSession(bot, {
    title: 'Doorbreek de bubbel',
    startsAt: '2027-12-10 14:00',
    seats: '2',
  });
  expect((await turn(bot, user.clicks(joinRoute(sessionId)))).texts()[0]).toContain('Je hebt een plek');
  const overview = await turn(bot, user.says('abonneren'));
  const subscribe = [...buttonsOf(overview.last()).entries()].find(([label]) => label.startsWith('Aanmelden'));
  expect(subscribe).toBeDefined();
  await turn(bot, user.clicks(subscribe![1]));
  await checkIn(bot, user);
  await turn(bot, user.says('taal en'));
  await turn(bot, user.says('taal nl'));
  const keys = await store.keysOf(pseudonym);
  // Every kind of data the person has is tracked.
  for (const family of ['checkin:result:', 'sessions:rsvp:', 'subscriptions:', 'prefs:'])
    expect(
      keys.some((k) => k.startsWith(family)),
      family,
    ).toBe(true);
  return { user, pseudonym, keys };
}

/** "vergeet mij", the confirmation and its button; returns what the person was told. */
async function forgetMe(core: Core, user: ReturnType<typeof person>) {
  const asked = await turn(core, user.says('vergeet mij'));
  const confirm = [...buttonsOf(asked.last()).values()].find((b) => b.route.verb === 'confirm');
  if (!confirm) return { asked: asked.texts().join('\n'), done: '' };
  const done = await turn(core, user.clicks(confirm));
  return { asked: asked.texts().join('\n'), done: done.texts().join('\n') };
}

/** Which of `needles` occur in the raw bytes. */
function found(bytes: Buffer, needles: readonly string[]): string[] {
  return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8')));
}

function rawFiles(path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`, `${path}-shm`].filter(existsSync).map((f) => readFileSync(f)));
}

describe('erasure on SQLite', () => {
  it('leaves nothing of the person in the database file, its WAL, its shared memory or free pages', async () => {
    const path = join(tempDir(), 'data', 'bb.sqlite');
    const store = openSqliteStore({ path, purgeIntervalMs: 0 });
    const { user, pseudonym, keys } = await livePerson(store);
    const needles = [NOTE, USER_ID, pseudonym, ...keys];
    // Before: the person's keys are in the file (the scan can find them); the note is sealed, so its words never
    // are, not even before the erasure.
    await store.checkpoint();
    expect(found(rawFiles(path), [NOTE, pseudonym])).toEqual([pseudonym]);
    expect(keys.some((key) => key.startsWith('checkin:note:'))).toBe(true);

    const { asked, done } = await forgetMe(bot!, user);
    // The confirmation says, before anything happens, which seat it frees.
    expect(asked).toContain('Je plek bij Doorbreek de bubbel');
    expect(done).toContain('Ik heb gewist');
    expect(await store.keysOf(pseudonym)).toEqual([]);

    expect(found(rawFiles(path), needles)).toEqual([]);
    // The WAL was emptied after the erasure (later writes only carry pages that were already scrubbed).
    expect(statSync(`${path}-wal`).size).toBeLessThan(64 * 1024);

    // A repeat writes nothing about the person and says so.
    const again = await forgetMe(bot!, user);
    expect(again.asked).toContain('Er was niets (meer) bewaard');
    expect(again.done).toBe('');
    expect(await store.keysOf(pseudonym)).toEqual([]);

    await bot!.stopBackground();
    await store.close();
    bot = undefined;
    expect(found(rawFiles(path), needles)).toEqual([]);
  });

  it('a single result forgotten with its own button: its note is gone from the file and the WAL', async () => {
    const path = join(tempDir(), 'bb.sqlite');
    const store = openSqliteStore({ path, purgeIntervalMs: 0 });
    bot = await makeBot({ store });
    const user = person('UONERESULT', 'console');
    const { all } = await checkInWith(bot, user, conflictAnswers(NOTE));
    const forget = all
      .flatMap((message) => [...buttonsOf(message).values()])
      .find((b) => b.route.feature === 'checkin' && b.route.verb === 'forget');
    expect(forget, 'the result has its own "Vergeten" button').toBeDefined();
    await bot.receive(user.clicks(forget!), recordingIO());
    expect(found(rawFiles(path), [NOTE])).toEqual([]);
  });

  it('creates the database, its WAL and shared memory readable by the owner only (0600)', async () => {
    const path = join(tempDir(), 'data', 'bb.sqlite');
    const store = openSqliteStore({ path, purgeIntervalMs: 0 });
    await store.set('k', 1);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(statSync(file).mode & 0o777, file).toBe(0o600);
    await store.close();
  });

  it('purges expired rows physically and out of the WAL', async () => {
    let now = Date.now();
    const path = join(tempDir(), 'bb.sqlite');
    const store = openSqliteStore({ path, purgeIntervalMs: 0, now: () => now });
    await store.set('result:p:1', { note: NOTE }, 1000);
    await store.checkpoint();
    expect(found(rawFiles(path), [NOTE])).toEqual([NOTE]);
    now += 2000;
    expect(await store.purgeExpired()).toBe(1);
    expect(found(rawFiles(path), [NOTE])).toEqual([]);
    await store.close();
  });
});

describe.skipIf(!redisAvailable)('erasure on Redis', () => {
  it('leaves no key and no value that names the person', async () => {
    const namespace = uniqueNamespace();
    const client = await connectTestClient();
    try {
      const store = await openRedisStore({ url: redisUrl, namespace });
      const { user, pseudonym, keys } = await livePerson(store);
      const needles = [NOTE, USER_ID, pseudonym, ...keys];
      const dump = () => dumpNamespace(client, namespace);
      // The note is sealed: its words are never in Redis; the person's keys are until the erasure.
      expect(found(await dump(), [NOTE, pseudonym])).toEqual([pseudonym]);
      const { done } = await forgetMe(bot!, user);
      expect(done).toContain('Ik heb gewist');
      expect(found(await dump(), needles)).toEqual([]);
    } finally {
      await bot?.stopBackground();
      await bot?.store.close();
      bot = undefined;
      await deleteNamespace(client, namespace);
      client.destroy();
    }
  });
});
