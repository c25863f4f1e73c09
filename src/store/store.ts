/**
 * The key-value store every feature persists through. Values are JSON.
 * Implementations: SQLite (embedded default), Redis (when REDIS_URL is set), memory (tests).
 */
export interface KeyValueStore {
  /** Which back end this is, for logs and /readyz. */
  readonly kind: 'sqlite' | 'redis' | 'memory';
  get<T>(key: string): Promise<T | undefined>;
  /** Store `value`; with `ttlMs` it expires by itself and is unreadable afterwards. */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /**
   * Atomically take `key` for `ttlMs`: true for the first caller, false while it is held.
   * SQLite `INSERT … ON CONFLICT DO NOTHING`, Redis `SET NX PX` — never `has` + `set`.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Remember that `key` belongs to the person with this pseudonym (for "vergeet mij"). */
  track(person: string, key: string): Promise<void>;
  /** Every key tracked for this person. */
  keysOf(person: string): Promise<string[]>;
  /** Delete every tracked key of this person and the index itself; returns how many keys were deleted. */
  forget(person: string): Promise<number>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<boolean>;
  /** Remove expired rows now (SQLite); a no-op where the back end expires by itself. */
  purgeExpired(): Promise<number>;
  close(): Promise<void>;
}
