/**
 * The one place that creates Redis connections. The composition root makes one `RedisConnections` per process and
 * hands out clients by purpose (the store, the shared rate limits, …), so every connection gets the same settings
 * and the same shutdown, and no component builds its own from REDIS_URL.
 *
 * Settings of every node-redis client, and the rule each serves:
 * - `disableOfflineQueue`: while Redis is away, commands fail at once (callers see a StoreError, the rate limiter
 *   falls back to its in-process counters) instead of waiting in a queue forever;
 * - a connect timeout, and a reconnect backoff capped at 3 s, but giving up after three quick attempts when the
 *   very first connection fails, so start-up ends with a clear error instead of hanging;
 * - an 'error' listener (without one, an 'error' event crashes the process) that logs the first failure of a run,
 *   not every retry, and never the URL (it may hold a password).
 *
 * ioredis: BullMQ (the queue on Redis) needs ioredis connections, not node-redis. `ioredis(purpose)` builds them
 * from the same `url` with the same rules: `maxRetriesPerRequest: null` (BullMQ requires it for workers; a
 * producer's `add` then fails fast through `enableOfflineQueue: false` instead), the same connect timeout, a retry
 * strategy capped at 3 s that gives up after three quick attempts when the first connection fails, and the same
 * kind of 'error' listener. `closeAll()` quits them too.
 *
 * The client libraries are imported on the first connection, not with this module: a process without REDIS_URL
 * never loads them, which keeps start-up short.
 */
import type { createClient } from '@keyv/redis';
import type { Redis as IORedis } from 'ioredis';
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';

/** A node-redis client as this module creates it. */
export type RedisClient = ReturnType<typeof createClient>;

/** What a connection is for; each purpose gets one client of its own. */
export type RedisPurpose = 'store' | 'limiter' | (string & {});

export interface RedisConnectionsOptions {
  log?: Logger;
  /** How long one connection attempt may take. Default 5 s. */
  connectTimeoutMs?: number;
}

/** The Redis connections of one process, by purpose. */
export interface RedisConnections {
  /**
   * The connected client for `purpose`: created and connected on the first ask, the same client afterwards. Rejects
   * with a StoreError when Redis does not answer at start-up (a later ask tries again).
   */
  client(purpose: RedisPurpose): Promise<RedisClient>;
  /**
   * The connected ioredis client for `purpose` (BullMQ): `producer` ones fail fast while Redis is away, worker ones
   * wait for it. Created on the first ask, the same client afterwards; rejects with a StoreError at start-up failure.
   */
  ioredis(purpose: RedisPurpose, options?: { producer?: boolean }): Promise<IORedis>;
  /** Close every client handed out; waits for commands in flight, except on a connection that is down. */
  closeAll(): Promise<void>;
}

/** Create the connection factory for `url` (redis:// or rediss://; never logged). Connects nothing yet. */
export function createRedisConnections(url: string, options: RedisConnectionsOptions = {}): RedisConnections {
  const clients = new Map<string, Promise<RedisClient>>();
  const ioClients = new Map<string, Promise<IORedis>>();
  let closed = false;
  return {
    client(purpose) {
      if (closed) return Promise.reject(new StoreError('redis: connections already closed'));
      let pending = clients.get(purpose);
      if (!pending) {
        pending = connect(url, purpose, options);
        clients.set(purpose, pending);
        // A failed start-up is not cached: the next ask tries again.
        pending.catch(() => clients.delete(purpose));
      }
      return pending;
    },
    ioredis(purpose, ioOptions = {}) {
      if (closed) return Promise.reject(new StoreError('redis: connections already closed'));
      let pending = ioClients.get(purpose);
      if (!pending) {
        pending = connectIoRedis(url, purpose, options, ioOptions.producer === true);
        ioClients.set(purpose, pending);
        pending.catch(() => ioClients.delete(purpose));
      }
      return pending;
    },
    async closeAll() {
      closed = true;
      const opened = await Promise.allSettled(clients.values());
      clients.clear();
      for (const result of opened) if (result.status === 'fulfilled') await closeClient(result.value);
      const ioOpened = await Promise.allSettled(ioClients.values());
      ioClients.clear();
      for (const result of ioOpened) {
        if (result.status === 'fulfilled') await result.value.quit().catch(() => result.value.disconnect());
      }
    },
  };
}

interface ConnectionState {
  /** Whether the client was ready once: before that, a client gives up after a few tries (start-up fails fast). */
  connectedOnce: boolean;
  failing: boolean;
}

/** One warning when a connection fails and one line when it is back, not one per retry. */
function watch(
  client: { on(event: 'error' | 'ready', listener: (err?: unknown) => void): unknown },
  log: Logger | undefined,
  state: ConnectionState,
): void {
  client.on('error', (err) => {
    if (state.failing) return;
    state.failing = true;
    log?.warn({ err: new StoreError('redis: connection error', { cause: err }) }, 'redis connection error');
  });
  client.on('ready', () => {
    if (state.failing && state.connectedOnce) log?.info('redis connection restored');
    state.failing = false;
    state.connectedOnce = true;
  });
}

async function connect(url: string, purpose: string, options: RedisConnectionsOptions): Promise<RedisClient> {
  const log = options.log?.child({ redis: purpose });
  const state: ConnectionState = { connectedOnce: false, failing: false };
  const { createClient } = await import('@keyv/redis');
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      reconnectStrategy: (retries) => {
        if (!state.connectedOnce && retries >= 2) return new StoreError('redis: cannot connect');
        return Math.min(2 ** retries * 100, 3000);
      },
    },
  });
  watch(client, log, state);
  try {
    await client.connect();
    return client;
  } catch (error) {
    if (client.isOpen) client.destroy();
    log?.warn('redis: cannot connect');
    throw error instanceof StoreError ? error : new StoreError('redis: cannot connect', { cause: error });
  }
}

/** close() waits for the commands in flight; while Redis is away that could wait for a reconnect, so destroy. */
export async function closeClient(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  try {
    if (client.isReady) await client.close();
    else client.destroy();
  } catch {
    client.destroy();
  }
}

async function connectIoRedis(
  url: string,
  purpose: string,
  options: RedisConnectionsOptions,
  producer: boolean,
): Promise<IORedis> {
  const log = options.log?.child({ redis: purpose });
  const state: ConnectionState = { connectedOnce: false, failing: false };
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableOfflineQueue: !producer,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    retryStrategy: (times) => {
      if (!state.connectedOnce && times > 2) return null;
      return Math.min(2 ** times * 100, 3000);
    },
  });
  watch(client, log, state);
  try {
    await client.connect();
    return client;
  } catch (error) {
    client.disconnect();
    log?.warn('redis: cannot connect');
    throw new StoreError('redis: cannot connect', { cause: error });
  }
}
