/**
 * The shared store for several replicas. Plain values go through Keyv over @keyv/redis, as the stack asks.
 * Everything else is plain Redis commands and Lua scripts on the same client, because keyv has no atomic increment,
 * no compare-and-set and no ordered listing: a script runs as one atomic step on the server, so a read-then-write
 * in one is atomic across every replica. The client comes from redis-connections.ts.
 *
 * Key layout (namespace `bb` by default; docs/store.md has the whole picture):
 *   bb::<key>            a plain value (keyv; `useKeyPrefix: false`, so keyv does not add a second prefix)
 *   bb:claim::<key>      a claim, `SET NX PX`
 *   bb:counter::<key>    a counter, an integer string (`INCRBY` inside a script)
 *   bb:cas::<key>        a versioned value, a hash { value: JSON, version }
 *   bb:seq::version      the store-wide version sequence (`INCR`)
 *   bb:index::<index>    a sorted index, a sorted set
 *   bb:person::<person>  the person index, a set of keys
 *   bb:probe             the health check's probe, a few seconds' TTL
 */
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import type { Logger } from 'pino';
import { StoreError } from '../errors.js';
import {
  checkAfter,
  checkIncrement,
  checkLimit,
  checkOptionalTtl,
  checkRange,
  checkScore,
  checkTtl,
  checkVersion,
  closedError,
  guarded,
  rewriteJson,
  rewriteKeyvText,
} from './guard.js';
import { type RedisClient, type RedisConnections, createRedisConnections } from './redis-connections.js';
import { checkScanCursor, scanPage } from './redis-list.js';
import {
  COMPARE_AND_SET_SCRIPT,
  FORGET_SCRIPT,
  INCREMENT_SCRIPT,
  INDEX_RANGE_SCRIPT,
  RENAME_MEMBER_SCRIPT,
  RENAME_SCRIPT,
} from './redis-scripts.js';
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

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL (never logged): the store opens its own connection and closes it with itself. */
  url?: string;
  /** Shared connections instead of `url`: the store uses client('store') and leaves closing it to their owner. */
  connections?: RedisConnections;
  /** Prefix of every key; lets several deployments (or test runs) share one Redis. Default `bb`. */
  namespace?: string;
  log?: Logger;
  /** With `url`: how long the first connection may take before opening fails. Default 5 s. */
  connectTimeoutMs?: number;
  /** How long ping and the health probe wait for Redis. Default 2 s. */
  pingTimeoutMs?: number;
  /** When set, each track() extends the person index's own TTL to this; default none (the index lives until forget). */
  indexTtlMs?: number;
}

const KIND = 'redis';
/** How often `rename` reads again when a concurrent write changed the value it was rewriting. */
const RENAME_ATTEMPTS = 10;
/** The key families, in the order FORGET_SCRIPT and delete() get their prefixes. */
const FAMILIES = ['claim', 'counter', 'cas', 'index'] as const;
/** How long the health probe key lives: long enough to be seen, short enough to leave nothing behind. */
const PROBE_TTL_MS = 10_000;

/**
 * Connect and return the store. Throws a StoreError when Redis does not answer in time. Later connection losses
 * never crash the process: the client reconnects in the background, and calls fail fast with a StoreError meanwhile.
 */
export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  if (!options.connections && !options.url) throw new RangeError('openRedisStore needs a url or connections');
  const own = options.connections
    ? undefined
    : createRedisConnections(options.url ?? '', { log: options.log, connectTimeoutMs: options.connectTimeoutMs });
  const client = await (options.connections ?? own)?.client('store');
  if (!client) throw new RangeError('openRedisStore needs a url or connections');
  return new RedisStore(client, options, own ? () => own.closeAll() : undefined);
}

export class RedisStore implements KeyValueStore {
  readonly kind = KIND;

  private readonly keyv: Keyv;
  private readonly adapter: KeyvRedis<unknown>;
  private readonly namespace: string;
  private readonly pingTimeoutMs: number;
  private readonly indexTtlMs?: number;
  private closed = false;

  /** Use `openRedisStore`. `release` runs on close (closing a connection the store owns); without it, none is closed. */
  constructor(
    private readonly client: RedisClient,
    options: Pick<RedisStoreOptions, 'namespace' | 'pingTimeoutMs' | 'indexTtlMs'> = {},
    private readonly release?: () => Promise<void>,
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

  /** Deletes every family under `key` in one DEL; true when any existed (Redis drops expired keys by itself). */
  async delete(key: string): Promise<boolean> {
    return this.run('delete', async () => (await this.client.del(this.familyKeys(key))) > 0);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const ttl = checkTtl(ttlMs);
    return this.run('claim', async () => {
      const reply = await this.client.set(this.key('claim', key), '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: ttl },
      });
      return reply === 'OK';
    });
  }

