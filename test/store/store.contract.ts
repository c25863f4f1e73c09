/**
 * The behaviour every KeyValueStore must show, run against each back end by its own test file. The primitives beyond
 * values, claims and the person index are in store-primitives.contract.ts (counters, versioned values, health) and
 * store-collections.contract.ts (listing, sorted indexes, delete and forget across families) and
 * store-rename.contract.ts (moving data between keys, for a PSEUDONYM_KEY rotation), registered from here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { describeCollectionsContract } from './store-collections.contract.js';
import { describePrimitivesContract } from './store-primitives.contract.js';
import { describeRenameContract } from './store-rename.contract.js';

export interface StoreFixture {
  store: KeyValueStore;
  /** Let time pass: a fake clock where the store has one, a real wait otherwise. */
  advance(ms: number): Promise<void>;
  /** Another store instance over the same data (a second connection); absent where there is no such thing. */
  openSibling?(): Promise<KeyValueStore>;
  /** Close `store`, open it again over the same data, and return the new one; absent for non-durable stores. */
  reopen?(): Promise<KeyValueStore>;
  /** Values, claims, counters and versioned values physically held, expired or not, counted around the store. */
  countStored(): Promise<number>;
  /** Close whatever the fixture opened and remove what it created. */
  cleanup(): Promise<void>;
}

export type MakeStoreFixture = () => Promise<StoreFixture>;

const SHORT_TTL = 150;
const PAST_SHORT_TTL = 350;
const LONG_TTL = 60_000;

export interface ContractOptions {
  /** Skip the whole suite (a back end that is not reachable here; the caller says so loudly). */
  skip?: boolean;
  /** The back end can be shared by two instances: the fixture has `openSibling`. */
  shared?: boolean;
  /** The back end keeps data across reopening: the fixture has `reopen`. */
  durable?: boolean;
  /** `list` returns keys in code point order (SQLite, memory); otherwise in no set order (Redis SCAN). */
  listOrdered?: boolean;
}

