/** The one retry helper of the outbound policy: backoff with jitter, attempts, deadline, and the three verdicts. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '../../src/errors.js';
import { backoffDelay, type RetryConfig, type RetryVerdict, withRetries } from '../../src/outbound/retry.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const config: RetryConfig = { maxAttempts: 4, baseMs: 200, maxMs: 1_000, deadlineMs: 5_000 };

class Flaky extends Error {
  constructor(readonly verdict: RetryVerdict) {
    super('flaky');
  }
}
const classify = (error: unknown): RetryVerdict => (error instanceof Flaky ? error.verdict : { kind: 'final' });

/** A call that fails with the given verdicts in turn, then succeeds; records when each attempt started. */
function scripted(...verdicts: RetryVerdict[]) {
  const starts: number[] = [];
  const call = async () => {
    starts.push(Date.now());
    const verdict = verdicts[starts.length - 1];
    if (verdict) throw new Flaky(verdict);
    return 'ok';
  };
  return { call, starts };
}

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, ±20 %, and a longer Retry-After wins', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(config, n, 0, () => 0.5))).toEqual([200, 400, 800, 1_000]);
    expect(backoffDelay(config, 1, 0, () => 0)).toBe(160);
    expect(backoffDelay(config, 1, 0, () => 1)).toBe(240);
    expect(backoffDelay(config, 3, 0, () => 1)).toBe(960);
    // Jitter never takes a wait above the cap.
    expect(backoffDelay(config, 4, 0, () => 1)).toBe(1_000);
    expect(backoffDelay(config, 1, 3_000, () => 0.5)).toBe(3_000);
  });
});

describe('withRetries', () => {
  const retryable: RetryVerdict = { kind: 'retryable' };

  it('retries retryable failures after the backoff and returns the result', async () => {
    const { call, starts } = scripted(retryable, retryable);
    const notices: number[] = [];
    const done = withRetries(call, config, {
      platform: 'slack',
      classify,
      random: () => 0.5,
      onRetry: (notice) => notices.push(notice.waitMs),
    });
    await vi.runAllTimersAsync();
    await expect(done).resolves.toBe('ok');
    expect(starts).toEqual([0, 200, 600]);
    expect(notices).toEqual([200, 400]);
  });

  it('stops after maxAttempts with the last error', async () => {
    const { call, starts } = scripted(retryable, retryable, retryable, retryable, retryable);
    const done = withRetries(call, config, { platform: 'slack', classify, random: () => 0.5 }).catch((e) => e);
    await vi.runAllTimersAsync();
    expect(await done).toBeInstanceOf(Flaky);
    expect(starts).toHaveLength(4);
  });

  it('starts no retry that would begin after the deadline', async () => {
    const slow = { ...config, maxAttempts: 10, deadlineMs: 1_500 };
    const { call, starts } = scripted(...Array.from({ length: 10 }, () => retryable));
    const done = withRetries(call, slow, { platform: 'slack', classify, random: () => 0.5 }).catch((e) => e);
    await vi.runAllTimersAsync();
    expect(await done).toBeInstanceOf(Flaky);
    // 0, 200, 600, 1400; the next would start at 2400, past the deadline.
    expect(starts).toEqual([0, 200, 600, 1_400]);
  });

  it('waits a retryable Retry-After, but not one that ends past the deadline', async () => {
    const first = scripted({ kind: 'retryable', retryAfterMs: 2_000 });
    const done = withRetries(first.call, config, { platform: 'teams', classify, random: () => 0.5 });
    await vi.runAllTimersAsync();
    await expect(done).resolves.toBe('ok');
    expect(first.starts).toEqual([0, 2_000]);

    const second = scripted({ kind: 'retryable', retryAfterMs: 60_000 });
    const refused = withRetries(second.call, config, { platform: 'teams', classify }).catch((e) => e);
    await vi.runAllTimersAsync();
    expect(await refused).toBeInstanceOf(Flaky);
    expect(second.starts).toHaveLength(1);
  });

  it('a rate-limited verdict is never retried: it becomes a RateLimitedError with the wait', async () => {
    const { call, starts } = scripted({ kind: 'rate-limited', retryAfterMs: 30_000 });
    const error = await withRetries(call, config, { platform: 'slack', classify }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(30_000);
    expect((error as RateLimitedError).cause).toBeInstanceOf(Flaky);
    expect(starts).toHaveLength(1);
  });

  it('a final failure is thrown at once, unchanged', async () => {
    const { call, starts } = scripted({ kind: 'final' });
    const error = await withRetries(call, config, { platform: 'slack', classify }).catch((e) => e);
    expect(error).toBeInstanceOf(Flaky);
    expect(starts).toHaveLength(1);
  });
});
