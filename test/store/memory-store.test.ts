import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract(
  'memory',
  async () => {
    let clock = 1_700_000_000_000;
    const store = new MemoryStore({ now: () => clock });
    return {
      store,
      advance: async (ms) => {
        clock += ms;
      },
      countStored: async () => store.storedCount(),
      cleanup: () => store.close(),
    };
  },
  { listOrdered: true },
);

describe('MemoryStore', () => {
  it('expires by the injected clock alone', async () => {
    let clock = 0;
    const store = new MemoryStore({ now: () => clock });
    await store.set('k', 'v', 1000);
    expect(await store.claim('c', 1000)).toBe(true);
    clock = 999;
    expect(await store.get('k')).toBe('v');
    expect(await store.claim('c', 1000)).toBe(false);
    clock = 1000;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.claim('c', 1000)).toBe(true);
  });

  it('purgeExpired counts what it removed', async () => {
    let clock = 0;
    const store = new MemoryStore({ now: () => clock });
    await store.set('a', 1, 10);
    await store.claim('b', 10);
    await store.set('c', 3);
    clock = 10;
    expect(await store.purgeExpired()).toBe(2);
    expect(store.storedCount()).toBe(1);
  });
});
