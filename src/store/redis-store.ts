/**
 * The shared store for several replicas: Keyv over @keyv/redis for values; claims and the person index as plain
 * Redis commands on the same client.
 *
 * Key layout (namespace `bb` by default):
 *   bb::<key>            a value (keyv; `useKeyPrefix: false`, so keyv does not add a second prefix)
 *   bb:claim::<key>      a claim, `SET NX PX`
 *   bb:person::<person>  the person index, a set of keys
 */
import KeyvRedis, { createClient } from '@keyv/redis';
import { Keyv } from 'keyv';
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import { checkOptionalTtl, checkTtl, closedError, guarded } from './guard.js';
import type { KeyValueStore } from './store.js';

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL (may hold a password: it is never logged). */
  url: string;
  /** Prefix of every key; lets several deployments (or test runs) share one Redis. Default `bb`. */
  namespace?: string;
  log?: Logger;
  /** How long the first connection may take before opening fails. Default 5 s. */
  connectTimeoutMs?: number;
  /** How long ping waits for PONG. Default 2 s. */
  pingTimeoutMs?: number;
  /** When set, each track() extends the person index's own TTL to this; default none (the index lives until forget). */
  indexTtlMs?: number;
}

const KIND = 'redis';

/** Deletes every key in the person index (value and claim), then the index; returns how many keys it listed. */
const FORGET_SCRIPT = `
local members = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(members) do
  redis.call('DEL', ARGV[1] .. key, ARGV[2] .. key)
end
redis.call('DEL', KEYS[1])
return #members
`;

type RedisClient = ReturnType<typeof createClient>;

/**
 * Connect and return the store. Throws a StoreError when Redis does not answer in time. Later connection losses
 * never crash the process: the client reconnects in the background, and calls fail fast with a StoreError meanwhile.
 */
export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const log = options.log;
  let connectedOnce = false;
  let failing = false;
  const client: RedisClient = createClient({
    url: options.url,
    // Without this, commands issued while disconnected wait in a queue forever instead of failing.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      reconnectStrategy: (retries) => {
        if (!connectedOnce && retries >= 2) return new StoreError('redis store: cannot connect');
        return Math.min(2 ** retries * 100, 3000);
      },
    },
  });
  // An 'error' event without a listener would crash the process. Log the first of a run, not every retry.
  client.on('error', (err: unknown) => {
    if (failing) return;
    failing = true;
    log?.warn({ err: new StoreError('redis store: connection error', { cause: err }) }, 'redis connection error');
  });
  client.on('ready', () => {
    if (failing) log?.info('redis connection restored');
    failing = false;
    connectedOnce = true;
  });
  try {
    await client.connect();
  } catch (error) {
    if (client.isOpen) client.destroy();
    throw error instanceof StoreError ? error : new StoreError('redis store: cannot connect', { cause: error });
  }
  return new RedisStore(client, options);
}

export class RedisStore implements KeyValueStore {
  readonly kind = KIND;

  private readonly keyv: Keyv;
  private readonly adapter: KeyvRedis<unknown>;
  private readonly namespace: string;
  private readonly pingTimeoutMs: number;
  private readonly indexTtlMs?: number;
  private closed = false;

  /** Use `openRedisStore`; this takes a connected client and owns it from now on. */
  constructor(
    private readonly client: RedisClient,
    options: Pick<RedisStoreOptions, 'namespace' | 'pingTimeoutMs' | 'indexTtlMs'> = {},
  ) {
    this.namespace = options.namespace ?? 'bb';
    this.pingTimeoutMs = options.pingTimeoutMs ?? 2000;
    this.indexTtlMs = options.indexTtlMs === undefined ? undefined : checkTtl(options.indexTtlMs, 'indexTtlMs');
    this.adapter = new KeyvRedis(client, { throwOnErrors: true, throwOnConnectError: true });
    // keyv sets the adapter's namespace; with useKeyPrefix off the stored key is `bb::<key>`, not `bb::bb:<key>`.
    this.keyv = new Keyv({ store: this.adapter, namespace: this.namespace, useKeyPrefix: false, throwOnErrors: true });
    this.keyv.on('error', () => {
      // Failures are rethrown (throwOnErrors) and wrapped by `guarded`; the event is only keyv's echo of them.
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    return this.run('get', () => this.keyv.get<T>(key));
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    const ttl = checkOptionalTtl(ttlMs);
    await this.run('set', () => this.keyv.set(key, value, ttl));
  }

  /** Deletes the value and any claim under `key` in one DEL; true when either existed. */
  async delete(key: string): Promise<boolean> {
    return this.run('delete', async () => (await this.client.del([this.valueKey(key), this.claimKey(key)])) > 0);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs);
    return this.run('claim', async () => {
      const reply = await this.client.set(this.claimKey(key), '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: ttl },
      });
      return reply === 'OK';
    });
  }

  async track(person: string, key: string): Promise<void> {
    await this.run('track', async () => {
      const index = this.indexKey(person);
      if (this.indexTtlMs === undefined) {
        await this.client.sAdd(index, key);
        return;
      }
      await this.client.multi().sAdd(index, key).pExpire(index, this.indexTtlMs).exec();
    });
  }

  async keysOf(person: string): Promise<string[]> {
    return this.run('keysOf', async () => (await this.client.sMembers(this.indexKey(person))).sort());
  }

  /** One Lua script, so a concurrent track() lands either before (and is deleted) or after (and is kept). */
  async forget(person: string): Promise<number> {
    return this.run('forget', async () => {
      const reply = await this.client.eval(FORGET_SCRIPT, {
        keys: [this.indexKey(person)],
        arguments: [this.valueKey(''), this.claimKey('')],
      });
      return Number(reply);
    });
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.pingTimeoutMs);
    });
    try {
      return await Promise.race([this.client.ping().then((reply) => reply === 'PONG'), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Redis expires keys by itself. */
  async purgeExpired(): Promise<number> {
    if (this.closed) throw closedError(KIND);
    return 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.client.isOpen) return;
    try {
      await this.client.close();
    } catch {
      this.client.destroy();
    }
  }

  private valueKey(key: string): string {
    return this.adapter.createKeyPrefix(key, this.namespace);
  }

  private claimKey(key: string): string {
    return `${this.namespace}:claim::${key}`;
  }

  private indexKey(person: string): string {
    return `${this.namespace}:person::${person}`;
  }

  private run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(KIND));
    return guarded(KIND, op, fn);
  }
}
