/**
 * The embedded default store: Keyv over our better-sqlite3 adapter, plus claims and the person index as plain SQL
 * on the same connection. One file (DATABASE_PATH), WAL, so several connections (another store instance, the
 * queue) can share it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Keyv } from 'keyv';
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import { checkOptionalTtl, checkTtl, closedError, guarded } from './guard.js';
import { SqliteKeyvAdapter, prepareConnection } from './sqlite-adapter.js';
import type { KeyValueStore } from './store.js';

export interface SqliteStoreOptions {
  /** The database file; its folder is created. `:memory:` works too (one connection only). */
  path: string;
  log?: Logger;
  /** How often expired rows are purged in the background; 0 turns it off. Default one minute. */
  purgeIntervalMs?: number;
  /** How long a write waits for another connection's lock before failing. Default 5 s. */
  busyTimeoutMs?: number;
  /**
   * A person-index row whose key has neither a value nor a claim is dropped by the purge once it is this old
   * (so the index itself does not outlive the data). Default one hour, which covers `track` before `set`.
   */
  orphanGraceMs?: number;
  /** The clock, for tests. Keyv itself always uses Date.now, so keep this close to real time. */
  now?: () => number;
}

interface KeyRow {
  key: string;
}

const KIND = 'sqlite';

/**
 * The store holding an open write batch, per database file, in this process. Two stores on one file in one
 * process (tests, tools) must not wait on each other's batch: SQLite would block the very event loop that is
 * meant to commit it. So before touching the file, a store commits a sibling's open batch.
 */
const openBatches = new Map<string, SqliteStore>();

