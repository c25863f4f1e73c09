/**
 * Atomicity across processes, where it matters most: four separate Node processes race on one SQLite file and on
 * one Redis. Taking seats with a cap must never oversell, and compare-and-set must let exactly one writer win per
 * version (so no update is lost). In-process tests cannot show this for SQLite: better-sqlite3 is synchronous.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/store/redis-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import {
  type TestRedisClient,
  connectTestClient,
  deleteNamespace,
  redisAvailable,
  redisUrl,
  uniqueNamespace,
} from '../support/redis.js';
import { tempDbPath } from './sqlite-support.js';

const WORKERS = 4;
const worker = fileURLToPath(new URL('./fixtures/race-worker.ts', import.meta.url));

interface Report {
  applied?: number;
  attempts?: { version: number; won: boolean }[];
  startedAt: number;
  endedAt: number;
}

/** Start the workers, let them all go at once, and collect their reports. */
async function race(args: string[]): Promise<Report[]> {
  const children: ChildProcess[] = Array.from({ length: WORKERS }, () =>
    fork(worker, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit' }),
  );
  try {
    const ready = children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve())));
    const done = children.map(
      (child) =>
        new Promise<Report>((resolve, reject) => {
          let report: Report | undefined;
          child.on('message', (message) => {
            if (typeof message === 'object' && message !== null && 'startedAt' in message) report = message as Report;
          });
          child.on('error', reject);
          child.on('exit', (code) =>
            code === 0 && report ? resolve(report) : reject(new Error(`race worker exited with ${code}`)),
          );
        }),
    );
    await Promise.all(ready);
    for (const child of children) child.send('go');
    return await Promise.all(done);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

/** Some two workers' race loops overlapped in time (otherwise there was no race to win). */
function overlapped(reports: Report[]): boolean {
  return reports.some((a, i) => reports.some((b, j) => i !== j && a.startedAt < b.endedAt && b.startedAt < a.endedAt));
}

interface Backend {
  name: string;
  skip: boolean;
  /** The worker arguments before the race name, and a store of the test's own on the same data. */
  open(): Promise<{ args: string[]; store: KeyValueStore; cleanup(): Promise<void> }>;
}

let admin: TestRedisClient | undefined;
afterAll(() => {
  if (admin?.isOpen) admin.destroy();
});

const backends: Backend[] = [
  {
    name: 'SQLite (one file)',
    skip: false,
    async open() {
      const { dir, path } = tempDbPath();
      const store = openSqliteStore({ path, purgeIntervalMs: 0 });
      return {
        args: ['sqlite', path, '-'],
        store,
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'Redis',
    skip: !redisAvailable,
    async open() {
      const namespace = uniqueNamespace();
      const store = await openRedisStore({ url: redisUrl, namespace });
      return {
        args: ['redis', redisUrl, namespace],
        store,
        cleanup: async () => {
          await store.close();
          admin ??= await connectTestClient();
          await deleteNamespace(admin, namespace);
        },
      };
    },
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`cross-process atomicity: ${backend.name}`, () => {
    it('four processes taking seats with a cap never oversell: exactly `cap` are applied', async () => {
      const { args, store, cleanup } = await backend.open();
      try {
        const cap = 700;
        const reports = await race([...args, 'increment', '300', String(cap)]);
        // 1200 attempts for 700 seats: exactly 700 taken, never one more.
        expect(reports.reduce((sum, r) => sum + (r.applied ?? 0), 0)).toBe(cap);
        expect(await store.counter('seats')).toBe(cap);
        // Seats went to several processes, whose loops ran at the same time: they really contended.
        expect(reports.filter((r) => (r.applied ?? 0) > 0).length).toBeGreaterThanOrEqual(3);
        expect(overlapped(reports)).toBe(true);
      } finally {
        await cleanup();
      }
    });

    it('four processes doing compare-and-set: exactly one wins per version, and no update is lost', async () => {
      const { args, store, cleanup } = await backend.open();
      try {
        const reports = await race([...args, 'cas', '40', '0']);
        const attempts = reports.flatMap((r) => r.attempts ?? []);
        const wins = attempts.filter((a) => a.won);
        const final = await store.getVersioned<number>('tally');
        // No lost update: the tally counts every win.
        expect(final.value).toBe(wins.length);
        // Exactly one winner per version that was superseded; none for the version that is current now.
        const winnersByVersion = new Map<number, number>();
        for (const a of attempts)
          winnersByVersion.set(a.version, (winnersByVersion.get(a.version) ?? 0) + Number(a.won));
        for (const [version, winners] of winnersByVersion) expect(winners).toBe(version === final.version ? 0 : 1);
        // They contended: some version was tried by more than one process, and not every attempt won.
        const triedBy = new Map<number, number>();
        for (const a of attempts) triedBy.set(a.version, (triedBy.get(a.version) ?? 0) + 1);
        expect([...triedBy.values()].some((n) => n > 1)).toBe(true);
        expect(wins.length).toBeLessThan(attempts.length);
        expect(overlapped(reports)).toBe(true);
      } finally {
        await cleanup();
      }
    });
  });
}
