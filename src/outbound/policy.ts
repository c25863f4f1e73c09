/**
 * The outbound policy every adapter sends under: rate limits per scope and Retry-After pauses, in this process or —
 * with a Redis client (several replicas) — shared by every process on that Redis. It never sleeps: a send whose
 * slot or pause is not free now gets a RateLimitedError carrying the wait, and its owner decides (a turn gives
 * up, a job queue reschedules). Retries live next to it (retry.ts). docs/architecture.md, "The outbound policy".
 *
 * Rules it serves:
 * - a scope is a key plus windows (`{points, durationMs}`); a send takes one point in every window of every scope
 *   at once, or none: when any window is full, the points just taken are given back;
 * - scope keys name platform ids (a channel, a conversation, a tenant), so they reach Redis only as keyed hashes;
 * - while Redis is away the in-process counters keep limiting (rate-limiter-flexible's insurance limiter), and a
 *   pause is always kept in-process too, so a replica cut off from Redis still obeys what it was told itself.
 */
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { KeyedHash } from '../crypto/pseudonym.js';
import { RateLimitedError } from '../errors.js';
import type { Platform } from '../message/types.js';
import type { RedisClient } from '../store/redis-connections.js';

/** At most `points` sends per `durationMs` (a fixed window that starts with its first send; whole seconds). */
export interface RateWindow {
  points: number;
  durationMs: number;
}

/** What one send counts against: a key (e.g. `post:<team>:<channel>`) and its windows. */
export interface RateScope {
  key: string;
  windows: readonly RateWindow[];
}

/** The outbound policy adapters send under; see the module comment. */
export interface OutboundPolicy {
  /** Take a slot in every window of every scope at once, or none and reject with RateLimitedError (the wait). */
  take(scopes: readonly RateScope[]): Promise<void>;
  /** Remember that the platform asked to wait `ms` before the next call in `scope` (a 429's Retry-After). */
  pause(scope: string, ms: number): Promise<void>;
  /** How long `scope` is still paused, in ms (0 when it is not). */
  pausedFor(scope: string): Promise<number>;
}

export interface OutboundPolicyConfig {
  /** Prefix of every Redis key the policy writes (tests give each run its own). Default `bb:out`. */
  keyPrefix?: string;
}

export interface OutboundPolicyDeps {
  platform: Platform;
  /** The core's keyed hash; required with `redis` (scope keys are stored only as keyed hashes). */
  hash?: KeyedHash;
  /** A connected node-redis client (purpose 'limiter'); without it every limit holds in this process only. */
  redis?: RedisClient;
  log?: Logger;
  now?: () => number;
}

