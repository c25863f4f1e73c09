/**
 * The registration rules on the durable stores: SQLite (the default) and Redis. The same presses as in the chat
 * tests, checked in the store itself: the seat counter, the seated and waiting indexes, the offers and the records.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../../src/store/redis-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { KeyValueStore } from '../../../src/store/store.js';
import {
  connectTestClient,
  deleteNamespace,
  redisAvailable,
  redisUrl,
  type TestRedisClient,
  uniqueNamespace,
} from '../../support/redis.js';
import { tempDir } from '../../support/temp.js';
import { buttonsOf } from '../../support/make-bot.js';
import { createSession, joinRoute, person, sessionBot, sessionRoute, turn, until } from './support.js';

let admin: TestRedisClient | undefined;
afterAll(() => {
  if (admin?.isOpen) admin.destroy();
});

const backends: [string, boolean, () => Promise<{ store: KeyValueStore; done(): Promise<void> }>][] = [
  [
    'SQLite',
    true,
    async () => ({ store: openSqliteStore({ path: join(tempDir(), 's.sqlite') }), done: async () => undefined }),
  ],
  [
    'Redis',
    redisAvailable,
    async () => {
      const namespace = uniqueNamespace();
      return {
        store: await openRedisStore({ url: redisUrl, namespace }),
        async done() {
          admin ??= await connectTestClient();
          await deleteNamespace(admin, namespace);
        },
      };
    },
  ],
];

for (const [name, available, open] of backends) {
  describe.skipIf(!available)(`sessions on ${name}`, () => {
    it('seats, the line, a second press, giving back, the offer, and "vergeet mij"', async () => {
      const { store, done } = await open();
      const { bot, sent } = await sessionBot({ store });
      try {
        await bot.startBackground();
        const id = await createSession(bot, { title: 'Bubbel', startsAt: '2099-12-10 14:00', seats: '2' });
        const [a, b, c, d] = ['UA', 'UB', 'UC', 'UD'].map((u) => person(u, 'console'));
        const pseudonym = (u: string) => bot.pseudonymize({ platform: 'console', tenantId: 'T1', userId: u });
        for (const p of [a, b, c, d]) await turn(bot, p!.clicks(joinRoute(id)));
        await turn(bot, c!.clicks(joinRoute(id)));
        expect(await store.counter(`sessions:seats:${id}`)).toBe(2);
        expect((await store.indexRange(`sessions:waiting:${id}`)).entries.map((e) => e.member)).toEqual([
          pseudonym('UC'),
          pseudonym('UD'),
        ]);
        expect(
          (await store.getVersioned<{ status: string }>(`sessions:rsvp:${id}:${pseudonym('UA')}`)).value?.status,
        ).toBe('seated');

        await turn(bot, a!.clicks(sessionRoute('leave', id)));
        expect(await store.counter(`sessions:seats:${id}`)).toBe(2);
        expect((await store.indexRange(`sessions:offers:${id}`)).entries.map((e) => e.member)).toEqual([
          pseudonym('UC'),
        ]);
        await until(() => sent.some((s) => s.to.conversationId === 'D-UC' && s.message.text.includes('vrijgekomen')));
        await turn(bot, c!.clicks(sessionRoute('accept', id)));
        expect((await store.indexRange(`sessions:seated:${id}`)).entries.map((e) => e.member).sort()).toEqual(
          [pseudonym('UB'), pseudonym('UC')].sort(),
        );

        // B forgets everything: B's seat goes to D, the first still waiting.
        const asked = await turn(bot, b!.says('vergeet mij'));
        await turn(bot, b!.clicks(buttonsOf(asked.last()).get('Ja, wis alles')!));
        expect(await store.keysOf(pseudonym('UB'))).toEqual([]);
        expect((await store.indexRange(`sessions:offers:${id}`)).entries.map((e) => e.member)).toEqual([
          pseudonym('UD'),
        ]);
        expect(await store.indexCount(`sessions:waiting:${id}`)).toBe(0);
        expect(await store.counter(`sessions:seats:${id}`)).toBe(2);
      } finally {
        await bot.stopBackground();
        await store.close();
        await done();
      }
    });
  });
}
