/**
 * The one factory of Redis connections: one client per purpose, the same client on every ask, a clear StoreError
 * (and a warning without the URL) when Redis does not answer at start-up, a retry on the next ask, and closeAll.
 */
import { type AddressInfo, type Socket, connect, createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { type RedisConnections, createRedisConnections } from '../../src/store/redis-connections.js';
import { openRedisStore } from '../../src/store/redis-store.js';
import { connectTestClient, deleteNamespace, redisAvailable, redisUrl, uniqueNamespace } from '../support/redis.js';

function captureLog(): { log: pino.Logger; lines: () => { level: number; msg: string; redis?: string }[] } {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      raw.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines: () => raw.map((line) => JSON.parse(line)) };
}

/** A port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP proxy to the test Redis on `port`; close() cuts every connection. */
async function proxyOn(port: number): Promise<{ close(): Promise<void> }> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const up = connect(Number(target.port || 6379), target.hostname);
    for (const s of [inbound, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    inbound.pipe(up).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

let connections: RedisConnections | undefined;
afterEach(async () => {
  await connections?.closeAll();
  connections = undefined;
});

describe('createRedisConnections', () => {
  it('when Redis does not answer: a quick StoreError, one warning without the password, and a retry later', async () => {
    const { log, lines } = captureLog();
    const port = await freePort();
    connections = createRedisConnections(`redis://:hunter2-secret@127.0.0.1:${port}`, { log, connectTimeoutMs: 500 });
    const started = Date.now();
    await expect(connections.client('store')).rejects.toBeInstanceOf(StoreError);
    expect(Date.now() - started).toBeLessThan(5000);
    const warned = lines().filter((l) => l.level === 40 && l.msg === 'redis: cannot connect');
    expect(warned).toEqual([expect.objectContaining({ redis: 'store' })]);
    expect(JSON.stringify(lines())).not.toContain('hunter2-secret');
    if (!redisAvailable) return;
    // The failure was not cached: once something answers on that port, the next ask connects.
    const proxy = await proxyOn(port);
    try {
      const retry = createRedisConnections(`redis://127.0.0.1:${port}`, { log });
      const client = await retry.client('store');
      expect(await client.ping()).toBe('PONG');
      await retry.closeAll();
    } finally {
      await proxy.close();
    }
  });

  it.skipIf(!redisAvailable)('hands out one client per purpose, the same one on every ask', async () => {
    connections = createRedisConnections(redisUrl);
    const [store, again, limiter] = await Promise.all([
      connections.client('store'),
      connections.client('store'),
      connections.client('limiter'),
    ]);
    expect(again).toBe(store);
    expect(limiter).not.toBe(store);
    expect(await store.ping()).toBe('PONG');
    expect(await limiter.ping()).toBe('PONG');
  });

  it.skipIf(!redisAvailable)('closeAll closes every client, and asking afterwards fails', async () => {
    connections = createRedisConnections(redisUrl);
    const clients = await Promise.all([connections.client('store'), connections.client('limiter')]);
    await connections.closeAll();
    expect(clients.map((c) => c.isOpen)).toEqual([false, false]);
    await expect(connections.client('store')).rejects.toBeInstanceOf(StoreError);
  });

  it.skipIf(!redisAvailable)('a lost connection is logged once per run, not per retry', async () => {
    const { log, lines } = captureLog();
    const port = await freePort();
    let proxy = await proxyOn(port);
    connections = createRedisConnections(`redis://127.0.0.1:${port}`, { log });
    const client = await connections.client('limiter');
    await proxy.close();
    await expect.poll(() => client.isReady, { timeout: 2000, interval: 20 }).toBe(false);
    // Let several reconnect attempts fail.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(lines().filter((l) => l.msg === 'redis connection error')).toHaveLength(1);
    proxy = await proxyOn(port);
    try {
      await expect.poll(() => client.isReady, { timeout: 5000, interval: 50 }).toBe(true);
      expect(lines().filter((l) => l.msg === 'redis connection restored')).toHaveLength(1);
    } finally {
      await connections.closeAll();
      await proxy.close();
    }
  });

  it.skipIf(!redisAvailable)('a store on shared connections leaves the client open when it closes', async () => {
    connections = createRedisConnections(redisUrl);
    const namespace = uniqueNamespace();
    const store = await openRedisStore({ connections, namespace });
    await store.set('k', 1);
    await store.close();
    const client = await connections.client('store');
    expect(client.isOpen).toBe(true);
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreError);
    const admin = await connectTestClient();
    await deleteNamespace(admin, namespace);
    admin.destroy();
  });
});