  async increment(key: string, by: number, options?: IncrementOptions): Promise<IncrementResult> {
    const args = checkIncrement(by, options);
    const bound = (n: number | undefined) => (n === undefined ? '' : scoreArg(n));
    return this.run('increment', async () => {
      const reply = (await this.client.eval(INCREMENT_SCRIPT, {
        keys: [this.key('counter', key)],
        arguments: [
          String(args.by),
          bound(args.cap),
          bound(args.floor),
          args.ttl === undefined ? '' : String(args.ttl),
        ],
      })) as [number, number];
      return { applied: Number(reply[0]) === 1, value: Number(reply[1]) };
    });
  }

  async counter(key: string): Promise<number> {
    return this.run('counter', async () => Number((await this.client.get(this.key('counter', key))) ?? 0));
  }

  async getVersioned<T>(key: string): Promise<Versioned<T>> {
    return this.run('getVersioned', async () => {
      const [json, version] = await this.client.hmGet(this.key('cas', key), ['value', 'version']);
      if (json == null || version == null) return { value: undefined, version: 0 };
      return { value: JSON.parse(json) as T, version: Number(version) };
    });
  }

  async compareAndSet<T>(key: string, version: number, next: T | undefined, ttlMs?: number): Promise<boolean> {
    checkVersion(version);
    const ttl = checkOptionalTtl(ttlMs);
    const json = JSON.stringify(next);
    return this.run('compareAndSet', async () => {
      const reply = await this.client.eval(COMPARE_AND_SET_SCRIPT, {
        keys: [this.key('cas', key), this.key('seq', 'version')],
        arguments: [
          String(version),
          json === undefined ? 'delete' : 'set',
          json ?? '',
          ttl === undefined ? '' : String(ttl),
        ],
      });
      return Number(reply) === 1;
    });
  }

  /** SCAN in no set order; a page may hold more or fewer than `limit` entries and a key may come up twice. */
  async list<T>(prefix: string, options: ListOptions = {}): Promise<ListPage<T>> {
    const limit = checkLimit(options.limit);
    const cursor = checkScanCursor(options.cursor);
    const valuePrefix = this.adapter.createKeyPrefix('', this.namespace);
    return this.run('list', () =>
      scanPage<T>({ client: this.client, keyv: this.keyv, valuePrefix, prefix, cursor, limit }),
    );
  }

  async indexAdd(index: string, member: string, score: number): Promise<void> {
    checkScore(score);
    await this.run('indexAdd', () => this.client.zAdd(this.key('index', index), { score, value: member }));
  }

  async indexRemove(index: string, member: string): Promise<boolean> {
    return this.run('indexRemove', async () => (await this.client.zRem(this.key('index', index), member)) > 0);
  }

  async indexRange(index: string, options: IndexRangeOptions = {}): Promise<IndexPage> {
    const { min, max } = checkRange(options);
    const after = checkAfter(options.after);
    const limit = checkLimit(options.limit);
    return this.run('indexRange', async () => {
      const reply = (await this.client.eval(INDEX_RANGE_SCRIPT, {
        keys: [this.key('index', index)],
        arguments: [
          scoreArg(min),
          scoreArg(max),
          after ? scoreArg(after.score) : '',
          after?.member ?? '',
          String(limit + 1),
        ],
      })) as string[];
      const all: { member: string; score: number }[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) all.push({ member: String(reply[i]), score: Number(reply[i + 1]) });
      const entries = all.slice(0, limit);
      return all.length > limit ? { entries, cursor: entries[entries.length - 1] } : { entries };
    });
  }

  async indexCount(index: string, range?: ScoreRange): Promise<number> {
    const { min, max } = checkRange(range);
    return this.run('indexCount', () => this.client.zCount(this.key('index', index), scoreArg(min), scoreArg(max)));
  }

  async track(person: string, key: string): Promise<void> {
    await this.run('track', async () => {
      const index = this.key('person', person);
      if (this.indexTtlMs === undefined) {
        await this.client.sAdd(index, key);
        return;
      }
      await this.client.multi().sAdd(index, key).pExpire(index, this.indexTtlMs).exec();
    });
  }