/** Open (and create where needed) the SQLite store. Throws a StoreError when the file cannot be opened. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}

export class SqliteStore implements KeyValueStore {
  readonly kind = KIND;
  /** The open connection, for another component that shares the file (the embedded queue). */
  readonly db: Database.Database;

  private readonly keyv: Keyv;
  private readonly now: () => number;
  private readonly log?: Logger;
  private readonly orphanGraceMs: number;
  private readonly timer?: NodeJS.Timeout;
  private closed = false;
  private readonly file: string;
  /** A write transaction is open and will be committed at the end of this turn of the event loop. */
  private batchOpen = false;

  private readonly stmt: {
    claim: Database.Statement<[string, number, number]>;
    releaseClaim: Database.Statement<[string], { expires_at: number }>;
    track: Database.Statement<[string, string, number]>;
    keysOf: Database.Statement<[string], KeyRow>;
    forgetValues: Database.Statement<[string]>;
    forgetClaims: Database.Statement<[string]>;
    forgetIndex: Database.Statement<[string]>;
    purgeValues: Database.Statement<[number]>;
    purgeClaims: Database.Statement<[number]>;
    purgeOrphans: Database.Statement<[number]>;
    ping: Database.Statement<[], { ok: number }>;
    begin: Database.Statement<[]>;
    commit: Database.Statement<[]>;
  };
  private readonly forgetTx: Database.Transaction<(person: string) => number>;
  private readonly purgeTx: Database.Transaction<(now: number) => number>;

  constructor(options: SqliteStoreOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.orphanGraceMs = options.orphanGraceMs ?? 60 * 60 * 1000;
    this.file = options.path === ':memory:' ? `:memory:${Math.random()}` : resolve(options.path);
    try {
      if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
      this.db = new Database(options.path);
    } catch (error) {
      throw new StoreError('sqlite store: cannot open the database file', { cause: error });
    }
    try {
      prepareConnection(this.db, options.busyTimeoutMs ?? 5000);
      const db = this.db;
      this.stmt = {
        // One statement: a new claim inserts; a held claim is only taken over once its TTL has run out.
        claim: db.prepare(
          `INSERT INTO kv_claims (key, expires_at) VALUES (?, ?)
           ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE kv_claims.expires_at <= ?`,
        ),
        releaseClaim: db.prepare('DELETE FROM kv_claims WHERE key = ? RETURNING expires_at'),
        // Upsert rather than OR IGNORE: tracking again refreshes tracked_at, which the orphan purge looks at.
        track: db.prepare(
          'INSERT INTO kv_person_keys (person, key, tracked_at) VALUES (?, ?, ?) ON CONFLICT (person, key) DO UPDATE SET tracked_at = excluded.tracked_at',
        ),
        keysOf: db.prepare('SELECT key FROM kv_person_keys WHERE person = ? ORDER BY key'),
        forgetValues: db.prepare(
          'DELETE FROM kv_values WHERE key IN (SELECT key FROM kv_person_keys WHERE person = ?)',
        ),
        forgetClaims: db.prepare(
          'DELETE FROM kv_claims WHERE key IN (SELECT key FROM kv_person_keys WHERE person = ?)',
        ),
        forgetIndex: db.prepare('DELETE FROM kv_person_keys WHERE person = ?'),
        purgeValues: db.prepare('DELETE FROM kv_values WHERE expires_at IS NOT NULL AND expires_at <= ?'),
        purgeClaims: db.prepare('DELETE FROM kv_claims WHERE expires_at <= ?'),
        purgeOrphans: db.prepare(
          `DELETE FROM kv_person_keys WHERE tracked_at <= ?
             AND NOT EXISTS (SELECT 1 FROM kv_values v WHERE v.key = kv_person_keys.key)
             AND NOT EXISTS (SELECT 1 FROM kv_claims c WHERE c.key = kv_person_keys.key)`,
        ),
        ping: db.prepare('SELECT 1 AS ok'),
        // Prepared once: `exec` would parse them again for every loop turn that writes.
        begin: db.prepare('BEGIN IMMEDIATE'),
        commit: db.prepare('COMMIT'),
      };
      this.forgetTx = db.transaction((person: string) => {
        this.stmt.forgetValues.run(person);
        this.stmt.forgetClaims.run(person);
        return this.stmt.forgetIndex.run(person).changes;
      });
      this.purgeTx = db.transaction((now: number) => {
        const values = this.stmt.purgeValues.run(now).changes;
        const claims = this.stmt.purgeClaims.run(now).changes;
        const orphans = this.stmt.purgeOrphans.run(now - this.orphanGraceMs).changes;
        return values + claims + orphans;
      });
    } catch (error) {
      this.db.close();
      throw new StoreError('sqlite store: cannot prepare the database', { cause: error });
    }

    const adapter = new SqliteKeyvAdapter(this.db, this.now);
    this.keyv = new Keyv({ store: adapter, namespace: 'bb', useKeyPrefix: false, throwOnErrors: true });
    this.keyv.on('error', () => {
      // Failures are rethrown (throwOnErrors) and wrapped by `guarded`; the event is only keyv's echo of them.
    });

    const interval = options.purgeIntervalMs ?? 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => this.backgroundPurge(), interval);
      this.timer.unref();
    }
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.run('get', () => this.keyv.get<T>(key));
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    const ttl = checkOptionalTtl(ttlMs);
    await this.run('set', () => {
      this.openBatch();
      return this.keyv.set(key, value, ttl);
    });
  }

  /** Deletes the value and any claim under `key`; true when either was live. */
  async delete(key: string): Promise<boolean> {
    return this.run('delete', async () => {
      this.openBatch();
      const value = await this.keyv.delete(key);
      const claim = this.stmt.releaseClaim.get(key);
      return value || (claim !== undefined && claim.expires_at > this.now());
    });
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs);
    return this.run('claim', () => {
      this.openBatch();
      const now = this.now();
      return this.stmt.claim.run(key, now + ttl, now).changes === 1;
    });
  }

  async track(person: string, key: string): Promise<void> {
    await this.run('track', () => {
      this.openBatch();
      return this.stmt.track.run(person, key, this.now());
    });
  }

  async keysOf(person: string): Promise<string[]> {
    return this.run('keysOf', () => this.stmt.keysOf.all(person).map((row) => row.key));
  }

  /** Values, claims and index rows of this person go in one IMMEDIATE transaction. */
  async forget(person: string): Promise<number> {
    return this.run('forget', () => this.forgetTx.immediate(person));
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return this.stmt.ping.get()?.ok === 1;
    } catch {
      return false;
    }
  }

  /** Deletes expired values, expired claims and old orphaned index rows; returns how many rows went. */
  async purgeExpired(): Promise<number> {
    return this.run('purgeExpired', () => this.purgeTx.immediate(this.now()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commitBatch();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.db.close();
  }

  /**
   * Group commit: the writes of one turn of the event loop share one transaction, committed in the check phase
   * (setImmediate) of the same turn. Every write of a busy second then costs a fraction of a WAL commit, and a
   * claim stays atomic: it runs inside the transaction, which holds SQLite's write lock until it commits.
   * This connection reads its own uncommitted writes; another process sees them within one loop turn.
   */
  private openBatch(): void {
    if (this.batchOpen || this.db.inTransaction) return;
    this.stmt.begin.run();
    this.batchOpen = true;
    openBatches.set(this.file, this);
    setImmediate(() => this.commitBatch());
  }

  /** Commit a sibling store's open batch on the same file, so this one neither waits for it nor misses it. */
  private settleSiblings(): void {
    const holder = openBatches.get(this.file);
    if (holder && holder !== this) holder.commitBatch();
  }

  private commitBatch(): void {
    if (!this.batchOpen) return;
    this.batchOpen = false;
    if (openBatches.get(this.file) === this) openBatches.delete(this.file);
    try {
      this.stmt.commit.run();
    } catch (err) {
      this.log?.error({ err: new StoreError('sqlite store: commit failed', { cause: err }) }, 'store commit failed');
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    }
  }

  private backgroundPurge(): void {
    if (this.closed) return;
    this.settleSiblings();
    try {
      const removed = this.purgeTx.immediate(this.now());
      if (removed > 0) this.log?.debug({ removed }, 'expired store rows purged');
    } catch (err) {
      this.log?.warn({ err: new StoreError('sqlite store: purge failed', { cause: err }) }, 'store purge failed');
    }
  }

  private run<T>(op: string, fn: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(KIND));
    this.settleSiblings();
    return guarded(KIND, op, fn);
  }
}
