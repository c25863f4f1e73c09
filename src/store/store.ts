/**
 * The key-value store every feature persists through. Values are JSON.
 * Implementations: SQLite (embedded default), Redis (when REDIS_URL is set), memory (tests).
 *
 * Data lives in separate families that never shadow each other, even under the same key: plain values
 * (get/set/list), claims, counters, versioned values (compare-and-set) and sorted indexes. `delete(key)` and
 * `forget(person)` reach every family. docs/store.md describes the key layout and the guarantees per back end.
 */

/** Bounds and expiry for `increment`. */
export interface IncrementOptions {
  /** The counter never rises above this: an increment that would is refused. */
  cap?: number;
  /** The counter never falls below this: a decrement that would is refused. */
  floor?: number;
  /** When applied, the counter expires this long after the write; without it, it keeps the expiry it had. */
  ttlMs?: number;
}

/** What `increment` did. */
export interface IncrementResult {
  /** False when the step was refused by `cap` or `floor`; nothing changed then. */
  applied: boolean;
  /** The counter after the call (the unchanged value when refused). */
  value: number;
}

/** A versioned value; `version` 0 means absent (never written, deleted or expired). */
export interface Versioned<T> {
  value: T | undefined;
  version: number;
}

/** Paging for `list`. */
export interface ListOptions {
  /** The cursor of the previous page; absent for the first page. */
  cursor?: string;
  /** Page size, 1–1000; default 100. On Redis it is a hint (SCAN's COUNT). */
  limit?: number;
}

/** One page of `list`; a `cursor` means there may be more. */
export interface ListPage<T> {
  entries: { key: string; value: T }[];
  cursor?: string;
}

/** A member of a sorted index with its score. */
export interface IndexEntry {
  member: string;
  score: number;
}

/** A score range; both bounds inclusive, absent means unbounded. */
export interface ScoreRange {
  min?: number;
  max?: number;
}

/** Paging for `indexRange`. */
export interface IndexRangeOptions extends ScoreRange {
  /** Start after this entry (the previous page's cursor); entries are ordered by (score, member). */
  after?: IndexEntry;
  /** Page size, 1–1000; default 100. */
  limit?: number;
}

/** One page of `indexRange`; a `cursor` (the last entry) means there may be more. */
export interface IndexPage {
  entries: IndexEntry[];
  cursor?: IndexEntry;
}

/**
 * Changes a plain or versioned value on its way in `rename`: the new value, or undefined to drop it. It may run more
 * than once for one rename (when a concurrent write made the store read again), so it must have no side effects.
 */
export type RenameRewrite = (value: unknown) => unknown;

/** Readiness of the store for writes. */
export interface StoreHealth {
  writable: boolean;
  /** Why not, when not writable; never holds a key, a value or a URL. */
  reason?: string;
}

