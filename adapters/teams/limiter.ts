/**
 * Outbound rate limits (platform.md §2, T4): per conversation 7/1 s, 8/2 s, 60/30 s, 1800/h and per tenant N/s.
 * `rate-limiter-flexible` keeps the counters, in memory or in Redis so replicas share them. A send takes one point
 * from every window; when any window is full the points are given back and the send waits, or fails with
 * RateLimitedError when the wait would be too long (the caller — e.g. the announcement queue — reschedules).
 */
import { RateLimitedError } from '../../src/core/index.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitWindow } from './types.js';

/** Takes a send slot for a conversation in a tenant, waiting when needed. */
export interface SendLimiter {
  acquire(conversationId: string, tenantId: string): Promise<void>;
}

export interface LimiterOptions {
  conversationLimits: LimitWindow[];
  tenantRps: number;
  maxWaitMs: number;
  /** A connected node-redis client; without it the counters live in this process. */
  redis?: unknown;
  keyPrefix?: string;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function makeLimiter(window: LimitWindow, name: string, options: LimiterOptions): RateLimiterAbstract {
  if (window.durationMs % 1000 !== 0 || window.durationMs <= 0)
    throw new Error(`limit window ${name} must be whole seconds`);
  const duration = window.durationMs / 1000;
  const keyPrefix = `${options.keyPrefix ?? 'bb:teams:rl'}:${name}`;
  const memory = new RateLimiterMemory({ points: window.points, duration, keyPrefix });
  if (!options.redis) return memory;
  // When Redis is down, the in-process counters keep limiting this replica (insurance), instead of sending freely.
  return new RateLimiterRedis({
    storeClient: options.redis,
    useRedisPackage: true,
    points: window.points,
    duration,
    keyPrefix,
    insuranceLimiter: memory,
  });
}

/** A limiter over all windows; see the module comment for the semantics. */
export function createSendLimiter(options: LimiterOptions): SendLimiter {
  const sleep = options.sleep ?? defaultSleep;
  const perConversation = options.conversationLimits.map((w) =>
    makeLimiter(w, `c${w.points}/${w.durationMs / 1000}s`, options),
  );
  const perTenant = makeLimiter({ points: options.tenantRps, durationMs: 1000 }, `t${options.tenantRps}/1s`, options);

  async function tryOnce(conversationId: string, tenantId: string): Promise<number> {
    const attempts: [RateLimiterAbstract, string][] = [
      ...perConversation.map((l): [RateLimiterAbstract, string] => [l, conversationId]),
      [perTenant, tenantId],
    ];
    const results = await Promise.allSettled(attempts.map(([limiter, key]) => limiter.consume(key, 1)));
    let waitMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      waitMs = Math.max(waitMs, result.reason.msBeforeNext);
    }
    if (waitMs === 0) return 0;
    // Give every point back: nothing was sent, and an over-counted window would slow later sends for no reason.
    await Promise.allSettled(attempts.map(([limiter, key]) => limiter.reward(key, 1)));
    return waitMs;
  }

  return {
    async acquire(conversationId, tenantId) {
      const started = Date.now();
      for (;;) {
        const waitMs = await tryOnce(conversationId, tenantId);
        if (waitMs === 0) return;
        if (Date.now() - started + waitMs > options.maxWaitMs) throw new RateLimitedError('teams', waitMs);
        // A little jitter so waiting senders do not all retry in the same millisecond.
        await sleep(waitMs + Math.floor(Math.random() * 25));
      }
    },
  };
}
