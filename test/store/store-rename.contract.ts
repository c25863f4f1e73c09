/**
 * The contract of moving data between keys (`rename`, `indexRenameMember`) and of `untrack`, which a PSEUDONYM_KEY
 * rotation uses to move a person's data to their new pseudonym. Registered by describeStoreContract
 * (store.contract.ts) for every back end.
 */
import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/store/store.js';
import type { StoreFixture } from './store.contract.js';

const SHORT_TTL = 150;
const PAST_SHORT_TTL = 350;
const LONG_TTL = 60_000;

/** Every member of an index with its score. */
async function members(store: KeyValueStore, index: string) {
  return (await store.indexRange(index, { limit: 1000 })).entries;
}

export function describeRenameContract(current: () => { fx: StoreFixture; store: KeyValueStore }): void {
  describe('rename', () => {
    it('moves the value, claim, counter, versioned value and index under a key to another, and empties the first', async () => {
      const { store } = current();
      await store.set('a', { note: 'één' });
      await store.claim('a', LONG_TTL);
      await store.increment('a', 7);
      await store.compareAndSet('a', 0, { seat: 1 });
      const before = (await store.getVersioned('a')).version;
      await store.indexAdd('a', 'm1', 1.5);
      await store.indexAdd('a', 'm2', 2);

      expect(await store.rename('a', 'b')).toBe(true);

      expect(await store.get('b')).toEqual({ note: 'één' });
      expect(await store.claim('b', LONG_TTL)).toBe(false);
      expect(await store.counter('b')).toBe(7);
      const moved = await store.getVersioned('b');
      expect(moved.value).toEqual({ seat: 1 });
      // A version is never handed out twice, not even to a moved value.
      expect(moved.version).toBeGreaterThan(before);
      expect(await members(store, 'b')).toEqual([
        { member: 'm1', score: 1.5 },
        { member: 'm2', score: 2 },
      ]);
      expect(await store.get('a')).toBeUndefined();
      expect(await store.claim('a', LONG_TTL)).toBe(true);
      expect(await store.counter('a')).toBe(0);
      expect(await store.getVersioned('a')).toEqual({ value: undefined, version: 0 });
      expect(await store.indexCount('a')).toBe(0);
      expect(await store.rename('nothing-here', 'c')).toBe(false);
    });

    it('keeps each expiry: what was to expire soon still does under the new key', async () => {
      const { fx, store } = current();
      await store.set('a', 'v', SHORT_TTL);
      await store.increment('a', 1, { ttlMs: SHORT_TTL });
      await store.compareAndSet('a', 0, 'x', SHORT_TTL);
      await store.claim('a', SHORT_TTL);
      await store.set('forever', 'w');
      await store.rename('a', 'b');
      await store.rename('forever', 'still');
      expect(await store.get('b')).toBe('v');
      await fx.advance(PAST_SHORT_TTL);
      expect(await store.get('b')).toBeUndefined();
      expect(await store.counter('b')).toBe(0);
      expect(await store.getVersioned('b')).toEqual({ value: undefined, version: 0 });
      expect(await store.claim('b', LONG_TTL)).toBe(true);
      expect(await store.get('still')).toBe('w');
    });

    it('leaves what the new key holds already: its value, counter and versioned value win, index members merge', async () => {
      const { store } = current();
      await store.set('a', 'old');
      await store.increment('a', 1);
      await store.compareAndSet('a', 0, 'old');
      await store.indexAdd('a', 'both', 1);
      await store.indexAdd('a', 'only-a', 2);
      await store.set('b', 'new');
      await store.increment('b', 5);
      await store.compareAndSet('b', 0, 'new');
      const version = (await store.getVersioned('b')).version;
      await store.indexAdd('b', 'both', 9);

      expect(await store.rename('a', 'b', (v) => `${String(v)}!`)).toBe(true);

      expect(await store.get('b')).toBe('new');
      expect(await store.counter('b')).toBe(5);
      expect(await store.getVersioned('b')).toEqual({ value: 'new', version });
      expect(await members(store, 'b')).toEqual([
        { member: 'only-a', score: 2 },
        { member: 'both', score: 9 },
      ]);
      expect(await store.get('a')).toBeUndefined();
      // Done twice: nothing left to move, nothing changes.
      expect(await store.rename('a', 'b')).toBe(false);
      expect(await store.get('b')).toBe('new');
    });

    it('rewrites plain and versioned values on the way; a rewrite that gives undefined drops the value', async () => {
      const { store } = current();
      await store.set('a', { who: 'p-old', list: ['p-old', 'x'] });
      await store.compareAndSet('a', 0, { who: 'p-old' });
      const swap = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll('p-old', 'p-new'));
      await store.rename('a', 'b', swap);
      expect(await store.get('b')).toEqual({ who: 'p-new', list: ['p-new', 'x'] });
      expect((await store.getVersioned('b')).value).toEqual({ who: 'p-new' });

      await store.set('c', 'unreadable');
      await store.increment('c', 3);
      await store.rename('c', 'd', () => undefined);
      expect(await store.get('d')).toBeUndefined();
      expect(await store.get('c')).toBeUndefined();
      expect(await store.counter('d')).toBe(3);
    });

    it('to the same key: rewrites the values in place with their expiry, leaves the other families alone', async () => {
      const { fx, store } = current();
      await store.set('a', 'p-old', SHORT_TTL);
      await store.compareAndSet('a', 0, 'p-old');
      const version = (await store.getVersioned('a')).version;
      await store.increment('a', 4);
      await store.indexAdd('a', 'm', 1);
      expect(await store.rename('a', 'a', (v) => String(v).replace('p-old', 'p-new'))).toBe(true);
      expect(await store.get('a')).toBe('p-new');
      const rewritten = await store.getVersioned('a');
      expect(rewritten.value).toBe('p-new');
      // A writer still holding the old version must fail.
      expect(rewritten.version).not.toBe(version);
      expect(await store.compareAndSet('a', version, 'late')).toBe(false);
      expect(await store.counter('a')).toBe(4);
      expect(await store.indexCount('a')).toBe(1);
      // An unchanged value is not written again; nothing else moved either.
      expect(await store.rename('a', 'a', (v) => v)).toBe(true);
      expect((await store.getVersioned('a')).version).toBe(rewritten.version);
      await fx.advance(PAST_SHORT_TTL);
      expect(await store.get('a')).toBeUndefined();
      // Whether anything is there counts every family, also in place.
      await store.increment('only-a-counter', 1);
      await store.indexAdd('only-an-index', 'm', 1);
      expect(await store.rename('only-a-counter', 'only-a-counter')).toBe(true);
      expect(await store.rename('only-an-index', 'only-an-index')).toBe(true);
      expect(await store.rename('nothing', 'nothing')).toBe(false);
    });
  });

  describe('indexRenameMember', () => {
    it('gives a member a new name with its score, in place: the count never changes', async () => {
      const { store } = current();
      await store.indexAdd('seated', 'p-old', 3);
      await store.indexAdd('seated', 'other', 1);
      expect(await store.indexRenameMember('seated', 'p-old', 'p-new')).toBe(true);
      expect(await members(store, 'seated')).toEqual([
        { member: 'other', score: 1 },
        { member: 'p-new', score: 3 },
      ]);
      expect(await store.indexRenameMember('seated', 'p-old', 'p-new')).toBe(false);
      expect(await store.indexRenameMember('missing-index', 'p-old', 'p-new')).toBe(false);
    });

    it('keeps the score of a member already under the new name, and drops the old one', async () => {
      const { store } = current();
      await store.indexAdd('line', 'p-old', 3);
      await store.indexAdd('line', 'p-new', 8);
      expect(await store.indexRenameMember('line', 'p-old', 'p-new')).toBe(true);
      expect(await members(store, 'line')).toEqual([{ member: 'p-new', score: 8 }]);
    });
  });

  describe('untrack', () => {
    it("takes one key out of a person's index and leaves its data, which forget then does not reach", async () => {
      const { store } = current();
      await store.set('prefs:p', 1);
      await store.set('moved:p', 2);
      await store.track('p', 'prefs:p');
      await store.track('p', 'moved:p');
      await store.untrack('p', 'moved:p');
      await store.untrack('p', 'never-tracked');
      expect(await store.keysOf('p')).toEqual(['prefs:p']);
      expect(await store.get('moved:p')).toBe(2);
      expect(await store.forget('p')).toBe(1);
      expect(await store.get('moved:p')).toBe(2);
      await store.track('q', 'only');
      await store.untrack('q', 'only');
      expect(await store.keysOf('q')).toEqual([]);
      expect(await store.forget('q')).toBe(0);
    });
  });
}
