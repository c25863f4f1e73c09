/**
 * The embedded queue: one table (`queue_jobs`) in the store's SQLite file, on the store's own connection, so every
 * change joins the loop turn's write transaction (`BEGIN IMMEDIATE`, which holds the file's write lock): a claim is
 * atomic across processes, and an `add` resolves only once committed. A claimed job carries a lease that running
 * workers renew; a job of a killed process is free again once its lease has lapsed.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { SqliteStore } from '../store/sqlite-store.js';
import { PollWorkers, type LeaseBackend } from './poll-worker.js';
import { checkJobId, type Job, type JobQueue, type JobSpec } from './queue.js';

export interface SqliteQueueOptions {
  log?: Logger;
  now?: () => number;
  /** How long a claimed job is held without renewal (a killed worker's jobs wait this long). Default 30 s. */
  leaseMs?: number;
  /** Idle wait between polls. Default 200 ms. */
  pollMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS queue_jobs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  data TEXT NOT NULL,
  run_at INTEGER NOT NULL,
  owner TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  attempt INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queue_jobs_due ON queue_jobs (name, run_at);
CREATE INDEX IF NOT EXISTS queue_jobs_owner ON queue_jobs (owner);
`;

interface Row {
  id: string;
  name: string;
  data: string;
  attempt: number;
}

function prepare(db: Database.Database) {
  db.exec(SCHEMA);
  return {
    add: db.prepare<{ id: string; name: string; data: string; runAt: number }>(
      'INSERT INTO queue_jobs (id, name, data, run_at) VALUES (@id, @name, @data, @runAt) ON CONFLICT (id) DO NOTHING',
    ),
    claim: db.prepare<{ name: string; now: number; limit: number; owner: string; until: number }, Row>(
      `UPDATE queue_jobs SET owner = @owner, lease_until = @until, attempt = attempt + 1
       WHERE id IN (SELECT id FROM queue_jobs WHERE name = @name AND run_at <= @now AND lease_until <= @now
                    ORDER BY run_at LIMIT @limit)
       RETURNING id, name, data, attempt`,
    ),
    complete: db.prepare<{ id: string; owner: string }>('DELETE FROM queue_jobs WHERE id = @id AND owner = @owner'),
    later: db.prepare<{ id: string; owner: string; at: number }>(
      'UPDATE queue_jobs SET run_at = @at, owner = NULL, lease_until = 0 WHERE id = @id AND owner = @owner',
    ),
    renew: db.prepare<{ id: string; owner: string; until: number }>(
      'UPDATE queue_jobs SET lease_until = @until WHERE id = @id AND owner = @owner',
    ),
    remove: db.prepare<{ id: string; now: number }>('DELETE FROM queue_jobs WHERE id = @id AND lease_until <= @now'),
    has: db.prepare<[string], { n: number }>('SELECT 1 AS n FROM queue_jobs WHERE id = ?'),
    size: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM queue_jobs WHERE name = ?'),
  };
}

/** The queue in the store's SQLite file. */
export function openSqliteQueue(store: SqliteStore, options: SqliteQueueOptions = {}): JobQueue {
  const now = options.now ?? Date.now;
  const stmt = prepare(store.db);
  // One owner per queue instance: a lease names who holds it, so a lapsed lease taken over is not settled twice.
  const owner = randomBytes(8).toString('hex');

  const backend: LeaseBackend = {
    claim: (name, limit, at, leaseMs) =>
      store.transact('queue claim', () =>
        stmt.claim
          .all({ name, now: at, limit, owner, until: at + leaseMs })
          .map((row): Job => ({ id: row.id, name: row.name, data: JSON.parse(row.data), attempt: row.attempt })),
      ),
    complete: (job) => store.transact('queue complete', () => void stmt.complete.run({ id: job.id, owner })),
    later: (job, at) => store.transact('queue later', () => void stmt.later.run({ id: job.id, owner, at })),
    renew: (ids, until) =>
      store.transact('queue renew', () => {
        for (const id of ids) stmt.renew.run({ id, owner, until });
      }),
  };
  const workers = new PollWorkers({
    backend,
    log: options.log,
    now,
    leaseMs: options.leaseMs ?? 30_000,
    pollMs: options.pollMs ?? 200,
  });

  return {
    kind: 'sqlite',
    async add(jobs) {
      const list = Array.isArray(jobs) ? jobs : [jobs];
      if (list.length === 0) return;
      const rows = list.map((job: JobSpec) => ({
        id: checkJobId(job.id ?? randomBytes(12).toString('base64url')),
        name: job.name,
        data: JSON.stringify(job.data ?? null),
        runAt: job.runAt ?? now(),
      }));
      await store.transact('queue add', () => {
        for (const row of rows) stmt.add.run(row);
      });
      for (const name of new Set(list.map((j) => j.name))) workers.nudge(name);
    },
    remove: (id) => store.transact('queue remove', () => stmt.remove.run({ id, now: now() }).changes > 0),
    has: (id) => store.query('queue has', () => stmt.has.get(id) !== undefined),
    size: (name) => store.query('queue size', () => stmt.size.get(name)?.n ?? 0),
    work(name, handler, workOptions = {}) {
      workers.work(name, handler, workOptions.concurrency ?? 1);
    },
    stop: () => workers.stop(),
  };
}
