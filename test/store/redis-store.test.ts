import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { type RedisStore, openRedisStore } from '../../src/store/redis-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import {
  type TestRedisClient,
  connectTestClient,
  deleteNamespace,
  keysUnder,
  redisAvailable,
  redisUrl,
  uniqueNamespace,
} from '../support/redis.js';
import { describeStoreContract } from './store.contract.js';

let admin: TestRedisClient | undefined;
const adminClient = async (): Promise<TestRedisClient> => (admin ??= await connectTestClient());
afterAll(() => {
  if (admin?.isOpen) admin.destroy();
});

describeStoreContract(
  'redis',
  async () => {
    const namespace = uniqueNamespace();
    const open = (): Promise<RedisStore> => openRedisStore({ url: redisUrl, namespace });
    const opened: KeyValueStore[] = [];
    const track = <T extends KeyValueStore>(store: T): T => {
      opened.push(store);
      return store;
    };
    const store = track(await open());
    return {
      store,
      advance: (ms) => sleep(ms),
      openSibling: async () => track(await open()),
      reopen: async () => {
        for (const s of opened) await s.close();
        return track(await open());
      },
      // Redis expires keys itself; every key that still exists is a live value, claim, counter or versioned value
      // (person index, sorted indexes, the version sequence and the health probe excluded).
      countStored: async () => {
        const excluded = ['person::', 'index::', 'seq::', 'probe'].map((family) => `${namespace}:${family}`);
        const keys = await keysUnder(await adminClient(), namespace);
        return keys.filter((key) => !excluded.some((prefix) => key.startsWith(prefix))).length;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
        await deleteNamespace(await adminClient(), namespace);
      },
    };
  },
  { skip: !redisAvailable, shared: true, durable: true },
);

describe.skipIf(!redisAvailable)('RedisStore', () => {
  it('lays keys out as <ns>::key, <ns>:claim::key and <ns>:person::p (no double prefix), with a PX TTL', async () => {
    const namespace = uniqueNamespace();
    const store = await openRedisStore({ url: redisUrl, namespace });
    const client = await adminClient();
    try {
      await store.set('dialog:p1', { step: 1 }, 5000);
      await store.claim('event:slack:E1', 5000);
      await store.track('p1', 'dialog:p1');
      expect((await keysUnder(client, namespace)).sort()).toEqual(
        [`${namespace}::dialog:p1`, `${namespace}:claim::event:slack:E1`, `${namespace}:person::p1`].sort(),
      );
      const pttl = await client.pTTL(`${namespace}::dialog:p1`);
      expect(pttl).toBeGreaterThan(0);
      expect(pttl).toBeLessThanOrEqual(5000);
      expect(await client.pTTL(`${namespace}:person::p1`)).toBe(-1);
    } finally {
      await store.close();
      await deleteNamespace(client, namespace);
    }
  });

  it('lays out counters, versioned values, the version sequence and indexes in families of their own', async () => {
    const namespace = uniqueNamespace();
    const store = await openRedisStore({ url: redisUrl, namespace });
    const client = await adminClient();
    try {
      await store.increment('seats:w1', 2, { ttlMs: 5000 });
      await store.compareAndSet('tally:w1', 0, { yes: 1 });
      await store.indexAdd('due', 'r1', 1.5);
      expect(await store.health()).toEqual({ writable: true });
      const types = Object.fromEntries(
        await Promise.all(
          (await keysUnder(client, namespace)).map(async (key) => [
            key.slice(namespace.length),
            await client.type(key),
          ]),
        ),
      );
      expect(types).toEqual({
        ':counter::seats:w1': 'string',
        ':cas::tally:w1': 'hash',
        ':seq::version': 'string',
        ':index::due': 'zset',
        ':probe': 'string',
      });
      expect(await client.get(`${namespace}:counter::seats:w1`)).toBe('2');
      expect(await client.pTTL(`${namespace}:counter::seats:w1`)).toBeGreaterThan(0);
      expect(await client.hGetAll(`${namespace}:cas::tally:w1`)).toEqual({ value: '{"yes":1}', version: '1' });
      expect(await client.pTTL(`${namespace}:probe`)).toBeGreaterThan(0);
    } finally {
      await store.close();
      await deleteNamespace(client, namespace);
    }
  });

  it('with indexTtlMs, track extends the person index TTL', async () => {
    const namespace = uniqueNamespace();
    const store = await openRedisStore({ url: redisUrl, namespace, indexTtlMs: 60_000 });
    const client = await adminClient();
    try {
      await store.track('p1', 'prefs:p1');
      const pttl = await client.pTTL(`${namespace}:person::p1`);
      expect(pttl).toBeGreaterThan(50_000);
    } finally {
      await store.close();
      await deleteNamespace(client, namespace);
    }
  });
});