/** A longer pause wins: a second, shorter Retry-After must not shorten a pause another replica was told. */
const PAUSE_SCRIPT = `local left = redis.call('pttl', KEYS[1])
if left < tonumber(ARGV[1]) then redis.call('set', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;
/** Entries kept in the in-process tables before expired ones are swept (hashes are dropped wholesale). */
const TABLE_LIMIT = 10_000;

/** Create the policy for one platform. */
export function createOutboundPolicy(config: OutboundPolicyConfig, deps: OutboundPolicyDeps): OutboundPolicy {
  const { platform, redis, hash } = deps;
  if (redis && !hash) throw new Error('an outbound policy on Redis needs the keyed hash');
  const now = deps.now ?? Date.now;
  const prefix = `${config.keyPrefix ?? 'bb:out'}:${platform}`;
  const limiters = new Map<string, RateLimiterAbstract>();
  const pausedUntil = new Map<string, number>();
  const hashed = new Map<string, string>();

  /** The scope key as stored: a keyed hash with Redis; in-process only, the key itself may stay. */
  const storedKey = (key: string): string => {
    if (!hash) return key;
    let value = hashed.get(key);
    if (value === undefined) {
      if (hashed.size >= TABLE_LIMIT) hashed.clear();
      value = hash('outbound', platform, key);
      hashed.set(key, value);
    }
    return value;
  };

  const limiterFor = (window: RateWindow): RateLimiterAbstract => {
    const id = `${window.points}/${window.durationMs}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      limiter = makeLimiter(window, `${prefix}:w${window.points}-${window.durationMs / 1000}s`, redis);
      limiters.set(id, limiter);
    }
    return limiter;
  };

  /** The Redis client while it is connected; undefined while it is away (then this process decides alone). */
  const usable = (): RedisClient | undefined => (redis?.isReady ? redis : undefined);

  return {
    async take(scopes) {
      const attempts: { limiter: RateLimiterAbstract; key: string }[] = [];
      for (const scope of scopes) {
        const key = storedKey(scope.key);
        for (const window of scope.windows) attempts.push({ limiter: limiterFor(window), key });
      }
      if (attempts.length === 0) return;
      const results = await Promise.allSettled(attempts.map((a) => a.limiter.consume(a.key, 1)));
      let waitMs = 0;
      let failure: unknown;
      const counted: typeof attempts = [];
      for (const [i, attempt] of attempts.entries()) {
        const result = results[i];
        if (result?.status === 'fulfilled') counted.push(attempt);
        else if (result?.reason instanceof RateLimiterRes) {
          // A refused point was counted too (the limiter increments, then compares).
          counted.push(attempt);
          waitMs = Math.max(waitMs, result.reason.msBeforeNext, 1);
        } else failure ??= result?.reason;
      }
      if (waitMs === 0 && failure === undefined) return;
      // Nothing is sent: give every counted point back, or the windows would slow later sends for nothing.
      await Promise.allSettled(counted.map((a) => a.limiter.reward(a.key, 1)));
      if (failure !== undefined) throw failure;
      throw new RateLimitedError(platform, waitMs, { held: true });
    },

    async pause(scope, ms) {
      const wait = Math.ceil(ms);
      if (!(wait > 0)) return;
      const until = now() + wait;
      if ((pausedUntil.get(scope) ?? 0) < until) {
        if (pausedUntil.size >= TABLE_LIMIT) sweep(pausedUntil, now());
        pausedUntil.set(scope, until);
      }
      const client = usable();
      if (!client) return;
      try {
        await client.eval(PAUSE_SCRIPT, { keys: [`${prefix}:pause:${storedKey(scope)}`], arguments: [String(wait)] });
      } catch {
        // Redis went away mid-call: this process keeps the pause (above); redis-connections logs the outage.
        deps.log?.debug('outbound pause kept in this process only');
      }
    },

    async pausedFor(scope) {
      const until = pausedUntil.get(scope);
      if (until !== undefined) {
        const left = until - now();
        if (left > 0) return left;
        pausedUntil.delete(scope);
      }
      const client = usable();
      if (!client) return 0;
      try {
        // Another replica may have been told to wait. PTTL is relative, so clocks of replicas need not agree.
        const left = Number(await client.pTTL(`${prefix}:pause:${storedKey(scope)}`));
        return Math.max(left, 0);
      } catch {
        return 0;
      }
    },
  };
}

function makeLimiter(window: RateWindow, keyPrefix: string, redis: RedisClient | undefined): RateLimiterAbstract {
  const { points, durationMs } = window;
  // rate-limiter-flexible counts in whole seconds and whole points; anything else would silently mean another limit.
  if (!Number.isInteger(points) || points < 1) throw new Error(`rate window ${keyPrefix}: points must be ≥ 1`);
  if (!Number.isInteger(durationMs) || durationMs <= 0 || durationMs % 1000 !== 0)
    throw new Error(`rate window ${keyPrefix}: duration must be whole seconds`);
  const duration = durationMs / 1000;
  const memory = new RateLimiterMemory({ points, duration, keyPrefix });
  if (!redis) return memory;
  return new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: true,
    // Not ready (reconnecting): count in-process at once instead of sending a command that can only fail.
    rejectIfRedisNotReady: true,
    points,
    duration,
    keyPrefix,
    insuranceLimiter: memory,
  });
}

function sweep(table: Map<string, number>, at: number): void {
  for (const [key, until] of table) if (until <= at) table.delete(key);
  if (table.size >= TABLE_LIMIT) table.clear();
}
