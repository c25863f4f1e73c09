/**
 * The contract of the storage primitives for ledgers, seats and aggregates: counters, versioned values
 * (compare-and-set) with updateWithRetry, and health. Listing, sorted indexes and delete/forget across every family
 * are in store-collections.contract.ts. Both are registered by describeStoreContract (store.contract.ts).
 */
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { updateWithRetry } from '../../src/store/update-with-retry.js';
import type { StoreFixture } from './store.contract.js';

const SHORT_TTL = 150;
const PAST_SHORT_TTL = 350;
const LONG_TTL = 60_000;

export function describePrimitivesContract(current: () => { fx: StoreFixture; store: KeyValueStore }): void {
  describe('counters', () => {
    it('start at 0, add and subtract whole numbers, and say what they hold', async () => {
      const { store } = current();
      expect(await store.counter('votes')).toBe(0);
      expect(await store.increment('votes', 3)).toEqual({ applied: true, value: 3 });
      expect(await store.increment('votes', -5)).toEqual({ applied: true, value: -2 });
      expect(await store.counter('votes')).toBe(-2);
    });

    it('never cross cap or floor: a refused step changes nothing; a step back inside is allowed', async () => {
      const { store } = current();
      expect(await store.increment('seats', 2, { cap: 3 })).toEqual({ applied: true, value: 2 });
      expect(await store.increment('seats', 2, { cap: 3 })).toEqual({ applied: false, value: 2 });
      expect(await store.increment('seats', 1, { cap: 3 })).toEqual({ applied: true, value: 3 });
      expect(await store.increment('seats', -4, { floor: 0 })).toEqual({ applied: false, value: 3 });
      expect(await store.increment('seats', -3, { floor: 0 })).toEqual({ applied: true, value: 0 });
      // The cap was lowered below the count: releasing a seat still works, taking one does not.
      await store.increment('seats', 5);
      expect(await store.increment('seats', -1, { cap: 2 })).toEqual({ applied: true, value: 4 });
      expect(await store.increment('seats', 1, { cap: 2 })).toEqual({ applied: false, value: 4 });
      expect(await store.counter('seats')).toBe(4);
    });

    it('of 60 concurrent seat requests with cap 25, exactly 25 are applied', async () => {
      const { store } = current();
      const results = await Promise.all(
        Array.from({ length: 60 }, () => store.increment('seats:workshop', 1, { cap: 25 })),
      );
      expect(results.filter((r) => r.applied)).toHaveLength(25);
      expect(results.filter((r) => r.applied).map((r) => r.value)).toEqual(
        expect.arrayContaining(Array.from({ length: 25 }, (_, i) => i + 1)),
      );
      expect(await store.counter('seats:workshop')).toBe(25);
    });

    it('expire with ttlMs; a step without ttlMs keeps the expiry; an expired counter starts again at 0', async () => {
      const { store, fx } = current();
      await store.increment('window', 1, { ttlMs: SHORT_TTL });
      await store.increment('window', 1);
      await store.increment('kept', 1, { ttlMs: SHORT_TTL });
      await store.increment('kept', 1, { ttlMs: LONG_TTL });
      await fx.advance(PAST_SHORT_TTL);
      expect(await store.counter('window')).toBe(0);
      expect(await store.counter('kept')).toBe(2);
      expect(await store.increment('window', 1, { cap: 1 })).toEqual({ applied: true, value: 1 });
    });

    it('are a family of their own: a plain value under the same key is untouched', async () => {
      const { store } = current();
      await store.set('same', 5);
      expect(await store.counter('same')).toBe(0);
      await store.increment('same', 2);
      expect(await store.get('same')).toBe(5);
      expect(await store.counter('same')).toBe(2);
    });

    it('refuse bad arguments with a RangeError and change nothing', async () => {
      const { store } = current();
      await expect(store.increment('n', 1.5)).rejects.toThrow(RangeError);
      await expect(store.increment('n', Number.NaN)).rejects.toThrow(RangeError);
      await expect(store.increment('n', 1, { cap: 0, floor: 1 })).rejects.toThrow(RangeError);
      await expect(store.increment('n', 1, { ttlMs: 0 })).rejects.toThrow(RangeError);
      expect(await store.counter('n')).toBe(0);
    });
  });

  describe('versioned values (compare-and-set)', () => {
    it('create at version 0, update only from the current version, and delete with undefined', async () => {
      const { store } = current();
      expect(await store.getVersioned('tally')).toEqual({ value: undefined, version: 0 });
      expect(await store.compareAndSet('tally', 0, { yes: 1 })).toBe(true);
      const first = await store.getVersioned<{ yes: number }>('tally');
      expect(first.value).toEqual({ yes: 1 });
      expect(first.version).toBeGreaterThan(0);
      expect(await store.compareAndSet('tally', 0, { yes: 9 })).toBe(false);
      expect(await store.compareAndSet('tally', first.version, { yes: 2 })).toBe(true);
      const second = await store.getVersioned('tally');
      expect(second.value).toEqual({ yes: 2 });
      expect(second.version).toBeGreaterThan(first.version);
      expect(await store.compareAndSet('tally', first.version, undefined)).toBe(false);
      expect(await store.compareAndSet('tally', second.version, undefined)).toBe(true);
      expect(await store.getVersioned('tally')).toEqual({ value: undefined, version: 0 });
    });

    it('never hand out a version twice, so a stale version fails even after delete and re-create', async () => {
      const { store } = current();
      await store.compareAndSet('k', 0, 'a');
      const stale = (await store.getVersioned('k')).version;
      await store.compareAndSet('k', stale, undefined);
      await store.compareAndSet('k', 0, 'b');
      const fresh = (await store.getVersioned('k')).version;
      expect(fresh).not.toBe(stale);
      expect(await store.compareAndSet('k', stale, 'c')).toBe(false);
      expect((await store.getVersioned('k')).value).toBe('b');
    });

    it('of 30 concurrent writers holding the same version, exactly one wins', async () => {
      const { store } = current();
      await store.compareAndSet('ledger', 0, { n: 0 });
      const { version } = await store.getVersioned('ledger');
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.compareAndSet('ledger', version, { n: i })),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.getVersioned('ledger')).value).toEqual({ n: results.indexOf(true) });
    });

    it('are separate from plain values: get and set neither see nor touch them; delete removes them', async () => {
      const { store } = current();
      await store.compareAndSet('both', 0, 'versioned');
      await store.set('both', 'plain');
      expect(await store.get('both')).toBe('plain');
      expect((await store.getVersioned('both')).value).toBe('versioned');
      expect(await store.delete('both')).toBe(true);
      expect(await store.getVersioned('both')).toEqual({ value: undefined, version: 0 });
    });

    it('expire with ttlMs, after which the key is absent (version 0) and can be created again', async () => {
      const { store, fx } = current();
      await store.compareAndSet('hold', 0, 1, SHORT_TTL);
      await store.compareAndSet('keep', 0, 1, SHORT_TTL);
      await store.compareAndSet('keep', (await store.getVersioned('keep')).version, 2);
      await fx.advance(PAST_SHORT_TTL);
      expect(await store.getVersioned('hold')).toEqual({ value: undefined, version: 0 });
      expect((await store.getVersioned('keep')).value).toBe(2);
      expect(await store.compareAndSet('hold', 0, 3)).toBe(true);
    });

    it('refuse a bad version or TTL with a RangeError', async () => {
      const { store } = current();
      await expect(store.compareAndSet('k', -1, 1)).rejects.toThrow(RangeError);
      await expect(store.compareAndSet('k', 1.5, 1)).rejects.toThrow(RangeError);
      await expect(store.compareAndSet('k', 0, 1, -1)).rejects.toThrow(RangeError);
      expect(await store.getVersioned('k')).toEqual({ value: undefined, version: 0 });
    });

    it('updateWithRetry: 8 concurrent read-modify-writes lose no update', async () => {
      const { store } = current();
      const bump = (c: { n: number } | undefined) => ({ n: (c?.n ?? 0) + 1 });
      const results = await Promise.all(Array.from({ length: 8 }, () => updateWithRetry(store, 'agg', bump)));
      expect(results.map((r) => r?.n).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await store.getVersioned('agg')).value).toEqual({ n: 8 });
    });

    it('updateWithRetry gives up with STORE_CONFLICT after the given attempts', async () => {
      const { store } = current();
      let calls = 0;
      // Every attempt is overtaken by another writer between its read and its write.
      const overtaken = async (c: number | undefined) => {
        calls += 1;
        await updateWithRetry(store, 'contended', (x: number | undefined) => (x ?? 0) + 100);
        return (c ?? 0) + 1;
      };
      const failure = await updateWithRetry(store, 'contended', overtaken, undefined, 3).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(StoreError);
      expect((failure as StoreError).code).toBe('STORE_CONFLICT');
      expect(calls).toBe(3);
      expect((await store.getVersioned('contended')).value).toBe(300);
    });
  });

  describe('health', () => {
    it('is writable while open, not after close, and never throws', async () => {
      const { store } = current();
      expect(await store.health()).toEqual({ writable: true });
      await store.close();
      const after = await store.health();
      expect(after.writable).toBe(false);
      expect(after.reason).toMatch(/closed/);
    });
  });
}