  async keysOf(person: string): Promise<string[]> {
    return this.run('keysOf', async () => (await this.client.sMembers(this.key('person', person))).sort());
  }

  async untrack(person: string, key: string): Promise<void> {
    await this.run('untrack', () => this.client.sRem(this.key('person', person), key));
  }

  /**
   * The rewrite is JavaScript, which a Lua script cannot run: the values are read and rewritten first, then one
   * script checks they are unchanged and moves every family at once (else it reads again). Not WATCH/MULTI: the
   * connection is shared by every call of this process, and WATCH belongs to a connection.
   */
  async rename(from: string, to: string, rewrite?: RenameRewrite): Promise<boolean> {
    return this.run('rename', async () => {
      for (let attempt = 0; attempt < RENAME_ATTEMPTS; attempt++) {
        const [raw, [json, version]] = await Promise.all([
          this.client.get(this.adapter.createKeyPrefix(from, this.namespace)),
          this.client.hmGet(this.key('cas', from), ['value', 'version']),
        ]);
        const value = raw == null ? undefined : await rewriteKeyvText(this.keyv, raw, rewrite);
        const versioned = json == null || version == null ? undefined : rewriteJson(json, rewrite);
        const reply = await this.client.eval(RENAME_SCRIPT, {
          keys: [...this.familyKeys(from), ...this.familyKeys(to), this.key('seq', 'version')],
          arguments: [
            raw ?? '',
            json == null ? '0' : String(version ?? '0'),
            value ?? '',
            versioned ?? '',
            from === to ? '1' : '0',
          ],
        });
        if (Number(reply) >= 0) return Number(reply) === 1;
      }
      throw new StoreError('redis store: rename kept losing to concurrent writes', { code: 'STORE_CONFLICT' });
    });
  }

  async indexRenameMember(index: string, member: string, to: string): Promise<boolean> {
    return this.run('indexRenameMember', async () => {
      const reply = await this.client.eval(RENAME_MEMBER_SCRIPT, {
        keys: [this.key('index', index)],
        arguments: [member, to],
      });
      return Number(reply) === 1;
    });
  }

  /** One Lua script, so a concurrent track() lands either before (and is deleted) or after (and is kept). */
  async forget(person: string): Promise<number> {
    return this.run('forget', async () => {
      const reply = await this.client.eval(FORGET_SCRIPT, {
        keys: [this.key('person', person)],
        arguments: this.familyKeys(''),
      });
      return Number(reply);
    });
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return (await this.timed(this.client.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  /** PING, then a probe key written with a short TTL; a read-only replica or a full Redis (OOM) fails the probe. */
  async health(): Promise<StoreHealth> {
    if (this.closed) return { writable: false, reason: 'store closed' };
    if (!(await this.ping())) return { writable: false, reason: 'redis does not answer' };
    try {
      const probe = this.client.set(`${this.namespace}:probe`, String(Date.now()), {
        expiration: { type: 'PX', value: PROBE_TTL_MS },
      });
      if ((await this.timed(probe)) !== 'OK') return { writable: false, reason: 'write probe not acknowledged' };
      return { writable: true };
    } catch (error) {
      // Redis errors start with an upper-case code (READONLY, OOM, MISCONF, NOPERM); the rest may echo arguments.
      const code = error instanceof Error ? /^[A-Z]+(?= )/.exec(error.message)?.[0] : undefined;
      return { writable: false, reason: `write probe failed${code ? ` (${code})` : ''}` };
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
    await this.release?.();
  }

  /** The Redis key of `key` in a family other than plain values. */
  private key(family: (typeof FAMILIES)[number] | 'seq' | 'person', key: string): string {
    return `${this.namespace}:${family}::${key}`;
  }

  /** The Redis keys of every family under `key`, the plain value first. */
  private familyKeys(key: string): string[] {
    return [this.adapter.createKeyPrefix(key, this.namespace), ...FAMILIES.map((family) => this.key(family, key))];
  }

  /** A command that answers within the ping timeout, or a rejection. */
  private timed<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('redis did not answer in time')), this.pingTimeoutMs);
    });
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }

  private run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(KIND));
    return guarded(KIND, op, fn);
  }
}

/** A score or bound as Redis reads it: `+inf`/`-inf` for the infinities, the shortest exact decimal otherwise. */
function scoreArg(n: number): string {
  if (n === Number.POSITIVE_INFINITY) return '+inf';
  if (n === Number.NEGATIVE_INFINITY) return '-inf';
  return String(n);
}
