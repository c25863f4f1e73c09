/**
 * The embedded default store: one file (DATABASE_PATH), WAL, so several connections (another store instance,
 * another process, the queue) can share it.
 *
 * Plain values go through Keyv over our better-sqlite3 adapter, as the stack asks. Everything else is plain SQL on
 * the same connection, because keyv has no atomic increment, no compare-and-set and no ordered listing: claims,
 * counters, versioned values, listing, sorted indexes and the person index. Every write joins the loop turn's
 * write transaction (sqlite-group-commit.ts) and resolves only once that committed. A read-then-write (increment,
 * compareAndSet) runs as one synchronous stretch inside that IMMEDIATE transaction, which holds SQLite's write lock:
 * atomic within the process and across processes.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Keyv } from 'keyv';
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import {
  checkAfter,
  checkIncrement,
  checkLimit,
  checkListCursor,
  checkOptionalTtl,
  checkRange,
  checkScore,
  checkTtl,
  checkVersion,
  rewriteJson,
  rewriteKeyvText,
  stepAllowed,
} from './guard.js';
import { prefixEnd } from './key-order.js';
import { SqliteKeyvAdapter, prepareConnection } from './sqlite-adapter.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { checkSqliteHealth } from './sqlite-health.js';
import { type Statements, prepareStatements } from './sqlite-statements.js';
import type {
  IncrementOptions,
  IncrementResult,
  IndexPage,
  IndexRangeOptions,
  KeyValueStore,
  ListOptions,
  ListPage,
  RenameRewrite,
  ScoreRange,
  StoreHealth,
  Versioned,
} from './store.js';

export interface SqliteStoreOptions {
  /** The database file; its folder is created. `:memory:` works too (one connection only). */
  path: string;
  log?: Logger;
  /** How often expired rows are purged in the background; 0 turns it off. Default one minute. */
  purgeIntervalMs?: number;
  /** How long a write waits for another connection's lock before failing. Default 5 s. */
  busyTimeoutMs?: number;
  /**
   * A person-index row whose key holds nothing in any family is dropped by the purge once it is this old
   * (so the index itself does not outlive the data). Default one hour, which covers `track` before `set`.
   */
  orphanGraceMs?: number;
  /** `health()` reports not writable when the database's file system has less free space than this. Default 64 MiB. */
  minFreeBytes?: number;
  /** The clock, for tests. Keyv itself always uses Date.now, so keep this close to real time. */
  now?: () => number;
}

