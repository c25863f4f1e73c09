import { fork } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { type SqliteStore, openSqliteStore } from '../../src/store/sqlite-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { countRows, tempDbPath } from './sqlite-support.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract(
  'sqlite',
  async () => {
    const { dir, path } = tempDbPath();
    const open = (): SqliteStore => openSqliteStore({ path, purgeIntervalMs: 0 });
    const opened: KeyValueStore[] = [];
    const track = <T extends KeyValueStore>(store: T): T => {
      opened.push(store);
      return store;
    };
    const store = track(open());
    return {
      store,
      advance: (ms) => sleep(ms),
      openSibling: async () => track(open()),
      reopen: async () => {
        for (const s of opened) await s.close();
        return track(open());
      },
      countStored: async () =>
        (['kv_values', 'kv_claims', 'kv_counters', 'kv_versioned'] as const)
          .map((table) => countRows(path, table))
          .reduce((a, b) => a + b),
      cleanup: async () => {
        for (const s of opened) await s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  { shared: true, durable: true, listOrdered: true },
);

describe('SqliteStore', () => {
  let dir: string;
  let path: string;
  let store: SqliteStore;

  beforeEach(() => {
    ({ dir, path } = tempDbPath());
    store = openSqliteStore({ path, purgeIntervalMs: 0 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses WAL and a busy timeout', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('keeps expired rows unreadable until purgeExpired removes them physically', async () => {
    await store.set('a', 1, 100);
    await store.set('b', 2, 100);
    await store.claim('c', 100);
    await store.set('d', 4);
    await sleep(250);
    expect(await store.get('a')).toBeUndefined();
    // Reading did not delete: the rows are still on disk until the purge.
    expect(countRows(path, 'kv_values')).toBe(3);
    expect(countRows(path, 'kv_claims')).toBe(1);
    expect(await store.purgeExpired()).toBe(3);
    expect(countRows(path, 'kv_values')).toBe(1);
    expect(countRows(path, 'kv_claims')).toBe(0);
    expect(await store.purgeExpired()).toBe(0);
  });

  it('the background purge runs by itself', async () => {
    const auto = openSqliteStore({ path, purgeIntervalMs: 50 });
    try {
      await auto.set('x', 1, 20);
      await sleep(300);
      expect(countRows(path, 'kv_values')).toBe(0);
    } finally {
      await auto.close();
    }
  });

  it('drops person-index rows whose data is gone once they are older than the grace period', async () => {
    let clock = Date.now();
    const s = openSqliteStore({ path, purgeIntervalMs: 0, orphanGraceMs: 1000, now: () => clock });
    try {
      await s.track('p', 'gone');
      await s.track('p', 'kept');
      await s.set('kept', 1);
      expect(await s.purgeExpired()).toBe(0);
      clock += 1000;
      expect(await s.purgeExpired()).toBe(1);
      expect(await s.keysOf('p')).toEqual(['kept']);
    } finally {
      await s.close();
    }
  });

  it('stores values as JSON text in kv_values, unprefixed, committed once set() resolved', async () => {
    await store.set('prefs:p1', { locale: 'en' });
    // No waiting for the loop turn: a write that resolved is committed, so another connection sees it now.
    const db = new Database(path, { readonly: true });
    try {
      const row = db.prepare('SELECT key, value, expires_at FROM kv_values').get() as {
        key: string;
        value: string;
        expires_at: null;
      };
      expect(row.key).toBe('prefs:p1');
      expect(JSON.parse(row.value)).toMatchObject({ value: { locale: 'en' } });
      expect(row.expires_at).toBeNull();
    } finally {
      db.close();
    }
  });

  it('forget deletes values, claims, counters, versioned values, tracked indexes and index rows in one go', async () => {
    await store.set('dialog:p', 1);
    await store.claim('turn:p:d:1', 60_000);
    await store.increment('seat:p', 1);
    await store.compareAndSet('ledger:p', 0, { n: 1 });
    await store.indexAdd('due:p', 'r1', 5);
    for (const key of ['dialog:p', 'turn:p:d:1', 'seat:p', 'ledger:p', 'due:p']) await store.track('p', key);
    expect(await store.forget('p')).toBe(5);
    for (const table of [
      'kv_values',
      'kv_claims',
      'kv_counters',
      'kv_versioned',
      'kv_index',
      'kv_person_keys',
    ] as const) {
      expect(countRows(path, table)).toBe(0);
    }
  });

  it('rename reads again when another connection changed the value between its read and its move', async () => {
    await store.set('note:p-old', 'first');
    const other = new Database(path);
    const seen: unknown[] = [];
    try {
      const renamed = await store.rename('note:p-old', 'note:p-new', (value) => {
        seen.push(value);
        // Another process writes the value while the rewrite runs: the move must not carry the older one.
        if (seen.length === 1)
          other.prepare('UPDATE kv_values SET value = ? WHERE key = ?').run('{"value":"second"}', 'note:p-old');
        return `${String(value)} moved`;
      });
      expect(renamed).toBe(true);
    } finally {
      other.close();
    }
    expect(seen).toEqual(['first', 'second']);
    expect(await store.get('note:p-new')).toBe('second moved');
    expect(await store.get('note:p-old')).toBeUndefined();
  });

  it('the orphan purge keeps index rows whose key still holds a counter, a versioned value or an index', async () => {
    let clock = Date.now();
    const s = openSqliteStore({ path, purgeIntervalMs: 0, orphanGraceMs: 1000, now: () => clock });
    try {
      for (const key of ['gone', 'counter', 'versioned', 'index']) await s.track('p', key);
      await s.increment('counter', 1);
      await s.compareAndSet('versioned', 0, 1);
      await s.indexAdd('index', 'm', 1);
      clock += 1000;
      expect(await s.purgeExpired()).toBe(1);
      expect(await s.keysOf('p')).toEqual(['counter', 'index', 'versioned']);
    } finally {
      await s.close();
    }
  });

  it('a write blocked past the busy timeout fails with a StoreError, not a crash', async () => {
    const blocked = openSqliteStore({ path, purgeIntervalMs: 0, busyTimeoutMs: 50 });
    const holder = new Database(path);
    try {
      holder.exec('BEGIN IMMEDIATE');
      await expect(blocked.claim('k', 1000)).rejects.toBeInstanceOf(StoreError);
      await expect(blocked.set('k', 1)).rejects.toBeInstanceOf(StoreError);
      holder.exec('ROLLBACK');
      expect(await blocked.claim('k', 1000)).toBe(true);
    } finally {
      holder.close();
      await blocked.close();
    }
  });

  it('health writes and commits a probe row', async () => {
    expect(await store.health()).toEqual({ writable: true });
    expect(countRows(path, 'kv_probe')).toBe(1);
  });

  it('health reports a read-only database, and recovers when it is writable again', async () => {
    store.db.pragma('query_only = ON');
    const health = await store.health();
    expect(health.writable).toBe(false);
    expect(health.reason).toMatch(/read-only \(SQLITE_READONLY/);
    await expect(store.set('k', 1)).rejects.toBeInstanceOf(StoreError);
    store.db.pragma('query_only = OFF');
    expect(await store.health()).toEqual({ writable: true });
  });

  it('health reports too little free disk space (statfs against minFreeBytes)', async () => {
    const picky = openSqliteStore({ path, purgeIntervalMs: 0, minFreeBytes: Number.MAX_SAFE_INTEGER });
    try {
      const health = await picky.health();
      expect(health.writable).toBe(false);
      expect(health.reason).toMatch(/^low disk space: [0-9.]+ MiB free, [0-9.]+ MiB needed$/);
    } finally {
      await picky.close();
    }
  });

  it('opening a path that cannot be a database fails with a StoreError', () => {
    expect(() => openSqliteStore({ path: join(dir, 'nested') })).toThrow(StoreError);
  });
});

describe('SqliteStore claims across processes', () => {
  it('four processes claiming the same 8000 keys at once, in the same order: every key is won exactly once', async () => {
    const { dir, path } = tempDbPath();
    // Create the schema first, so the workers race on claims, not on CREATE TABLE.
    await openSqliteStore({ path, purgeIntervalMs: 0 }).close();
    const worker = fileURLToPath(new URL('./fixtures/claim-worker.ts', import.meta.url));
    const keyCount = 8000;
    try {
      const children = Array.from({ length: 4 }, () =>
        fork(worker, [path, String(keyCount)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }),
      );
      const ready = children.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve())));
      type Report = { won: string[]; startedAt: number; endedAt: number };
      const done = children.map(
        (child) =>
          new Promise<Report>((resolve, reject) => {
            let report: Report | undefined;
            child.on('message', (message) => {
              if (typeof message === 'object' && message !== null && 'won' in message) report = message as Report;
            });
            child.on('error', reject);
            child.on('exit', (code) =>
              code === 0 && report ? resolve(report) : reject(new Error(`claim worker exited with ${code}`)),
            );
          }),
      );
      await Promise.all(ready);
      for (const child of children) child.send('go');
      const reports = await Promise.all(done);
      const all = reports.flatMap((r) => r.won);
      expect(all).toHaveLength(keyCount);
      expect(new Set(all).size).toBe(keyCount);
      // The claim loops ran at the same time (otherwise there was no race to win): some two spans overlap.
      const overlaps = reports.some((a, i) =>
        reports.some((b, j) => i !== j && a.startedAt < b.endedAt && b.startedAt < a.endedAt),
      );
      expect(overlaps).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
