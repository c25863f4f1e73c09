/**
 * An in-process store for tests and development. It behaves like the other back ends (JSON copies, TTLs, claims,
 * counters, versioned values, sorted indexes, the person index) but keeps nothing after the process ends and is not
 * shared between processes. Every operation runs without an await between its read and its write, so it is atomic
 * within the process. The clock can be injected, so tests can let TTLs run out without waiting.
 */
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
  closedError,
  rewriteJson,
  stepAllowed,
} from './guard.js';
import { compareKeys } from './key-order.js';
import type {
  IncrementOptions,
  IncrementResult,
  IndexEntry,
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

export interface MemoryStoreOptions {
  /** ms since epoch; default Date.now. */
  now?: () => number;
}

interface Entry {
  /** JSON text, so a stored value is a copy and behaves like the JSON the other back ends keep. */
  json: string;
  expiresAt?: number;
}

interface CounterEntry {
  value: number;
  expiresAt?: number;
}

interface VersionedEntry extends Entry {
  version: number;
}

const byScoreThenMember = (a: IndexEntry, b: IndexEntry): number =>
  a.score - b.score || compareKeys(a.member, b.member);

export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';

  private readonly now: () => number;
  private readonly values = new Map<string, Entry>();
  private readonly claims = new Map<string, number>();
  private readonly counters = new Map<string, CounterEntry>();
  private readonly versioned = new Map<string, VersionedEntry>();
  private readonly indexes = new Map<string, Map<string, number>>();
  private readonly index = new Map<string, Set<string>>();
  /** The store-wide version sequence: a version is never handed out twice. */
  private lastVersion = 0;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async get<T>(key: string): Promise<T | undefined> {
    this.assertOpen();
    const entry = this.values.get(key);
    if (!entry || !this.live(entry.expiresAt)) return undefined;
    return JSON.parse(entry.json) as T;
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    this.assertOpen();
    const ttl = checkOptionalTtl(ttlMs);
    const json = JSON.stringify(value);
    // JSON.stringify(undefined) is undefined: store it as absent, like keyv does.
    if (json === undefined) {
      this.values.delete(key);
      return;
    }
    this.values.set(key, { json, expiresAt: this.expiry(ttl) });
  }

  /** Deletes everything under `key` in every family; true when any of it was live. */
  async delete(key: string): Promise<boolean> {
    this.assertOpen();
    return this.deleteAll(key);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    const ttl = checkTtl(ttlMs);
    const held = this.claims.get(key);
    if (held !== undefined && this.live(held)) return false;
    this.claims.set(key, this.now() + ttl);
    return true;
  }

  async increment(key: string, by: number, options?: IncrementOptions): Promise<IncrementResult> {
    this.assertOpen();
    const args = checkIncrement(by, options);
    const entry = this.liveCounter(key);
    const current = entry?.value ?? 0;
    if (!stepAllowed(current, args)) return { applied: false, value: current };
    const value = current + args.by;
    this.counters.set(key, { value, expiresAt: args.ttl === undefined ? entry?.expiresAt : this.expiry(args.ttl) });
    return { applied: true, value };
  }

  async counter(key: string): Promise<number> {
    this.assertOpen();
    return this.liveCounter(key)?.value ?? 0;
  }

  async getVersioned<T>(key: string): Promise<Versioned<T>> {
    this.assertOpen();
    const entry = this.liveVersioned(key);
    return entry ? { value: JSON.parse(entry.json) as T, version: entry.version } : { value: undefined, version: 0 };
  }

  async compareAndSet<T>(key: string, version: number, next: T | undefined, ttlMs?: number): Promise<boolean> {
    this.assertOpen();
    checkVersion(version);
    const ttl = checkOptionalTtl(ttlMs);
    if ((this.liveVersioned(key)?.version ?? 0) !== version) return false;
    const json = JSON.stringify(next);
    if (json === undefined) this.versioned.delete(key);
    else this.versioned.set(key, { json, version: ++this.lastVersion, expiresAt: this.expiry(ttl) });
    return true;
  }

  async list<T>(prefix: string, options: ListOptions = {}): Promise<ListPage<T>> {
    this.assertOpen();
    const limit = checkLimit(options.limit);
    const cursor = checkListCursor(prefix, options.cursor);
    const keys = [...this.values.keys()]
      .filter((key) => key.startsWith(prefix) && (cursor === undefined || compareKeys(key, cursor) > 0))
      .filter((key) => this.live(this.values.get(key)?.expiresAt))
      .sort(compareKeys);
    const page = keys.slice(0, limit);
    const entries = page.map((key) => ({ key, value: JSON.parse(this.values.get(key)?.json ?? 'null') as T }));
    return keys.length > limit ? { entries, cursor: page[page.length - 1] } : { entries };
  }

  async indexAdd(index: string, member: string, score: number): Promise<void> {
    this.assertOpen();
    checkScore(score);
    let members = this.indexes.get(index);
    if (!members) {
      members = new Map();
      this.indexes.set(index, members);
    }
    members.set(member, score);
  }

  async indexRemove(index: string, member: string): Promise<boolean> {
    this.assertOpen();
    const members = this.indexes.get(index);
    const removed = members?.delete(member) ?? false;
    if (members?.size === 0) this.indexes.delete(index);
    return removed;
  }

  async indexRange(index: string, options: IndexRangeOptions = {}): Promise<IndexPage> {
    this.assertOpen();
    const { min, max } = checkRange(options);
    const after = checkAfter(options.after);
    const limit = checkLimit(options.limit);
    const inRange = [...(this.indexes.get(index) ?? [])]
      .map(([member, score]) => ({ member, score }))
      .filter((e) => e.score >= min && e.score <= max && (after === undefined || byScoreThenMember(e, after) > 0))
      .sort(byScoreThenMember);
    const entries = inRange.slice(0, limit);
    return inRange.length > limit ? { entries, cursor: entries[entries.length - 1] } : { entries };
  }

  async indexCount(index: string, range?: ScoreRange): Promise<number> {
    this.assertOpen();
    const { min, max } = checkRange(range);
    return [...(this.indexes.get(index)?.values() ?? [])].filter((score) => score >= min && score <= max).length;
  }

  async track(person: string, key: string): Promise<void> {
    this.assertOpen();
    let keys = this.index.get(person);
    if (!keys) {
      keys = new Set();
      this.index.set(person, keys);
    }
    keys.add(key);
  }

  async keysOf(person: string): Promise<string[]> {
    this.assertOpen();
    return [...(this.index.get(person) ?? [])].sort();
  }

  async untrack(person: string, key: string): Promise<void> {
    this.assertOpen();
    const keys = this.index.get(person);
    keys?.delete(key);
    if (keys?.size === 0) this.index.delete(person);
  }

  /** No await between reading `from` and writing `to`: atomic within the process. */
  async rename(from: string, to: string, rewrite?: RenameRewrite): Promise<boolean> {
    this.assertOpen();
    const value = this.values.get(from);
    const versioned = this.versioned.get(from);
    const json = value && this.liveEntry(value) ? rewriteJson(value.json, rewrite) : undefined;
    const versionedJson = versioned && this.liveEntry(versioned) ? rewriteJson(versioned.json, rewrite) : undefined;
    const claim = this.claims.get(from);
    const liveClaim = claim !== undefined && this.live(claim);
    const counter = this.liveCounter(from);
    const members = this.indexes.get(from);
    const live =
      this.liveEntry(value) || this.liveEntry(versioned) || liveClaim || counter !== undefined || members !== undefined;
    if (from === to) {
      if (value && this.liveEntry(value) && json !== value.json) this.putValue(from, json, value.expiresAt);
      if (versioned && this.liveEntry(versioned) && versionedJson !== versioned.json)
        this.putVersioned(from, versionedJson, versioned.expiresAt);
      return live;
    }
    if (!this.liveEntry(this.values.get(to)) && json !== undefined) this.putValue(to, json, value?.expiresAt);
    if (!this.liveEntry(this.versioned.get(to)) && versionedJson !== undefined)
      this.putVersioned(to, versionedJson, versioned?.expiresAt);
    const held = this.claims.get(to);
    if (liveClaim && (held === undefined || !this.live(held))) this.claims.set(to, claim);
    if (counter && !this.liveCounter(to)) this.counters.set(to, { ...counter });
    if (members) {
      const target = this.indexes.get(to) ?? new Map<string, number>();
      for (const [member, score] of members) if (!target.has(member)) target.set(member, score);
      this.indexes.set(to, target);
    }
    this.deleteAll(from);
    return live;
  }

  async indexRenameMember(index: string, member: string, to: string): Promise<boolean> {
    this.assertOpen();
    const members = this.indexes.get(index);
    const score = members?.get(member);
    if (!members || score === undefined) return false;
    if (!members.has(to)) members.set(to, score);
    if (member !== to) members.delete(member);
    return true;
  }

  async forget(person: string): Promise<number> {
    this.assertOpen();
    const keys = this.index.get(person);
    if (!keys) return 0;
    for (const key of keys) this.deleteAll(key);
    this.index.delete(person);
    return keys.size;
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  /** Always writable while open. */
  async health(): Promise<StoreHealth> {
    return this.closed ? { writable: false, reason: 'store closed' } : { writable: true };
  }

  async purgeExpired(): Promise<number> {
    this.assertOpen();
    let removed = 0;
    for (const family of [this.values, this.counters, this.versioned]) {
      for (const [key, entry] of family) if (!this.live(entry.expiresAt)) removed += Number(family.delete(key));
    }
    for (const [key, expiresAt] of this.claims) {
      if (!this.live(expiresAt)) removed += Number(this.claims.delete(key));
    }
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** For tests: values, claims, counters and versioned values physically held, expired or not. */
  storedCount(): number {
    return this.values.size + this.claims.size + this.counters.size + this.versioned.size;
  }

  private deleteAll(key: string): boolean {
    const claim = this.claims.get(key);
    const live =
      this.liveEntry(this.values.get(key)) ||
      (claim !== undefined && this.live(claim)) ||
      this.liveEntry(this.counters.get(key)) ||
      this.liveEntry(this.versioned.get(key)) ||
      this.indexes.has(key);
    for (const family of [this.values, this.claims, this.counters, this.versioned, this.indexes]) family.delete(key);
    return live;
  }

  /** A plain value written by rename: absent JSON deletes it. */
  private putValue(key: string, json: string | undefined, expiresAt: number | undefined): void {
    if (json === undefined) this.values.delete(key);
    else this.values.set(key, { json, expiresAt });
  }

  /** A versioned value written by rename: a new version, so a writer holding the old one fails. */
  private putVersioned(key: string, json: string | undefined, expiresAt: number | undefined): void {
    if (json === undefined) this.versioned.delete(key);
    else this.versioned.set(key, { json, version: ++this.lastVersion, expiresAt });
  }

  private liveEntry(entry: { expiresAt?: number } | undefined): boolean {
    return entry !== undefined && this.live(entry.expiresAt);
  }

  private liveCounter(key: string): CounterEntry | undefined {
    const entry = this.counters.get(key);
    return this.liveEntry(entry) ? entry : undefined;
  }

  private liveVersioned(key: string): VersionedEntry | undefined {
    const entry = this.versioned.get(key);
    return this.liveEntry(entry) ? entry : undefined;
  }

  private expiry(ttl: number | undefined): number | undefined {
    return ttl === undefined ? undefined : this.now() + ttl;
  }

  private live(expiresAt: number | undefined): boolean {
    return expiresAt === undefined || expiresAt > this.now();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError(this.kind);
  }
}