/**
 * A stand-in Redis speaking just enough RESP: PONG to PING, a READONLY error to SET (like a replica that was
 * promoted away from), +OK to anything else (the client's hand-shake).
 */
async function readOnlyRedis(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (data) => {
      // One reply per command: each RESP command starts with '*'.
      for (const command of data.toString('latin1').split('*').slice(1)) {
        const name = command.split('\r\n')[2]?.toUpperCase();
        if (name === 'PING') socket.write('+PONG\r\n');
        else if (name === 'SET') socket.write("-READONLY You can't write against a read only replica.\r\n");
        else socket.write('+OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('RedisStore health', () => {
  it('reports a Redis that answers PING but refuses writes, with its error code only', async () => {
    const fake = await readOnlyRedis();
    const store = await openRedisStore({ url: `redis://127.0.0.1:${fake.port}`, pingTimeoutMs: 500 });
    try {
      expect(await store.ping()).toBe(true);
      expect(await store.health()).toEqual({ writable: false, reason: 'write probe failed (READONLY)' });
    } finally {
      await store.close();
      await fake.close();
    }
  });
});

describe('RedisStore connection failures', () => {
  it('opening against a port where nothing listens rejects with a StoreError, quickly', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const started = Date.now();
    await expect(openRedisStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 500 })).rejects.toBeInstanceOf(
      StoreError,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  describe.skipIf(!redisAvailable)('when the connection drops', () => {
    // A TCP proxy in front of Redis, so the test can cut the connection without touching the shared server.
    const sockets = new Set<Socket>();
    let refuse = false;
    const proxy = createServer((inbound) => {
      if (refuse) {
        inbound.destroy();
        return;
      }
      const upstream = new URL(redisUrl);
      const up = connect(Number(upstream.port || 6379), upstream.hostname);
      for (const s of [inbound, up]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      inbound.pipe(up).pipe(inbound);
    });
    let port = 0;

    beforeAll(async () => {
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      port = (proxy.address() as AddressInfo).port;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    });

    it('calls fail with a StoreError, ping is false, nothing crashes, and it recovers', async () => {
      const namespace = uniqueNamespace();
      const store = await openRedisStore({ url: `redis://127.0.0.1:${port}`, namespace, pingTimeoutMs: 300 });
      try {
        await store.set('k', 1);
        refuse = true;
        for (const s of sockets) s.destroy();
        await sleep(20);
        await expect(store.get('k')).rejects.toBeInstanceOf(StoreError);
        await expect(store.claim('c', 1000)).rejects.toBeInstanceOf(StoreError);
        expect(await store.ping()).toBe(false);
        expect(await store.health()).toEqual({ writable: false, reason: 'redis does not answer' });
        // Let connections through again: the client reconnects on its own.
        refuse = false;
        await expect.poll(() => store.ping(), { timeout: 5000, interval: 100 }).toBe(true);
        expect(await store.get('k')).toBe(1);
        expect(await store.health()).toEqual({ writable: true });
      } finally {
        await store.close();
        await deleteNamespace(await adminClient(), namespace);
      }
    });
  });
});
