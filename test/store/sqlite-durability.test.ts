/**
 * Durable group commit on SQLite: a write resolves only once its batch committed; when a batch cannot commit, every
 * write in it (and only those) fails with a StoreError and none of its rows is stored; the next batch works. The
 * failures are real SQLite failures, no test seam: a deferred foreign key makes COMMIT itself fail, and
 * `max_page_count` makes a statement fail with SQLITE_FULL, after which SQLite rolls the transaction back itself.
 */
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { type SqliteStore, openSqliteStore } from '../../src/store/sqlite-store.js';
import { committedKeys, countRows, tempDbPath } from './sqlite-support.js';

/** Let pending promise callbacks run, without letting the event loop reach its check phase (the commit). */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

function capturedLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

describe('SqliteStore durable group commit', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;
  let lines: string[];

  beforeEach(() => {
    ({ dir, path } = tempDbPath());
    const captured = capturedLog();
    lines = captured.lines;
    store = openSqliteStore({ path, purgeIntervalMs: 0, log: captured.log });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write resolves only after its commit, while reads in the open batch already see it', async () => {
    let resolved = false;
    const write = store.set('k', 1).then(() => {
      resolved = true;
    });
    await flushMicrotasks();
    expect(resolved).toBe(false);
    expect(committedKeys(path)).toEqual([]);
    expect(await store.get('k')).toBe(1);
    await write;
    expect(committedKeys(path)).toEqual(['k']);
  });

  it('the writes of one turn share one transaction: they become visible together', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const seen: number[] = [];
    await Promise.all(keys.map((key) => store.set(key, 1).then(() => seen.push(countRows(path, 'kv_values')))));
    expect(seen).toEqual(keys.map(() => 40));
  });

  it('a failed COMMIT rejects every write of its batch and nobody else; none of its rows is stored', async () => {
    store.db.exec(`CREATE TABLE t_parent (id INTEGER PRIMARY KEY);
      CREATE TABLE t_child (parent INTEGER REFERENCES t_parent (id) DEFERRABLE INITIALLY DEFERRED);`);
    store.db.pragma('foreign_keys = ON');
    await store.set('before', 1);
    await store.set('other', 1);

    const writes = [
      store.set('a', 1),
      store.claim('claimed', 60_000),
      store.increment('n', 1, { cap: 1 }),
      store.compareAndSet('v', 0, { x: 1 }),
      store.indexAdd('i', 'm', 1),
      store.track('p', 'a'),
      store.delete('before'),
    ];
    const read = store.get('other');
    // Joins the open batch; the violation is only checked at COMMIT, so COMMIT fails.
    store.db.prepare('INSERT INTO t_child (parent) VALUES (42)').run();
    const results = await Promise.allSettled(writes);

    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(StoreError);
      expect(error.code).toBe('STORE_UNAVAILABLE');
      expect(error.message).toMatch(/not committed$/);
    }
    expect(await read).toBe(1);
    expect(committedKeys(path)).toEqual(['before', 'other']);
    for (const table of ['kv_claims', 'kv_counters', 'kv_versioned', 'kv_index', 'kv_person_keys'] as const) {
      expect(countRows(path, table)).toBe(0);
    }
    const logged = lines.filter((line) => line.includes('store commit failed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain('"writes":7');
    expect(logged[0]).not.toContain('claimed');

    // The next batch is a fresh transaction and commits.
    store.db.pragma('foreign_keys = OFF');
    expect(await store.claim('claimed', 60_000)).toBe(true);
    expect(await store.increment('n', 1, { cap: 1 })).toEqual({ applied: true, value: 1 });
    await store.set('after', 2);
    expect(committedKeys(path)).toEqual(['after', 'before', 'other']);
  });

  it('SQLITE_FULL mid-batch: SQLite drops the transaction, so all its writes fail, later ones that turn too', async () => {
    await store.set('before', 1);
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);

    const small = store.set('small', 1);
    const big = store.set('big', 'x'.repeat(200_000));
    const later = store.set('later', 1);
    const results = await Promise.allSettled([small, big, later]);

    const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined));
    for (const reason of reasons) expect(reason).toBeInstanceOf(StoreError);
    // The big write hit the full database; the small one was rolled back with it; the later one was refused.
    expect(JSON.stringify(causeCodes(reasons[1]))).toContain('SQLITE_FULL');
    expect(reasons[0].message).toMatch(/not committed$/);
    expect(committedKeys(path)).toEqual(['before']);
    expect(await store.get('small')).toBeUndefined();

    store.db.pragma('max_page_count = 1073741823');
    await store.set('small', 1);
    expect(committedKeys(path)).toEqual(['before', 'small']);
  });

  it('three stores on one file in one process never block each other, and every write commits', async () => {
    // A tiny busy timeout: two of them holding a write transaction at once would fail with SQLITE_BUSY at once.
    const siblings = [0, 1, 2].map(() => openSqliteStore({ path, purgeIntervalMs: 0, busyTimeoutMs: 20 }));
    try {
      const writes = Array.from({ length: 30 }, (_, i) => {
        const s = siblings[i % 3] as SqliteStore;
        return Promise.all([s.set(`k${String(i).padStart(2, '0')}`, i), s.increment('shared', 1)]);
      });
      await Promise.all(writes);
      expect(committedKeys(path)).toHaveLength(30);
      expect(await store.counter('shared')).toBe(30);
    } finally {
      for (const s of siblings) await s.close();
    }
  });

  it('close lets writes under way commit; a write after close fails with a StoreError', async () => {
    const pending = store.set('last', 1);
    await store.close();
    await expect(pending).resolves.toBeUndefined();
    expect(committedKeys(path)).toEqual(['last']);
    await expect(store.set('k', 1)).rejects.toBeInstanceOf(StoreError);
  });
});

/** The error codes along an error's cause chain. */
function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}
