/** Picks the queue that goes with the store: SQLite table, BullMQ on Redis, or memory. */
import type { Logger } from 'pino';
import type { KeyValueStore } from '../store/store.js';
import type { RedisConnections } from '../store/redis-connections.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { openMemoryQueue } from './memory-queue.js';
import type { JobQueue } from './queue.js';
import { openSqliteQueue } from './sqlite-queue.js';

export interface QueueDeps {
  log: Logger;
  /** The process's Redis connections: the queue takes its ioredis clients there (REDIS_URL). */
  connections?: RedisConnections;
  now?: () => number;
  leaseMs?: number;
}

/** The queue for this store: a table in the same SQLite file, BullMQ on the same Redis, or memory. */
export async function createQueue(store: KeyValueStore, deps: QueueDeps): Promise<JobQueue> {
  const log = deps.log.child({ component: 'queue' });
  if (store instanceof SqliteStore) return openSqliteQueue(store, { log, now: deps.now, leaseMs: deps.leaseMs });
  if (store.kind === 'redis' && deps.connections) {
    const [producer, worker] = await Promise.all([
      deps.connections.ioredis('queue', { producer: true }),
      deps.connections.ioredis('queue-worker'),
    ]);
    // BullMQ loads only when the store is Redis: a process on SQLite never pays for it at start-up.
    const { openBullQueue } = await import('./bullmq-queue.js');
    return openBullQueue({ producer, worker, log, now: deps.now, leaseMs: deps.leaseMs });
  }
  return openMemoryQueue({ log, now: deps.now, leaseMs: deps.leaseMs });
}

export type { Job, JobOutcome, JobQueue, JobSpec } from './queue.js';
