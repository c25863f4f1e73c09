/**
 * Facts on the durable stores: no person and no time in them — not even in their expiry, which is the same moment
 * for every fact of a month — and one per person per month.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { factExpiry, readFacts, recordFact, type Fact } from '../../../src/features/insights/facts.js';
import { openRedisStore } from '../../../src/store/redis-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import {
  connectTestClient,
  deleteNamespace,
  keysUnder,
  redisAvailable,
  redisUrl,
  uniqueNamespace,
} from '../../support/redis.js';
import { tempDir } from '../../support/temp.js';

const fact = (track: string): Fact => ({ track, phase: 'win-lose', roles: [], voices: [], flags: [], modules: ['m1'] });
const MONTH = '2026-10';

describe('facts', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => vi.useRealTimers());

  it('on SQLite: every fact of a month has the same expiry, and a second check-in replaces the first', async () => {
    const path = join(tempDir(), 'facts.sqlite');
    const store = openSqliteStore({ path });
    try {
      vi.setSystemTime(Date.parse('2026-10-03T08:12:45Z'));
      await recordFact(store, {
        person: 'pA',
        group: 'slack:g',
        month: MONTH,
        fact: fact('conflict'),
        now: Date.now(),
      });
      vi.setSystemTime(Date.parse('2026-10-29T17:40:01Z'));
      await recordFact(store, { person: 'pB', group: 'slack:g', month: MONTH, fact: fact('both'), now: Date.now() });
      await recordFact(store, {
        person: 'pA',
        group: 'slack:g',
        month: MONTH,
        fact: fact('polarisation'),
        now: Date.now(),
      });
      expect((await readFacts(store, 'slack:g', MONTH)).map((f) => f.track).sort()).toEqual(['both', 'polarisation']);
      const db = new Database(path, { readonly: true });
      const rows = db.prepare("SELECT key, value, expires_at FROM kv_values WHERE key LIKE 'insights:f:%'").all() as {
        key: string;
        value: string;
        expires_at: number;
      }[];
      db.close();
      expect(rows).toHaveLength(2);
      expect(new Set(rows.map((r) => r.expires_at))).toEqual(new Set([factExpiry(MONTH)]));
      for (const r of rows) {
        expect(r.key).not.toMatch(/pA|pB/);
        expect(r.value).not.toMatch(/pA|pB|1791|1793/);
      }
    } finally {
      await store.close();
    }
  });

  it.skipIf(!redisAvailable)("on Redis: the same, with the expiry as the key's own", async () => {
    const namespace = uniqueNamespace();
    const store = await openRedisStore({ url: redisUrl, namespace });
    const admin = await connectTestClient();
    try {
      // Redis keeps time by its own clock: the facts are written now, for a month of which they all share the end.
      vi.useRealTimers();
      await recordFact(store, {
        person: 'pA',
        group: 'teams:g',
        month: MONTH,
        fact: fact('conflict'),
        now: Date.now(),
      });
      await new Promise((r) => setTimeout(r, 1100));
      await recordFact(store, { person: 'pB', group: 'teams:g', month: MONTH, fact: fact('both'), now: Date.now() });
      await recordFact(store, { person: 'pA', group: 'teams:g', month: MONTH, fact: fact('unclear'), now: Date.now() });
      expect((await readFacts(store, 'teams:g', MONTH)).map((f) => f.track).sort()).toEqual(['both', 'unclear']);
      expect(await readFacts(store, 'slack:g', MONTH)).toEqual([]);
      const keys = (await keysUnder(admin, namespace)).filter((k) => k.includes('insights:f:'));
      expect(keys).toHaveLength(2);
      for (const key of keys) {
        // Within the few milliseconds a write takes, never the second between the two check-ins.
        expect(Math.abs((await admin.pExpireTime(key)) - factExpiry(MONTH))).toBeLessThan(500);
        expect(key).not.toMatch(/pA|pB/);
      }
    } finally {
      await store.close();
      await deleteNamespace(admin, namespace);
      admin.destroy();
    }
  });
});
