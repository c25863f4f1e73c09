/**
 * Picks and opens the store from configuration: Redis when REDIS_URL is set (several replicas share it),
 * otherwise the embedded SQLite file at DATABASE_PATH.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { MemoryStore } from './memory-store.js';
import type { RedisConnections } from './redis-connections.js';
import type { RedisStore, RedisStoreOptions } from './redis-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { KeyValueStore } from './store.js';

export interface StoreDeps {
  log: Logger;
  /**
   * Redis: how long a person's index outlives its last `track` (it must outlive the data it lists, so take the
   * retention period plus a margin). SQLite purges index rows whose data is gone by itself.
   */
  indexTtlMs?: number;
  /**
   * The process's Redis connections (redis-connections.ts), so the store shares them with the other users of Redis
   * and their owner closes them; without them, a Redis store opens and closes a connection of its own.
   */
  connections?: RedisConnections;
}

/**
 * Open the configured store. Throws a StoreError when it cannot be opened (an unreadable file, Redis not
 * answering), so start-up can stop with a clear message. The URL (it may hold a password) is never logged.
 */
export async function createStore(config: Config['store'], deps: StoreDeps): Promise<KeyValueStore> {
  const log = deps.log.child({ component: 'store' });
  const store = config.redisUrl
    ? await openRedisStore({ url: config.redisUrl, connections: deps.connections, log, indexTtlMs: deps.indexTtlMs })
    : openSqliteStore({ path: config.databasePath, log, minFreeBytes: config.minFreeBytes });
  log.info({ kind: store.kind }, 'store opened');
  return store;
}

/**
 * Open a Redis store. The Redis modules load here, on first use, so a process on SQLite never loads them (start-up
 * time is mostly module loading).
 */
export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  return (await import('./redis-store.js')).openRedisStore(options);
}

/** A fresh in-memory store, for tests and one-off tools. */
export function openMemoryStore(now?: () => number): MemoryStore {
  return new MemoryStore({ now });
}

export { openSqliteStore };
export { createRedisConnections } from './redis-connections.js';
export type { RedisClient, RedisConnections } from './redis-connections.js';
export { updateWithRetry } from './update-with-retry.js';
export type { RedisStoreOptions } from './redis-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
