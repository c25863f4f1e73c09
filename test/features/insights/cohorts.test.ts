/**
 * Before and after a session, through the real bot on memory, SQLite and Redis: check-ins before the session give
 * the "before" under a random token, FOLLOWUP_WEEKS after the session attendees are offered a follow-up (through the
 * broadcaster), its result gives the "after", and the cohort closes into counts only. A "vergeet mij" between before
 * and after leaves the cohort consistent: the person's token, pair and place in the cohort go, the rest stays.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KeyValueStore } from '../../../src/store/store.js';
import { openMemoryStore } from '../../../src/store/create-store.js';
import { openRedisStore } from '../../../src/store/redis-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { buttonsOf, recordingIO } from '../../support/make-bot.js';
import {
  connectTestClient,
  deleteNamespace,
  redisAvailable,
  redisUrl,
  type TestRedisClient,
  uniqueNamespace,
} from '../../support/redis.js';
import { tempDir } from '../../support/temp.js';
import { createSession, joinRoute, organiser, person, sessionBot, turn, until } from '../sessions/support.js';
import { answerAll, answers, checkIn, insightsOf, said } from './support.js';

const DAY = 86_400_000;
let admin: TestRedisClient | undefined;
afterAll(() => {
  if (admin?.isOpen) admin.destroy();
});

const backends: [string, boolean, () => Promise<{ store: KeyValueStore; done(): Promise<void> }>][] = [
  ['memory', true, async () => ({ store: openMemoryStore(), done: async () => undefined })],
  [
    'SQLite',
    true,
    async () => ({ store: openSqliteStore({ path: join(tempDir(), 'i.sqlite') }), done: async () => undefined }),
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

const listKeys = async (store: KeyValueStore, prefix: string) => {
  const keys = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await store.list(prefix, { limit: 500, ...(cursor ? { cursor } : {}) });
    for (const e of page.entries) keys.add(e.key);
    cursor = page.cursor;
  } while (cursor);
  return [...keys].sort();
};

for (const [name, available, open] of backends) {
  describe.skipIf(!available)(`before and after a session on ${name}`, () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.parse('2026-12-02T09:00:00Z'));
    });
    afterEach(() => vi.useRealTimers());

    it('links before and after by a token, survives a "vergeet mij" in between, and closes into counts', async () => {
      const { store, done } = await open();
      const { bot, sent } = await sessionBot({ store, env: { INSIGHTS_K: '3', FOLLOWUP_WEEKS: '6' } });
      try {
        const id = await createSession(bot, { title: 'Bubbel', startsAt: '2026-12-03 14:00' });
        const people = ['UA', 'UB', 'UC', 'UD'].map((u) => person(u, 'console'));
        const pseudonym = (u: string) => bot.pseudonymize({ platform: 'console', tenantId: 'T1', userId: u });
        for (const p of people) {
          await turn(bot, p.clicks(joinRoute(id)));
          await checkIn(bot, p); // before the session: win-lose
        }
        const tokens = async () => {
          const out: string[] = [];
          let after: { member: string; score: number } | undefined;
          for (;;) {
            const page = await store.indexRange(
              (await listCohortIndexes(store, id))[0] ?? `insights:cohort:${id}:none`,
              { limit: 100, ...(after ? { after } : {}) },
            );
            out.push(...page.entries.map((e) => e.member));
            if (!page.cursor) return out.sort();
            after = page.cursor;
          }
        };
        expect(await tokens()).toHaveLength(4);
        const ud = pseudonym('UD');
        const udKeys = await store.keysOf(ud);
        const udPair = udKeys.find((k) => k.startsWith(`insights:pair:${id}:`))!;
        expect(udPair).toBeDefined();
        // The token is random: it is not the pseudonym, nor derived from it in the key.
        expect(udPair).not.toContain(ud);

        // D forgets everything between before and after.
        const asked = await turn(bot, people[3]!.says('vergeet mij'));
        await turn(bot, people[3]!.clicks(buttonsOf(asked.last()).get('Ja, wis alles')!));
        expect(await store.keysOf(ud)).toEqual([]);
        expect(await store.get(udPair)).toBeUndefined();
        expect(await tokens()).toHaveLength(3);
        // Consistent: every token in the cohort has its pair, and every pair its token.
        const pairs = await listKeys(store, `insights:pair:${id}:`);
        expect(pairs.map((k) => k.slice(k.lastIndexOf(':') + 1)).sort()).toEqual(await tokens());
        // The anonymous facts of the month stay: four people checked in.
        expect(await listKeys(store, 'insights:f:')).toHaveLength(4);

        // The session ends: the three seated count as attended.
        vi.setSystemTime(Date.parse('2026-12-03T16:00:00Z'));
        await bot.startBackground();
        await until(async () => (await store.indexCount(`sessions:attendance:${id}`)) === 3);

        // Six weeks later the follow-up is offered to those who attended, once.
        vi.setSystemTime(Date.parse('2026-12-03T16:00:00Z') + 42 * DAY);
        const insights = insightsOf(bot);
        await insights.runDaily();
        await insights.runDaily();
        await until(() => sent.filter((s) => said(s.message).includes('nog eens doen')).length === 3);
        expect(
          sent
            .filter((s) => said(s.message).includes('nog eens doen'))
            .map((s) => s.to.conversationId)
            .sort(),
        ).toEqual(['D-UA', 'D-UB', 'D-UC']);
        const offer = sent.find(
          (s) => s.to.conversationId === 'D-UA' && said(s.message).includes('nog eens doen'),
        )!.message;
        const yes = buttonsOf(offer).get('Doe de check-in')!;

        // The organiser sees nothing yet: the follow-up is still running.
        const early = await turn(bot, organiser().clicks({ route: { feature: 'insights', verb: 'cohorts' } }));
        expect(said(early.last())).toContain('De nameting loopt nog');

        for (const p of people.slice(0, 3)) {
          const io = recordingIO();
          await bot.receive(p.clicks(yes), io);
          expect(said(io.sent())).toContain('dezelfde check-in als eerder');
          await answerAll(bot, p, io.last(), answers(['debating'])); // after: win-win
        }
        const pairValues = await Promise.all(
          (await listKeys(store, `insights:pair:${id}:`)).map((k) => store.get<{ before?: string; after?: string }>(k)),
        );
        expect(pairValues).toEqual([
          { before: 'win-lose', after: 'win-win' },
          { before: 'win-lose', after: 'win-win' },
          { before: 'win-lose', after: 'win-win' },
        ]);

        // Four weeks after the offer the cohort closes: counts stay, tokens and pairs go.
        vi.setSystemTime(Date.parse('2026-12-03T16:00:00Z') + 70 * DAY + 3_600_000);
        await insights.runDaily();
        expect(await listKeys(store, `insights:pair:`)).toEqual([]);
        expect(await listKeys(store, `insights:link:`)).toEqual([]);
        // What the person index still names of the cohort holds nothing any more.
        for (const u of ['UA', 'UB', 'UC'])
          for (const key of (await store.keysOf(pseudonym(u))).filter((k) => /^insights:(link|pair):/.test(k)))
            expect(await store.get(key)).toBeUndefined();
        const shown = await turn(bot, organiser().clicks({ route: { feature: 'insights', verb: 'cohorts' } }));
        const text = said(shown.last());
        expect(text).toContain('3 mensen deden de check-in voor en na de sessie');
        expect(text).toContain('{"label":"lager op de ladder","value":"3  ▇▇▇▇▇▇▇▇▇▇▇▇"}');
        // A follow-up pressed after the close no longer counts.
        const late = recordingIO();
        await bot.receive(people[0]!.clicks(yes), late);
        expect(said(late.sent())).toContain('al voorbij');

        // When the session's retention ends, the cohort's counts go with it.
        expect(await listKeys(store, 'insights:shift:')).toHaveLength(1);
        vi.setSystemTime(Date.parse('2026-12-03T16:00:00Z') + 181 * DAY);
        await insights.runDaily();
        expect(await listKeys(store, 'insights:shift:')).toEqual([]);
        expect(await store.indexCount('insights:cohorts')).toBe(0);
      } finally {
        await bot.stopBackground();
        await store.close();
        await done();
      }
    }, 30_000);
  });
}

/** The cohort indexes of a session (one per group), found through the groups index. */
async function listCohortIndexes(store: KeyValueStore, id: string): Promise<string[]> {
  const groups = await store.indexRange(`insights:cohort-groups:${id}`, { limit: 100 });
  return groups.entries.map((e) => `insights:cohort:${id}:${e.member}`);
}