export interface KeyValueStore {
  /** Which back end this is, for logs and /readyz. */
  readonly kind: 'sqlite' | 'redis' | 'memory';
  /** The plain value under `key`, or undefined when absent or expired. Never sees counters or versioned values. */
  get<T>(key: string): Promise<T | undefined>;
  /** Store `value`; with `ttlMs` it expires by itself and is unreadable afterwards. SQLite: resolves once committed. */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  /** Delete everything under `key` in every family (value, claim, counter, versioned, index); true if any was live. */
  delete(key: string): Promise<boolean>;
  /**
   * Atomically take `key` for `ttlMs`: true for the first caller, false while it is held.
   * SQLite `INSERT … ON CONFLICT DO NOTHING`, Redis `SET NX PX` — never `has` + `set`.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Atomically add `by` (an integer, may be negative) to the counter `key` unless that crosses `cap` or `floor`. */
  increment(key: string, by: number, options?: IncrementOptions): Promise<IncrementResult>;
  /** The counter under `key`; 0 when absent or expired. */
  counter(key: string): Promise<number>;
  /**
   * The versioned value under `key` with its version (0 when absent). A key is CAS-managed when it is written only
   * through `compareAndSet`; versioned values are a family of their own, so plain `get` never returns them.
   */
  getVersioned<T>(key: string): Promise<Versioned<T>>;
  /**
   * Write `next` (undefined deletes) only when the current version is `version`; true when written. Versions come
   * from one store-wide sequence, so a version is never reused, not even after a delete or expiry.
   */
  compareAndSet<T>(key: string, version: number, next: T | undefined, ttlMs?: number): Promise<boolean>;
  /** Live plain values whose key starts with `prefix`: SQLite and memory in key order, Redis in no set order. */
  list<T>(prefix: string, options?: ListOptions): Promise<ListPage<T>>;
  /** Put `member` into the sorted index `index` with `score` (a finite number), replacing its old score. */
  indexAdd(index: string, member: string, score: number): Promise<void>;
  /** Take `member` out of `index`; true when it was there. */
  indexRemove(index: string, member: string): Promise<boolean>;
  /** Members of `index` within the score range, in (score, member) order, one page at a time. */
  indexRange(index: string, options?: IndexRangeOptions): Promise<IndexPage>;
  /** How many members of `index` lie within the score range. */
  indexCount(index: string, range?: ScoreRange): Promise<number>;
  /** Remember that `key` belongs to the person with this pseudonym (for "vergeet mij"); an index name counts too. */
  track(person: string, key: string): Promise<void>;
  /** Every key tracked for this person. */
  keysOf(person: string): Promise<string[]>;
  /** Take `key` out of the person's index (it moved to another person's); the data under `key` is not touched. */
  untrack(person: string, key: string): Promise<void>;
  /**
   * Move everything under `from` to `to` in every family, in one atomic step (a PSEUDONYM_KEY rotation moves a
   * person's keys with it): plain value, claim, counter and versioned value keep their expiry (a versioned value gets
   * a new version), a sorted index's members join `to`'s. Where `to` already holds something live in a family, `to`'s
   * wins and `from`'s is dropped (index members: `to`'s score), so a rename done twice, or after a newer write under
   * `to`, loses nothing. `rewrite` changes plain and versioned values on the way; with `to === from` it rewrites them
   * in place and leaves the other families alone. The person index is not touched (`track`, `untrack`). True when
   * anything live was under `from`.
   */
  rename(from: string, to: string, rewrite?: RenameRewrite): Promise<boolean>;
  /**
   * Give a member of `index` another name with the same score, in one atomic step, so nobody counting the index sees
   * both names or neither; when `to` is a member already, its score stays. True when `member` was there.
   */
  indexRenameMember(index: string, member: string, to: string): Promise<boolean>;
  /** Atomically delete every tracked key of this person in every family, then their index; returns how many keys. */
  forget(person: string): Promise<number>;
  /** Cheap round trip for /readyz. */
  ping(): Promise<boolean>;
  /** Whether a write would succeed now (a real write probe); never throws. */
  health(): Promise<StoreHealth>;
  /** Remove expired rows now (SQLite); a no-op where the back end expires by itself. */
  purgeExpired(): Promise<number>;
  /**
   * After an erasure outside `forget` (a stopped check-in, a forgotten result): make sure the deleted content is
   * gone from the journal as well (SQLite: a WAL checkpoint with truncate). Absent where a delete leaves no copy.
   */
  checkpoint?(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Store a person's value and index it under the person, both issued at once: on SQLite they join one commit, on
 * Redis they go out in this order on one connection. The index comes first, so a crash never leaves person data
 * that "vergeet mij" cannot find — and a turn pays one commit for the pair, not two.
 */
export async function setTracked(
  store: KeyValueStore,
  person: string,
  key: string,
  value: unknown,
  ttlMs?: number,
): Promise<void> {
  await Promise.all([store.track(person, key), store.set(key, value, ttlMs)]);
}
