/**
 * An in-process store for tests and development. It behaves like the other back ends (JSON copies, TTLs, claims,
 * the person index) but keeps nothing after the process ends and is not shared between processes.
 * The clock can be injected, so tests can let TTLs run out without waiting.
 */
import { checkOptionalTtl, checkTtl, closedError } from './guard.js';
import type { KeyValueStore } from './store.js';

export interface MemoryStoreOptions {
  /** ms since epoch; default Date.now. */
  now?: () => number;
}

interface Entry {
  /** JSON text, so a stored value is a copy and behaves like the JSON the other back ends keep. */
  json: string;
  expiresAt?: number;
}

export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';

  private readonly now: () => number;
  private readonly values = new Map<string, Entry>();
  private readonly claims = new Map<string, number>();
  private readonly index = new Map<string, Set<string>>();
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
    this.values.set(key, { json, expiresAt: ttl === undefined ? undefined : this.now() + ttl });
  }

  /** Deletes the value and any claim under `key`; true when either was live. */
  async delete(key: string): Promise<boolean> {
    this.assertOpen();
    const entry = this.values.get(key);
    const claim = this.claims.get(key);
    this.values.delete(key);
    this.claims.delete(key);
    return (entry !== undefined && this.live(entry.expiresAt)) || (claim !== undefined && this.live(claim));
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    this.assertOpen();
    const ttl = checkTtl(ttlMs);
    // No await between the check and the write: a single JavaScript turn, so this is atomic in-process.
    const held = this.claims.get(key);
    if (held !== undefined && this.live(held)) return false;
    this.claims.set(key, this.now() + ttl);
    return true;
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

  async forget(person: string): Promise<number> {
    this.assertOpen();
    const keys = this.index.get(person);
    if (!keys) return 0;
    for (const key of keys) {
      this.values.delete(key);
      this.claims.delete(key);
    }
    this.index.delete(person);
    return keys.size;
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async purgeExpired(): Promise<number> {
    this.assertOpen();
    let removed = 0;
    for (const [key, entry] of this.values) {
      if (!this.live(entry.expiresAt)) removed += Number(this.values.delete(key));
    }
    for (const [key, expiresAt] of this.claims) {
      if (!this.live(expiresAt)) removed += Number(this.claims.delete(key));
    }
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** For tests: values plus claims physically held, expired or not. */
  storedCount(): number {
    return this.values.size + this.claims.size;
  }

  private live(expiresAt: number | undefined): boolean {
    return expiresAt === undefined || expiresAt > this.now();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError(this.kind);
  }
}