const KIND = 'sqlite';
/** How often `rename` reads again when a concurrent write changed the value it was rewriting. */
const RENAME_ATTEMPTS = 10;

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
  private readonly minFreeBytes: number;
  private readonly timer?: NodeJS.Timeout;
  private readonly path: string;
  private closed = false;
  private closing?: Promise<void>;
  private readonly stmt: Statements;
  private readonly group: GroupCommit;

  constructor(options: SqliteStoreOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log;
    this.minFreeBytes = options.minFreeBytes ?? 64 * 1024 * 1024;
    this.path = options.path;
    try {
      if (options.path !== ':memory:') {
        mkdirSync(dirname(options.path), { recursive: true });
        restrictFileMode(options.path);
      }
      this.db = new Database(options.path);
    } catch (error) {
      throw new StoreError('sqlite store: cannot open the database file', { cause: error });
    }
    try {
      prepareConnection(this.db, options.busyTimeoutMs ?? 5000);
      this.stmt = prepareStatements(this.db, options.orphanGraceMs ?? 60 * 60 * 1000);
      const file = options.path === ':memory:' ? `:memory:${Math.random()}` : resolve(options.path);
      this.group = new GroupCommit(this.db, file, () => this.closed, this.log);
    } catch (error) {
      this.db.close();
      throw new StoreError('sqlite store: cannot prepare the database', { cause: error });
    }

    // keyv's own writes (set, delete, and the delete of an expired value it read) join the batch as well.
    const adapter = new SqliteKeyvAdapter(this.db, this.now, () => this.group.enter(false));
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
    return this.group.read('get', () => this.keyv.get<T>(key));
  }

  /**
   * Run statements of a component that shares this connection (the embedded queue) in the loop turn's write batch:
   * atomic with the store's own writes, and resolved only once committed. `fn` must be synchronous SQL on `db`.
   */
  transact<T>(op: string, fn: (db: Database.Database) => T): Promise<T> {
    return this.group.write(op, () => fn(this.db));
  }

  /** A read by a component sharing the connection; it sees the open batch's writes. */
  query<T>(op: string, fn: (db: Database.Database) => T): Promise<T> {
    return this.group.read(op, () => fn(this.db));
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    const ttl = checkOptionalTtl(ttlMs);
    await this.group.write('set', () => this.keyv.set(key, value, ttl));
  }

  /** Deletes everything under `key` in every family; true when any of it was live. */
  async delete(key: string): Promise<boolean> {
    return this.group.write('delete', async () => {
      // keyv first, so its own serialised value goes its way; then whatever else is under the key.
      const value = await this.keyv.delete(key);
      return this.stmt.deleteEverywhere(key, this.now()) || value;
    });
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs);
    return this.group.write('claim', () => {
      const now = this.now();
      return this.stmt.claim.run(key, now + ttl, now).changes === 1;
    });
  }

  async increment(key: string, by: number, options?: IncrementOptions): Promise<IncrementResult> {
    const args = checkIncrement(by, options);
    return this.group.write('increment', () => {
      const now = this.now();
      const row = this.stmt.counter.get({ key, now });
      const current = row?.value ?? 0;
      if (!stepAllowed(current, args)) return { applied: false, value: current };
      const value = current + args.by;
      const expiresAt = args.ttl === undefined ? (row?.expires_at ?? null) : now + args.ttl;
      this.stmt.putCounter.run(key, value, expiresAt);
      return { applied: true, value };
    });
  }

  async counter(key: string): Promise<number> {
    return this.group.read('counter', () => this.stmt.counter.get({ key, now: this.now() })?.value ?? 0);
  }

  async getVersioned<T>(key: string): Promise<Versioned<T>> {
    return this.group.read('getVersioned', () => {
      const row = this.stmt.versioned.get({ key, now: this.now() });
      return row ? { value: JSON.parse(row.value) as T, version: row.version } : { value: undefined, version: 0 };
    });
  }

  async compareAndSet<T>(key: string, version: number, next: T | undefined, ttlMs?: number): Promise<boolean> {
    checkVersion(version);
    const ttl = checkOptionalTtl(ttlMs);
    const json = JSON.stringify(next);
    return this.group.write('compareAndSet', () => {
      const now = this.now();
      if ((this.stmt.versioned.get({ key, now })?.version ?? 0) !== version) return false;
      // An expired row counts as absent (version 0) and is replaced or removed here.
      if (json === undefined) {
        this.stmt.deleteVersioned.run(key);
        return true;
      }
      const nextVersion = this.stmt.nextVersion.get()?.value ?? 0;
      this.stmt.putVersioned.run(key, json, nextVersion, ttl === undefined ? null : now + ttl);
      return true;
    });
  }

  /** Key order (SQLite's BINARY collation: code point order); the cursor is the last key of the page. */
  async list<T>(prefix: string, options: ListOptions = {}): Promise<ListPage<T>> {
    const limit = checkLimit(options.limit);
    const cursor = checkListCursor(prefix, options.cursor);
    return this.group.read('list', async () => {
      const to = prefixEnd(prefix);
      const params = { from: cursor ?? prefix, to, now: this.now(), limit: limit + 1 };
      const { listFrom, listAfter, listFromBounded, listAfterBounded } = this.stmt;
      const statement =
        to === undefined ? (cursor ? listAfter : listFrom) : cursor ? listAfterBounded : listFromBounded;
      const rows = statement.all(params);
      const page = rows.slice(0, limit);
      const entries: { key: string; value: T }[] = [];
      for (const row of page) {
        const data = await this.keyv.deserializeData<T>(row.value);
        if (data) entries.push({ key: row.key, value: data.value as T });
      }
      return rows.length > limit ? { entries, cursor: page[page.length - 1]?.key } : { entries };
    });
  }

  async indexAdd(index: string, member: string, score: number): Promise<void> {
    checkScore(score);
    await this.group.write('indexAdd', () => this.stmt.indexAdd.run(index, member, score));
  }

  async indexRemove(index: string, member: string): Promise<boolean> {
    return this.group.write('indexRemove', () => this.stmt.indexRemove.run(index, member).changes > 0);
  }

  async indexRange(index: string, options: IndexRangeOptions = {}): Promise<IndexPage> {
    const { min, max } = checkRange(options);
    const after = checkAfter(options.after);
    const limit = checkLimit(options.limit);
    return this.group.read('indexRange', () => {
      const params = { name: index, min, max, limit: limit + 1, ...after };
      const rows = (after ? this.stmt.rangeAfter : this.stmt.range).all(params);
      const entries = rows.slice(0, limit).map((row) => ({ member: row.member, score: row.score }));
      return rows.length > limit ? { entries, cursor: entries[entries.length - 1] } : { entries };
    });
  }

  async indexCount(index: string, range?: ScoreRange): Promise<number> {
    const { min, max } = checkRange(range);
    return this.group.read('indexCount', () => this.stmt.count.get({ name: index, min, max })?.n ?? 0);
  }

  async track(person: string, key: string): Promise<void> {
    await this.group.write('track', () => this.stmt.track.run(person, key, this.now()));
  }

  async keysOf(person: string): Promise<string[]> {
    return this.group.read('keysOf', () => this.stmt.keysOf.all(person).map((row) => row.key));
  }

  async untrack(person: string, key: string): Promise<void> {
    await this.group.write('untrack', () => this.stmt.untrack.run(person, key));
  }

  /**
   * The rewrite is JavaScript and keyv's (de)serializer is async, so the values are read and rewritten first; the
   * move itself is one synchronous stretch inside the IMMEDIATE transaction that checks they are unchanged (else it
   * reads again), so no other connection or process writes between the check and the move.
   */
  async rename(from: string, to: string, rewrite?: RenameRewrite): Promise<boolean> {
    for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
      const seen = await this.group.read('rename', () => ({
        value: this.stmt.valueRow.get({ key: from, now: this.now() })?.value,
        versioned: this.stmt.versionedRow.get({ key: from, now: this.now() }),
      }));
      const value = seen.value === undefined ? undefined : await rewriteKeyvText(this.keyv, seen.value, rewrite);
      const versioned = seen.versioned ? rewriteJson(seen.versioned.value, rewrite) : undefined;
      const renamed = await this.group.write('rename', () =>
        this.stmt.rename({
          from,
          to,
          now: this.now(),
          seen: { value: seen.value, version: seen.versioned?.version ?? 0 },
          value,
          versioned,
        }),
      );
      if (renamed !== undefined) return renamed;
    }
    throw new StoreError('sqlite store: rename kept losing to concurrent writes', { code: 'STORE_CONFLICT' });
  }

  async indexRenameMember(index: string, member: string, to: string): Promise<boolean> {
    return this.group.write('indexRenameMember', () => this.stmt.renameMember(index, member, to));
  }

  /** Every family of every tracked key and the index rows go together, inside the turn's IMMEDIATE transaction. */
  async forget(person: string): Promise<number> {
    const removed = await this.group.write('forget', () => this.stmt.forget(person));
    if (removed > 0) await this.checkpoint();
    return removed;
  }

  /**
   * Copy the WAL into the database file and truncate it to zero bytes, so erased rows do not live on as old page
   * images in the WAL (secure_delete zeroes them in the database file itself). Waits until no write batch of this
   * connection is open. Returns false when another connection's reader kept part of the WAL (it is tried again after
   * the next erasure or purge); never throws.
   */
  async checkpoint(): Promise<boolean> {
    for (let turn = 0; turn < 100 && !this.closed && this.db.inTransaction; turn++) {
      await new Promise((done) => setImmediate(done));
    }
    if (this.closed || this.db.inTransaction) return false;
    try {
      const [row] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return row?.busy === 0;
    } catch (error) {
      this.log?.warn({ err: error }, 'store checkpoint failed');
      return false;
    }
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return this.stmt.ping.get()?.ok === 1;
    } catch {
      return false;
    }
  }

  /** A probe row written and committed, the database not read-only, and enough free disk space. */
  async health(): Promise<StoreHealth> {
    if (this.closed) return { writable: false, reason: 'store closed' };
    return checkSqliteHealth({
      db: this.db,
      path: this.path,
      minFreeBytes: this.minFreeBytes,
      probe: () => this.group.write('health', () => this.stmt.probe.run(Date.now())),
    });
  }

  /** Deletes expired rows of every family and old orphaned index rows; returns how many rows went. */
  async purgeExpired(): Promise<number> {
    const removed = await this.group.write('purgeExpired', () => this.stmt.purge(this.now()));
    // Expired data is erased, not only hidden: out of the WAL as well.
    if (removed > 0) await this.checkpoint();
    return removed;
  }

  /** New calls fail from now on; calls already under way finish (their batch commits) before the file closes. */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      if (this.timer) clearInterval(this.timer);
      // One loop turn: the statements of calls under way run, and their batch commits in its own check phase.
      await new Promise((done) => setImmediate(done));
      this.group.commit();
      try {
        // Nothing erased stays behind in the WAL once the process is gone.
        if (!this.db.inTransaction) this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // Another connection still reads; SQLite checkpoints when the last connection closes.
      }
      this.db.close();
    })();
    return this.closing;
  }

  private backgroundPurge(): void {
    if (this.closed) return;
    this.purgeExpired().then(
      (removed) => {
        if (removed > 0) this.log?.debug({ removed }, 'expired store rows purged');
      },
      (err: unknown) => this.log?.warn({ err }, 'store purge failed'),
    );
  }
}

/**
 * Only the process's own user may read the database: create the file with mode 0600 before SQLite opens it, and
 * tighten an existing one. SQLite gives the -wal and -shm files the mode of the database file.
 */
function restrictFileMode(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