export function describeStoreContract(name: string, makeStore: MakeStoreFixture, options: ContractOptions = {}): void {
  // A test that does not apply to a back end (memory has no second instance and keeps nothing) is not registered.
  const notApplicable = (_name: string, _fn: () => Promise<void>): void => {};
  const itShared = options.shared ? it : notApplicable;
  const itDurable = options.durable ? it : notApplicable;
  describe.skipIf(options.skip ?? false)(`KeyValueStore contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: KeyValueStore;

    beforeEach(async () => {
      fx = await makeStore();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe('values', () => {
      it('round-trips JSON values and returns undefined for a missing key', async () => {
        const samples: Record<string, unknown> = {
          object: { a: 1, nested: { list: [1, 'twee', true, null] } },
          array: [3, 2, 1],
          text: 'één café 🫧',
          number: 42.5,
          zero: 0,
          flag: false,
          empty: '',
          nothing: null,
        };
        for (const [key, value] of Object.entries(samples)) await store.set(key, value);
        for (const [key, value] of Object.entries(samples)) expect(await store.get(key)).toEqual(value);
        expect(await store.get('missing')).toBeUndefined();
      });

      it('stores a copy: changing the object after set changes nothing', async () => {
        const value = { count: 1 };
        await store.set('copy', value);
        value.count = 2;
        expect(await store.get('copy')).toEqual({ count: 1 });
      });

      it('overwrites, and delete removes and says whether something was there', async () => {
        await store.set('k', 'first');
        await store.set('k', 'second');
        expect(await store.get('k')).toBe('second');
        expect(await store.delete('k')).toBe(true);
        expect(await store.get('k')).toBeUndefined();
        expect(await store.delete('k')).toBe(false);
      });

      it('keeps keys apart, also keys that differ only by a prefix', async () => {
        await store.set('dialog:p1', 1);
        await store.set('dialog:p1:x', 2);
        await store.set('dialog:p', 3);
        expect([await store.get('dialog:p1'), await store.get('dialog:p1:x'), await store.get('dialog:p')]).toEqual([
          1, 2, 3,
        ]);
      });

      it('a value with a TTL is readable until it expires and never after', async () => {
        await store.set('short', 's', SHORT_TTL);
        await store.set('long', 'l', LONG_TTL);
        await store.set('forever', 'f');
        expect(await store.get('long')).toBe('l');
        await fx.advance(PAST_SHORT_TTL);
        expect(await store.get('short')).toBeUndefined();
        expect(await store.get('long')).toBe('l');
        expect(await store.get('forever')).toBe('f');
        expect(await store.delete('short')).toBe(false);
      });

      it('setting again without a TTL removes the old TTL', async () => {
        await store.set('k', 1, SHORT_TTL);
        await store.set('k', 2);
        await fx.advance(PAST_SHORT_TTL);
        expect(await store.get('k')).toBe(2);
      });

      it('rejects a TTL that is not a positive number', async () => {
        await expect(store.set('k', 1, 0)).rejects.toThrow(RangeError);
        await expect(store.set('k', 1, -5)).rejects.toThrow(RangeError);
        await expect(store.claim('k', Number.NaN)).rejects.toThrow(RangeError);
        expect(await store.get('k')).toBeUndefined();
      });
    });

    describe('claim', () => {
      it('is taken once: of 50 concurrent claims exactly one wins', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, () => store.claim('event:slack:E1', LONG_TTL)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.claim('event:slack:E1', LONG_TTL)).toBe(false);
        expect(await store.claim('event:slack:E2', LONG_TTL)).toBe(true);
      });

      it('can be taken again once its TTL has run out, and not before', async () => {
        expect(await store.claim('turn', SHORT_TTL)).toBe(true);
        expect(await store.claim('turn', SHORT_TTL)).toBe(false);
        await fx.advance(PAST_SHORT_TTL);
        expect(await store.claim('turn', LONG_TTL)).toBe(true);
        await fx.advance(PAST_SHORT_TTL);
        expect(await store.claim('turn', LONG_TTL)).toBe(false);
      });

      it('is separate from a value under the same key; delete releases both', async () => {
        await store.set('same', { v: 1 });
        expect(await store.claim('same', LONG_TTL)).toBe(true);
        expect(await store.get('same')).toEqual({ v: 1 });
        expect(await store.delete('same')).toBe(true);
        expect(await store.get('same')).toBeUndefined();
        expect(await store.claim('same', LONG_TTL)).toBe(true);
        expect(await store.delete('same')).toBe(true);
        expect(await store.delete('same')).toBe(false);
      });

      itShared('is atomic across two store instances on the same data', async () => {
        const other = await required(fx.openSibling)();
        const keys = Array.from({ length: 20 }, (_, i) => `event:teams:${i}`);
        const attempts = keys.flatMap((key) => [
          store.claim(key, LONG_TTL),
          other.claim(key, LONG_TTL),
          store.claim(key, LONG_TTL),
          other.claim(key, LONG_TTL),
        ]);
        const results = await Promise.all(attempts);
        for (let i = 0; i < keys.length; i++) expect(results.slice(i * 4, i * 4 + 4).filter(Boolean)).toHaveLength(1);
        // And each sees the other's values.
        await store.set('shared', 'from one');
        expect(await other.get('shared')).toBe('from one');
      });
    });

    describe('person index', () => {
      it('tracks keys once each and lists them', async () => {
        await store.track('alice', 'dialog:alice');
        await store.track('alice', 'prefs:alice');
        await store.track('alice', 'dialog:alice');
        expect(await store.keysOf('alice')).toEqual(['dialog:alice', 'prefs:alice']);
        expect(await store.keysOf('nobody')).toEqual([]);
      });

      it('forget removes every value and claim of one person and nothing of another', async () => {
        await store.set('dialog:alice', { step: 2 }, LONG_TTL);
        await store.set('result:alice:r1', { band: 3 });
        await store.claim('turn:alice:d:1', LONG_TTL);
        for (const key of ['dialog:alice', 'result:alice:r1', 'turn:alice:d:1']) await store.track('alice', key);
        await store.set('dialog:bob', { step: 1 });
        await store.claim('turn:bob:d:1', LONG_TTL);
        await store.track('bob', 'dialog:bob');
        await store.track('bob', 'turn:bob:d:1');
        await store.set('install:slack:T1', { team: 'T1' });

        expect(await store.forget('alice')).toBe(3);

        expect(await store.get('dialog:alice')).toBeUndefined();
        expect(await store.get('result:alice:r1')).toBeUndefined();
        expect(await store.claim('turn:alice:d:1', LONG_TTL)).toBe(true);
        expect(await store.keysOf('alice')).toEqual([]);
        expect(await store.get('dialog:bob')).toEqual({ step: 1 });
        expect(await store.claim('turn:bob:d:1', LONG_TTL)).toBe(false);
        expect(await store.keysOf('bob')).toEqual(['dialog:bob', 'turn:bob:d:1']);
        expect(await store.get('install:slack:T1')).toEqual({ team: 'T1' });
      });

      it('forget again (or for an unknown person) is a no-op that returns 0', async () => {
        await store.set('prefs:carol', { locale: 'en' });
        await store.track('carol', 'prefs:carol');
        expect(await store.forget('carol')).toBe(1);
        expect(await store.forget('carol')).toBe(0);
        expect(await store.forget('never-seen')).toBe(0);
        expect(await store.keysOf('carol')).toEqual([]);
      });

      it('a key tracked before it is set is still found by forget', async () => {
        await store.track('dave', 'conversation:dave');
        await store.set('conversation:dave', { id: 'c1' });
        expect(await store.forget('dave')).toBe(1);
        expect(await store.get('conversation:dave')).toBeUndefined();
      });
    });

    describe('expiry, durability, health', () => {
      it('purgeExpired leaves only live entries physically stored', async () => {
        await store.set('gone1', 1, SHORT_TTL);
        await store.set('gone2', 2, SHORT_TTL);
        await store.claim('gone3', SHORT_TTL);
        await store.increment('gone4', 1, { ttlMs: SHORT_TTL });
        await store.compareAndSet('gone5', 0, { v: 5 }, SHORT_TTL);
        await store.set('kept', 3);
        await store.claim('kept-claim', LONG_TTL);
        await store.increment('kept-counter', 7, { ttlMs: LONG_TTL });
        await store.compareAndSet('kept-versioned', 0, { v: 8 });
        await fx.advance(PAST_SHORT_TTL);
        const removed = await store.purgeExpired();
        expect(removed).toBeGreaterThanOrEqual(0);
        expect(await fx.countStored()).toBe(4);
        expect(await store.get('kept')).toBe(3);
        expect(await store.claim('kept-claim', LONG_TTL)).toBe(false);
        expect(await store.counter('kept-counter')).toBe(7);
        expect((await store.getVersioned('kept-versioned')).value).toEqual({ v: 8 });
      });

      itDurable('keeps data of every family when the same store is opened again', async () => {
        await store.set('dialog:erin', { step: 4 });
        await store.claim('event:slack:E9', LONG_TTL);
        await store.track('erin', 'dialog:erin');
        await store.increment('seats:w1', 3);
        await store.compareAndSet('tally:w1', 0, { yes: 1 });
        const { version } = await store.getVersioned('tally:w1');
        await store.indexAdd('by-date', 'w1', 20);
        store = await required(fx.reopen)();
        expect(await store.get('dialog:erin')).toEqual({ step: 4 });
        expect(await store.claim('event:slack:E9', LONG_TTL)).toBe(false);
        expect(await store.keysOf('erin')).toEqual(['dialog:erin']);
        expect(await store.counter('seats:w1')).toBe(3);
        expect(await store.getVersioned('tally:w1')).toEqual({ value: { yes: 1 }, version });
        expect((await store.indexRange('by-date')).entries).toEqual([{ member: 'w1', score: 20 }]);
      });

      it('ping answers while open; after close ping is false and calls fail with a StoreError', async () => {
        expect(await store.ping()).toBe(true);
        await store.close();
        await store.close();
        expect(await store.ping()).toBe(false);
        await expect(store.get('k')).rejects.toBeInstanceOf(StoreError);
        await expect(store.set('k', 1)).rejects.toBeInstanceOf(StoreError);
        await expect(store.claim('k', LONG_TTL)).rejects.toBeInstanceOf(StoreError);
        await expect(store.forget('p')).rejects.toBeInstanceOf(StoreError);
        await expect(store.increment('n', 1)).rejects.toBeInstanceOf(StoreError);
        await expect(store.compareAndSet('v', 0, 1)).rejects.toBeInstanceOf(StoreError);
        await expect(store.indexAdd('i', 'm', 1)).rejects.toBeInstanceOf(StoreError);
        await expect(store.list('')).rejects.toBeInstanceOf(StoreError);
        await expect(store.rename('a', 'b')).rejects.toBeInstanceOf(StoreError);
        await expect(store.indexRenameMember('i', 'm', 'n')).rejects.toBeInstanceOf(StoreError);
        await expect(store.untrack('p', 'k')).rejects.toBeInstanceOf(StoreError);
      });
    });

    describePrimitivesContract(() => ({ fx, store }));
    describeCollectionsContract(() => ({ fx, store }), options);
    describeRenameContract(() => ({ fx, store }));
  });
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the fixture lacks a capability its options claim');
  return value;
}
