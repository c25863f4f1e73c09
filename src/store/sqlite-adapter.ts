/**
 * The SQLite side of the embedded store: the schema, and a keyv 5 store adapter over better-sqlite3.
 *
 * There is no official keyv 5 adapter for better-sqlite3 (@keyv/sqlite uses the async `sqlite3`, and its
 * better-sqlite3 beta needs Node 22), so this is ours. better-sqlite3 is synchronous: every call below runs
 * to completion before the next, and the async signatures only satisfy keyv.
 */
import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { KeyvStoreAdapter, StoredData } from 'keyv';

/**
 * Tables (prefixed `kv_`, since the queue shares this database):
 * - kv_values: keyv's serialized JSON per key, with the expiry as a column so expired rows can be found and purged;
 * - kv_claims: atomic claims (`claim()`), kept apart from values so a claim never shadows a value;
 * - kv_counters: counters (`increment()`), whole numbers with an optional expiry;
 * - kv_versioned: versioned values (`compareAndSet()`): JSON, the version and an optional expiry;
 * - kv_sequence: named sequences; `version` hands out the versions of kv_versioned, never the same one twice;
 * - kv_index: sorted indexes (`indexAdd()`), one row per member, ordered by (score, member);
 * - kv_person_keys: the person index ("vergeet mij"): which keys belong to which pseudonym;
 * - kv_probe: one row the health check writes, to prove that a write commits.
 * Every statement is `IF NOT EXISTS`, so an older database gains the new tables when it is opened.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv_values (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_values_expires ON kv_values (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS kv_claims (
  key TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_claims_expires ON kv_claims (expires_at);
CREATE TABLE IF NOT EXISTS kv_counters (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_counters_expires ON kv_counters (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS kv_versioned (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_versioned_expires ON kv_versioned (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS kv_sequence (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv_index (
  name TEXT NOT NULL,
  member TEXT NOT NULL,
  score REAL NOT NULL,
  PRIMARY KEY (name, member)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_index_order ON kv_index (name, score, member);
CREATE TABLE IF NOT EXISTS kv_person_keys (
  person TEXT NOT NULL,
  key TEXT NOT NULL,
  tracked_at INTEGER NOT NULL,
  PRIMARY KEY (person, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_person_keys_key ON kv_person_keys (key);
CREATE TABLE IF NOT EXISTS kv_probe (
  id INTEGER PRIMARY KEY,
  written_at INTEGER NOT NULL
);
`;

/** Open a connection the way every store connection is opened: WAL, a busy timeout, the schema in place. */
export function prepareConnection(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only a power loss can drop the last commits.
  db.pragma('synchronous = NORMAL');
  // Erased data must not stay readable in free pages or freed cell space: SQLite overwrites deleted content with
  // zeros. Set per connection, so every connection that shares the file (the queue, a second store) does it too.
  db.pragma('secure_delete = ON');
  db.exec(SCHEMA);
}

interface ValueRow {
  value: string;
}
interface ExpiryRow {
  expires_at: number | null;
}

/**
 * keyv's view of kv_values. Keyv hands over its serialized `{ value, expires }` string and the TTL; the adapter
 * stores the string and keeps `now + ttl` as `expires_at`. `get` never returns an expired row (expired data is never
 * readable), even before the purge has removed it; keyv's own `expires` check is a second guard.
 * Every write first calls `beforeWrite(key)`, which puts it into the store's open write batch (group commit).
 */
export class SqliteKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  /** keyv reads `opts`; nothing here is iterable, so keyv leaves `iterator` alone. */
  readonly opts = { dialect: 'better-sqlite3' };
  namespace?: string;

  private readonly selectLive: Database.Statement<[string, number], ValueRow>;
  private readonly upsert: Database.Statement<[string, string, number | null]>;
  private readonly remove: Database.Statement<[string], ExpiryRow>;
  private readonly removeAll: Database.Statement<[]>;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
    private readonly beforeWrite: (key: string) => void,
  ) {
    super();
    this.selectLive = db.prepare(
      'SELECT value FROM kv_values WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
    );
    this.upsert = db.prepare(
      'INSERT INTO kv_values (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    );
    this.remove = db.prepare('DELETE FROM kv_values WHERE key = ? RETURNING expires_at');
    this.removeAll = db.prepare('DELETE FROM kv_values');
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    // keyv deserializes a string itself.
    return this.selectLive.get(key, this.now())?.value as StoredData<Value> | undefined;
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    const expiresAt = typeof ttl === 'number' && ttl > 0 ? this.now() + ttl : null;
    this.beforeWrite(key);
    this.upsert.run(key, value, expiresAt);
    return true;
  }

  /** True only when a live value was removed; an expired row is removed too, but counts as absent. */
  async delete(key: string): Promise<boolean> {
    this.beforeWrite(key);
    const row = this.remove.get(key);
    return row !== undefined && (row.expires_at === null || row.expires_at > this.now());
  }

  async clear(): Promise<void> {
    this.beforeWrite('');
    this.removeAll.run();
  }
}
