/**
 * The contract of listing by prefix, sorted indexes, and deleting and forgetting across every family. Registered by
 * describeStoreContract (store.contract.ts) for every back end.
 */
import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/store/store.js';
import type { ContractOptions, StoreFixture } from './store.contract.js';

const SHORT_TTL = 150;
const PAST_SHORT_TTL = 350;
const LONG_TTL = 60_000;

/** Every page of a listing, following cursors (bounded, so a cursor that never ends fails the test). */
async function listAll(store: KeyValueStore, prefix: string, limit: number) {
  const pages: { key: string; value: unknown }[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 500; i++) {
    const page = await store.list(prefix, { cursor, limit });
    pages.push(page.entries);
    cursor = page.cursor;
    if (cursor === undefined) return pages;
  }
  throw new Error('the listing never ended');
}

export function describeCollectionsContract(
  current: () => { fx: StoreFixture; store: KeyValueStore },
  options: ContractOptions,
): void {
  const itOrdered = options.listOrdered ? it : (_name: string, _fn: () => Promise<void>): void => {};

  describe('list', () => {
    it('lists the live plain values under a prefix, and nothing else', async () => {
      const { store, fx } = current();
      await store.set('result:p1:a', 1);
      await store.set('result:p1:b', { two: 2 });
      await store.set('result:p1:gone', 3, SHORT_TTL);
      await store.set('result:p2:a', 4);
      await store.set('xresult:p1:a', 5);
      await store.increment('result:p1:counter', 1);
      await store.compareAndSet('result:p1:cas', 0, 1);
      await store.claim('result:p1:claim', LONG_TTL);
      await fx.advance(PAST_SHORT_TTL);
      const { entries, cursor } = await store.list('result:p1:');
      expect(cursor).toBeUndefined();
      expect(entries.sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual([
        { key: 'result:p1:a', value: 1 },
        { key: 'result:p1:b', value: { two: 2 } },
      ]);
    });

    it('takes glob characters in the prefix literally', async () => {
      const { store } = current();
      for (const key of ['a*b', 'axb', 'q?1', 'qx1', 'r[1]', 'r1', 's\\t']) await store.set(key, key);
      expect((await store.list('a*')).entries.map((e) => e.key)).toEqual(['a*b']);
      expect((await store.list('q?')).entries.map((e) => e.key)).toEqual(['q?1']);
      expect((await store.list('r[')).entries.map((e) => e.key)).toEqual(['r[1]']);
      expect((await store.list('s\\')).entries.map((e) => e.key)).toEqual(['s\\t']);
    });

    it('pages through many keys with a cursor: every key once', async () => {
      const { store } = current();
      const keys = Array.from({ length: 45 }, (_, i) => `page:${String(i).padStart(2, '0')}`);
      for (const key of keys) await store.set(key, key);
      const pages = await listAll(store, 'page:', 10);
      const listed = pages.flat().map((e) => e.key);
      expect(new Set(listed)).toEqual(new Set(keys));
      if (options.listOrdered) {
        expect(listed).toEqual(keys);
        expect(pages.every((p) => p.length <= 10)).toBe(true);
        expect(pages.length).toBe(5);
      }
    });

    itOrdered('orders keys by code point, as SQLite does (not by UTF-16 unit)', async () => {
      const { store } = current();
      for (const key of ['u:\u{1F600}', 'u:\uE000', 'u:z', 'u:é']) await store.set(key, 1);
      expect((await store.list('u:')).entries.map((e) => e.key)).toEqual(['u:z', 'u:é', 'u:\uE000', 'u:\u{1F600}']);
    });

    it('refuses a bad limit or a foreign cursor with a RangeError', async () => {
      const { store } = current();
      await expect(store.list('p', { limit: 0 })).rejects.toThrow(RangeError);
      await expect(store.list('p', { limit: 1001 })).rejects.toThrow(RangeError);
      await expect(store.list('p', { cursor: 'not-from-this-listing' })).rejects.toThrow(RangeError);
    });
  });

  describe('sorted indexes', () => {
    it('keep members in (score, member) order; adding again moves a member; remove says if it was there', async () => {
      const { store } = current();
      await store.indexAdd('due', 'c', 2);
      await store.indexAdd('due', 'b', 1);
      await store.indexAdd('due', 'a', 2);
      await store.indexAdd('due', 'd', -0.5);
      await store.indexAdd('due', 'b', 3);
      expect((await store.indexRange('due')).entries).toEqual([
        { member: 'd', score: -0.5 },
        { member: 'a', score: 2 },
        { member: 'c', score: 2 },
        { member: 'b', score: 3 },
      ]);
      expect(await store.indexRemove('due', 'a')).toBe(true);
      expect(await store.indexRemove('due', 'a')).toBe(false);
      expect(await store.indexCount('due')).toBe(3);
    });

    it('filter by score, bounds inclusive, and count the same range', async () => {
      const { store } = current();
      for (const [m, s] of [
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['d', 4],
      ] as const)
        await store.indexAdd('r', m, s);
      const members = async (min?: number, max?: number) =>
        (await store.indexRange('r', { min, max })).entries.map((e) => e.member);
      expect(await members(2, 3)).toEqual(['b', 'c']);
      expect(await members(2.5)).toEqual(['c', 'd']);
      expect(await members(undefined, 1)).toEqual(['a']);
      expect(await members(5)).toEqual([]);
      expect(await store.indexCount('r', { min: 2, max: 3 })).toBe(2);
      expect(await store.indexCount('r', { max: 1.5 })).toBe(1);
      expect(await store.indexCount('nothing')).toBe(0);
    });

    it('page with the cursor through ties and a range: every member once, in order', async () => {
      const { store } = current();
      const all: { member: string; score: number }[] = [];
      for (let i = 0; i < 31; i++) {
        const entry = { member: `m${String(i).padStart(2, '0')}`, score: i < 12 ? 1 : i * 0.25 };
        all.push(entry);
        await store.indexAdd('ties', entry.member, entry.score);
      }
      const expected = all
        .filter((e) => e.score <= 6)
        .sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : 1));
      const seen: { member: string; score: number }[] = [];
      let after: { member: string; score: number } | undefined;
      for (let page = 0; page < 20; page++) {
        const result = await store.indexRange('ties', { max: 6, after, limit: 5 });
        expect(result.entries.length).toBeLessThanOrEqual(5);
        seen.push(...result.entries);
        after = result.cursor;
        if (!after) break;
      }
      expect(seen).toEqual(expected);
    });

    it('order tied members byte by byte (code point order), also when paging one at a time', async () => {
      const { store } = current();
      for (const member of ['é', 'z', 'a', 'Z', 'ab']) await store.indexAdd('tied', member, 7);
      const seen: string[] = [];
      let after: { member: string; score: number } | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await store.indexRange('tied', { after, limit: 1 });
        seen.push(...result.entries.map((e) => e.member));
        after = result.cursor;
        if (!after) break;
      }
      expect(seen).toEqual(['Z', 'a', 'ab', 'z', 'é']);
    });

    it('keep scores exactly, and an index is separate from a value under the same name', async () => {
      const { store } = current();
      const scores = [0.1, -2.5, 1e-7, 2 ** 53, 1_700_000_000_123];
      for (const [i, s] of scores.entries()) await store.indexAdd('exact', `m${i}`, s);
      await store.set('exact', 'a plain value');
      const got = (await store.indexRange('exact')).entries.map((e) => e.score);
      expect(got).toEqual([...scores].sort((a, b) => a - b));
      expect(await store.get('exact')).toBe('a plain value');
    });

    it('refuse a score that is not finite, a NaN bound and a bad cursor with a RangeError', async () => {
      const { store } = current();
      await expect(store.indexAdd('i', 'm', Number.NaN)).rejects.toThrow(RangeError);
      await expect(store.indexAdd('i', 'm', Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
      await expect(store.indexRange('i', { min: Number.NaN })).rejects.toThrow(RangeError);
      await expect(store.indexRange('i', { after: { score: Number.NaN, member: 'm' } })).rejects.toThrow(RangeError);
      await expect(store.indexRange('i', { limit: 0 })).rejects.toThrow(RangeError);
      expect(await store.indexCount('i')).toBe(0);
    });
  });

  describe('delete and forget across every family', () => {
    it('delete(key) removes the value, claim, counter, versioned value and index under it', async () => {
      const { store } = current();
      await store.set('k', 1);
      await store.claim('k', LONG_TTL);
      await store.increment('k', 2);
      await store.compareAndSet('k', 0, 3);
      await store.indexAdd('k', 'm', 4);
      expect(await store.delete('k')).toBe(true);
      expect(await store.get('k')).toBeUndefined();
      expect(await store.claim('k', LONG_TTL)).toBe(true);
      expect(await store.delete('k')).toBe(true);
      expect(await store.counter('k')).toBe(0);
      expect(await store.getVersioned('k')).toEqual({ value: undefined, version: 0 });
      expect(await store.indexCount('k')).toBe(0);
      expect(await store.delete('k')).toBe(false);
      await store.increment('only-counter', 1);
      expect(await store.delete('only-counter')).toBe(true);
    });

    it('forget reaches counters, versioned values and tracked indexes of the person only', async () => {
      const { store } = current();
      await store.increment('seat:alice', 1);
      await store.compareAndSet('ledger:alice', 0, { paid: 5 });
      await store.indexAdd('reminders:alice', 'r1', 100);
      await store.set('prefs:alice', { locale: 'en' });
      for (const key of ['seat:alice', 'ledger:alice', 'reminders:alice', 'prefs:alice']) {
        await store.track('alice', key);
      }
      await store.increment('seat:bob', 1);
      await store.indexAdd('reminders:bob', 'r2', 100);
      await store.track('bob', 'seat:bob');
      await store.track('bob', 'reminders:bob');
      await store.indexAdd('shared', 'alice-and-bob', 1);

      expect(await store.forget('alice')).toBe(4);

      expect(await store.counter('seat:alice')).toBe(0);
      expect(await store.getVersioned('ledger:alice')).toEqual({ value: undefined, version: 0 });
      expect(await store.indexCount('reminders:alice')).toBe(0);
      expect(await store.get('prefs:alice')).toBeUndefined();
      expect(await store.counter('seat:bob')).toBe(1);
      expect(await store.indexCount('reminders:bob')).toBe(1);
      expect(await store.indexCount('shared')).toBe(1);
      expect(await store.keysOf('bob')).toEqual(['reminders:bob', 'seat:bob']);
    });
  });
}
