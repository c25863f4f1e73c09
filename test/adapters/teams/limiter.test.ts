/**
 * T4 limits: per conversation 7/1 s, 8/2 s, 60/30 s, 1800/h; per tenant N/s. Real clocks: each test measures when
 * sends were let through and checks every sliding window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../../src/core/index.js';
import { createSendLimiter } from '../../../adapters/teams/limiter.js';
import { DEFAULT_TUNING, type LimitWindow } from '../../../adapters/teams/types.js';
import { connectTestClient, redisAvailable, type TestRedisClient, uniqueNamespace } from '../../support/redis.js';

/** The most sends inside any window of `ms` (sliding, by timestamps). */
function maxInWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

async function sendMany(acquire: () => Promise<void>, n: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      await acquire();
      times.push(Date.now());
    }),
  );
  return times;
}

describe('defaults', () => {
  it('match the Teams per-thread limits', () => {
    expect(DEFAULT_TUNING.conversationLimits).toEqual([
      { points: 7, durationMs: 1000 },
      { points: 8, durationMs: 2000 },
      { points: 60, durationMs: 30000 },
      { points: 1800, durationMs: 3600000 },
    ]);
  });
});

// These tests read real clocks after each grant. On a loaded machine (the whole suite on 2 cores) a grant can be
// seen late, which bunches timestamps; a broken limiter fails every attempt, a late observation only one.
const TIMING = { retry: 2 } as const;

describe('in-process limiter', () => {
  it('one conversation: ≤ 7 per second and ≤ 8 per 2 seconds', TIMING, async () => {
    const limiter = createSendLimiter({
      conversationLimits: DEFAULT_TUNING.conversationLimits,
      tenantRps: 50,
      maxWaitMs: 10_000,
    });
    const times = await sendMany(() => limiter.acquire('conv-a', 'tenant'), 12);
    expect(times).toHaveLength(12);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(7);
    expect(maxInWindow(times, 2000)).toBeLessThanOrEqual(8);
    // Not slower than needed: 12 sends fit in two 2-second windows.
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(4500);
  });

  it('the longer windows hold the same way (scaled: 3/1 s, 4/3 s)', TIMING, async () => {
    const windows: LimitWindow[] = [
      { points: 3, durationMs: 1000 },
      { points: 4, durationMs: 3000 },
    ];
    const limiter = createSendLimiter({ conversationLimits: windows, tenantRps: 50, maxWaitMs: 10_000 });
    const times = await sendMany(() => limiter.acquire('conv-b', 'tenant'), 6);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(3);
    expect(maxInWindow(times, 3000)).toBeLessThanOrEqual(4);
  });

  it('per tenant: ≤ N per second across conversations', TIMING, async () => {
    const limiter = createSendLimiter({
      conversationLimits: DEFAULT_TUNING.conversationLimits,
      tenantRps: 5,
      maxWaitMs: 10_000,
    });
    let i = 0;
    const times = await sendMany(() => limiter.acquire(`conv-${i++}`, 'tenant-x'), 12);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5);
    // Another tenant is not slowed by this one.
    const started = Date.now();
    await limiter.acquire('conv-other', 'tenant-y');
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('fails with RateLimitedError instead of waiting longer than allowed', async () => {
    const limiter = createSendLimiter({
      conversationLimits: [{ points: 1, durationMs: 60_000 }],
      tenantRps: 50,
      maxWaitMs: 200,
    });
    await limiter.acquire('conv-c', 't');
    const error = await limiter.acquire('conv-c', 't').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(50_000);
  });
});

describe.skipIf(!redisAvailable)('limiter shared through Redis', () => {
  let clients: TestRedisClient[] = [];
  beforeAll(async () => {
    clients = [await connectTestClient(), await connectTestClient()];
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
  });

  it('two replicas together stay within 7 per second for one conversation', TIMING, async () => {
    const keyPrefix = uniqueNamespace();
    const [a, b] = clients.map((redis) =>
      createSendLimiter({
        conversationLimits: DEFAULT_TUNING.conversationLimits,
        tenantRps: 50,
        maxWaitMs: 10_000,
        redis,
        keyPrefix,
      }),
    );
    const [ta, tb] = await Promise.all([
      sendMany(() => a!.acquire('conv-shared', 't'), 6),
      sendMany(() => b!.acquire('conv-shared', 't'), 6),
    ]);
    const all = [...ta, ...tb];
    expect(all).toHaveLength(12);
    expect(maxInWindow(all, 1000)).toBeLessThanOrEqual(7);
    expect(maxInWindow(all, 2000)).toBeLessThanOrEqual(8);
    const keys: string[] = [];
    for await (const batch of clients[0]!.scanIterator({ MATCH: `${keyPrefix}:*` })) keys.push(...batch);
    expect(keys.length).toBeGreaterThan(0);
  });
});
