/**
 * The cohort as a property: whatever order people check in before, forget everything, and answer the follow-up,
 * every token the cohort lists has its pair and every pair its token, the forgotten leave nothing behind, and the
 * closed cohort counts exactly the people still there who answered both — or nothing, below k.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createCohorts } from '../../../src/features/insights/cohorts.js';
import type { Session } from '../../../src/features/sessions/model.js';
import { MemoryStore } from '../../../src/store/memory-store.js';

const DAY = 86_400_000;
const START = Date.parse('2026-12-03T13:00:00Z');
const config = loadConfig({ BOT_LOCAL_MODE: '1', INSIGHTS_K: '3', FOLLOWUP_WEEKS: '6' });
const GROUP = 'console:g1';

type Op = { kind: 'before' | 'forget' | 'after'; who: number; band: 'win-win' | 'win-lose' | 'lose-lose' | 'unknown' };
const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('before', 'forget', 'after'),
  who: fc.integer({ min: 0, max: 5 }),
  band: fc.constantFrom('win-win', 'win-lose', 'lose-lose', 'unknown'),
});

describe('a cohort under any order of before, forget and after', () => {
  it('stays consistent and counts exactly who answered both', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
        let clock = START - DAY;
        const store = new MemoryStore({ now: () => clock });
        const cohorts = createCohorts({ store, config, now: () => clock });
        const session: Session = {
          id: 'sess1',
          title: 'Bubbel',
          startsAt: START,
          durationMinutes: 180,
          seats: 14,
          registrationDeadline: START,
          status: 'open',
          sequence: 0,
          createdBy: 'api',
          locale: 'nl',
          createdAt: 0,
          updatedAt: 0,
        };
        await store.compareAndSet('sessions:s:sess1', 0, session);
        const people = Array.from({ length: 6 }, (_, i) => `p${i}`);
        for (const p of people) await store.indexAdd(`sessions:mine:${p}`, 'sess1', START);
        // What the model expects: each person's before and after, cleared by a forget.
        const model = new Map<string, { before?: string; after?: string }>();

        // Befores and forgets happen before the session; the follow-up after it.
        const before = ops.filter((o) => o.kind !== 'after');
        const after = ops.filter((o) => o.kind !== 'before');
        for (const op of before) {
          const p = people[op.who] as string;
          if (op.kind === 'before') {
            await cohorts.recordBefore(p, GROUP, op.band);
            model.set(p, { ...model.get(p), before: op.band });
          } else {
            await cohorts.forgetPerson(p);
            await store.forget(p);
            await store.indexAdd(`sessions:mine:${p}`, 'sess1', START); // still registered, data gone
            model.delete(p);
          }
        }
        // Six weeks and a day after the session: the daily job offers the follow-up and registers the cohort.
        clock = START + 43 * DAY;
        await cohorts.register(session);
        for (const op of after) {
          const p = people[op.who] as string;
          if (op.kind === 'after') {
            expect(await cohorts.accept(p, 'sess1')).toBe('ok');
            await cohorts.recordAfter(p, GROUP, op.band);
            model.set(p, { ...model.get(p), after: op.band });
          } else {
            await cohorts.forgetPerson(p);
            await store.forget(p);
            model.delete(p);
          }
          // Consistent after every step: the cohort's tokens are exactly the stored pairs.
          const tokens = (await store.indexRange(`insights:cohort:sess1:${GROUP}`, { limit: 1000 })).entries
            .map((e) => e.member)
            .sort();
          const pairs = (await store.list(`insights:pair:sess1:${GROUP}:`, { limit: 1000 })).entries
            .map((e) => e.key.slice(e.key.lastIndexOf(':') + 1))
            .sort();
          expect(tokens).toEqual(pairs);
          expect(pairs).toHaveLength([...model.values()].length);
        }
        // A forgotten person leaves no pair behind.
        for (const p of people)
          if (!model.has(p)) expect((await store.keysOf(p)).filter((k) => k.startsWith('insights:'))).toEqual([]);

        clock = START + 90 * DAY;
        await cohorts.sweep();
        const both = [...model.values()].filter((m) => m.before && m.after);
        const view = await cohorts.view('sess1', GROUP);
        if (both.length < 3) expect(view).toEqual({ status: 'suppressed', reason: 'small_cell' });
        else {
          expect(view?.status).toBe('shown');
          if (view?.status === 'shown') expect(view.both).toBe(both.length);
        }
        expect((await store.list('insights:pair:', { limit: 10 })).entries).toEqual([]);
        expect((await store.list('insights:link:', { limit: 10 })).entries).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
