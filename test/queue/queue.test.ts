import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { openBullQueue } from '../../src/queue/bullmq-queue.js';
import { openMemoryQueue } from '../../src/queue/memory-queue.js';
import { openSqliteQueue } from '../../src/queue/sqlite-queue.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite-store.js';
import { redisAvailable, redisUrl, uniqueNamespace } from '../support/redis.js';
import { tempDir } from '../support/temp.js';
import { queueContract } from './queue.contract.js';

queueContract('memory', { open: async () => openMemoryQueue({ pollMs: 20 }) });

let store: SqliteStore | undefined;
queueContract('sqlite', {
  async open() {
    store = openSqliteStore({ path: join(tempDir(), 'q.sqlite') });
    return openSqliteQueue(store, { pollMs: 20 });
  },
  async cleanup() {
    await store?.close();
  },
});

describe.skipIf(!redisAvailable)('redis', () => {
  let connections: Redis[] = [];
  let prefix = '';
  queueContract('bullmq', {
    async open() {
      prefix = uniqueNamespace();
      connections = [
        new Redis(redisUrl, { maxRetriesPerRequest: null }),
        new Redis(redisUrl, { maxRetriesPerRequest: null }),
      ];
      return openBullQueue({ producer: connections[0]!, worker: connections[1]!, prefix, leaseMs: 5000 });
    },
    async cleanup() {
      const keys = await connections[0]!.keys(`${prefix}:*`);
      if (keys.length > 0) await connections[0]!.del(...keys);
      await Promise.all(connections.map((c) => c.quit()));
    },
  });
});

describe('sqlite queue durability', () => {
  it('keeps a job across a restart and gives a lapsed lease to the next worker', async () => {
    const path = join(tempDir(), 'durable.sqlite');
    const first = openSqliteStore({ path });
    const queue = openSqliteQueue(first, { pollMs: 20, leaseMs: 200 });
    let started = false;
    await queue.add({ name: 'x', id: 'kept', data: { keep: true } });
    // A worker that takes the job and never finishes (as if its process hung), without renewing its lease.
    queue.work('x', () => {
      started = true;
      return new Promise(() => undefined);
    });
    while (!started) await new Promise((r) => setTimeout(r, 10));
    const second = openSqliteStore({ path });
    const other = openSqliteQueue(second, { pollMs: 20, leaseMs: 200 });
    const seen: unknown[] = [];
    other.work('x', async (job) => void seen.push(job.data));
    // The first worker renews while its handler runs, so nothing is taken over yet.
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([]);
    expect(await other.has('kept')).toBe(true);
    await other.stop();
    await second.close();
    // Cut off: the first store closes under the hanging handler; its lease lapses and a new worker takes the job.
    first.db.close();
    const third = openSqliteStore({ path });
    const again = openSqliteQueue(third, { pollMs: 20, leaseMs: 200 });
    again.work('x', async (job) => void seen.push(job.data));
    const deadline = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([{ keep: true }]);
    await again.stop();
    await third.close();
  });
});
