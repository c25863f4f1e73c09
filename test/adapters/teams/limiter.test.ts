/**
 * Teams limits on the outbound policy: per conversation 7/1 s, 8/2 s, 60/30 s, 1800/h; per tenant N/s. In one
 * process on fake timers (the policy's in-memory windows and the limiter's short waits run on Date.now and
 * setTimeout), checking every sliding window of when sends were let through; on Redis with real clocks.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSendLimiter, type LimiterConfig } from '../../../adapters/teams/limiter.js';
import { DEFAULT_TUNING, type LimitWindow } from '../../../adapters/teams/types.js';
import { createKeyedHash } from '../../../src/crypto/pseudonym.js';
import { RateLimitedError } from '../../../src/errors.js';
import { createOutboundPolicy } from '../../../src/outbound/policy.js';
import type { RedisClient } from '../../../src/store/redis-connections.js';
import {
  connectTestClient,
  deleteNamespace,
  keysUnder,
  redisAvailable,
  type TestRedisClient,
  uniqueNamespace,
} from '../../support/redis.js';

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

/** Start `n` sends at once; with fake timers, run the clock until all are through. */
async function sendMany(acquire: () => Promise<void>, n: number, fake = true): Promise<number[]> {
  const times: number[] = [];
  const all = Promise.all(
    Array.from({ length: n }, async () => {
      await acquire();
      times.push(Date.now());
    }),
  );
  if (fake) await vi.advanceTimersByTimeAsync(60_000);
  await all;
  return times;
}

const inProcess = (config: Partial<LimiterConfig> = {}) =>
  createSendLimiter(
    { conversationLimits: DEFAULT_TUNING.conversationLimits, tenantRps: 50, maxWaitMs: 10_000, ...config },
    { policy: createOutboundPolicy({}, { platform: 'teams' }) },
  );

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

describe('in-process limiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('one conversation: ≤ 7 per second and ≤ 8 per 2 seconds, and no slower than needed', async () => {
    const limiter = inProcess();
    const started = Date.now();
    const times = await sendMany(() => limiter.acquire('conv-a', 'tenant'), 12);
    expect(times).toHaveLength(12);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(7);
    expect(maxInWindow(times, 2000)).toBeLessThanOrEqual(8);
    // The first seven go at once; all twelve fit in two 2-second windows.
    expect(times.filter((t) => t === started)).toHaveLength(7);
    expect(Math.max(...times) - started).toBeLessThan(2_100);
  });

  it('the longer windows hold the same way (scaled: 3/1 s, 4/3 s)', async () => {
    const windows: LimitWindow[] = [
      { points: 3, durationMs: 1000 },
      { points: 4, durationMs: 3000 },
    ];
    const limiter = inProcess({ conversationLimits: windows });
    const times = await sendMany(() => limiter.acquire('conv-b', 'tenant'), 6);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(3);
    expect(maxInWindow(times, 3000)).toBeLessThanOrEqual(4);
  });

  it('per tenant: ≤ N per second across conversations; another tenant goes at once', async () => {
    const limiter = inProcess({ tenantRps: 5 });
    let i = 0;
    const times = await sendMany(() => limiter.acquire(`conv-${i++}`, 'tenant-x'), 12);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(5);
    for (let n = 0; n < 5; n += 1) await limiter.acquire(`conv-${n}`, 'tenant-x');
    // tenant-x is full now; tenant-y is not slowed by it (no clock movement needed).
    await expect(limiter.acquire('conv-other', 'tenant-y')).resolves.toBeUndefined();
  });

  it('fails with RateLimitedError at once instead of waiting longer than allowed', async () => {
    const limiter = inProcess({ conversationLimits: [{ points: 1, durationMs: 60_000 }], maxWaitMs: 200 });
    await limiter.acquire('conv-c', 't');
    const started = Date.now();
    const error = await limiter.acquire('conv-c', 't').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(60_000);
    expect(Date.now()).toBe(started);
  });

  it('a wait within maxWaitMs is waited, then the send goes', async () => {
    const limiter = inProcess({ conversationLimits: [{ points: 1, durationMs: 1_000 }], maxWaitMs: 2_000 });
    await limiter.acquire('conv-d', 't');
    let through = false;
    const second = limiter.acquire('conv-d', 't').then(() => {
      through = true;
    });
    await vi.advanceTimersByTimeAsync(900);
    expect(through).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    await second;
    expect(through).toBe(true);
  });
});

describe.skipIf(!redisAvailable)('limiter shared through Redis', () => {
  let clients: TestRedisClient[] = [];
  const namespaces: string[] = [];
  beforeAll(async () => {
    clients = [await connectTestClient(), await connectTestClient()];
  });
  afterAll(async () => {
    for (const ns of namespaces) await deleteNamespace(clients[0]!, ns);
    for (const c of clients) c.destroy();
  });

  // Real clocks: a grant observed late on a loaded machine bunches timestamps; a broken limiter fails every attempt.
  it('two replicas together stay within 7 per second for one conversation; ids reach Redis only hashed', {
    retry: 2,
  }, async () => {
    const keyPrefix = uniqueNamespace();
    namespaces.push(keyPrefix);
    const hash = createKeyedHash('teams-limiter-test-key-0123456789abcdef');
    const [a, b] = clients.map((redis) =>
      createSendLimiter(
        { conversationLimits: DEFAULT_TUNING.conversationLimits, tenantRps: 50, maxWaitMs: 10_000 },
        { policy: createOutboundPolicy({ keyPrefix }, { platform: 'teams', hash, redis: redis as RedisClient }) },
      ),
    );
    const [ta, tb] = await Promise.all([
      sendMany(() => a!.acquire('19:conv-shared@thread', 'tenant-geheim'), 6, false),
      sendMany(() => b!.acquire('19:conv-shared@thread', 'tenant-geheim'), 6, false),
    ]);
    const all = [...ta, ...tb];
    expect(all).toHaveLength(12);
    expect(maxInWindow(all, 1000)).toBeLessThanOrEqual(7);
    expect(maxInWindow(all, 2000)).toBeLessThanOrEqual(8);
    const keys = await keysUnder(clients[0]!, keyPrefix);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).not.toMatch(/conv-shared|geheim|thread/);
  });
});
