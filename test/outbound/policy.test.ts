/**
 * The outbound policy in one process: windows taken all at once or not at all, the wait it reports, pauses, and
 * that it never sleeps. Fake timers: rate-limiter-flexible's in-memory windows run on Date.now and setTimeout.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeyedHash } from '../../src/crypto/pseudonym.js';
import { RateLimitedError } from '../../src/errors.js';
import { createOutboundPolicy, type RateScope } from '../../src/outbound/policy.js';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-03-02T09:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const policy = () => createOutboundPolicy({}, { platform: 'slack' });
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('take', () => {
  it('lets `points` through per window, then refuses with the wait until the window ends', async () => {
    const p = policy();
    const scope: RateScope = { key: 'post:T1:C1', windows: [{ points: 3, durationMs: 1_000 }] };
    for (let i = 0; i < 3; i += 1) await p.take([scope]);
    vi.advanceTimersByTime(400);
    const error = await rejection(p.take([scope]));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(600);
    vi.advanceTimersByTime(600);
    await expect(p.take([scope])).resolves.toBeUndefined();
  });

  it('never sleeps: a refusal comes back at once, with no timer left behind for it', async () => {
    const p = policy();
    const scope: RateScope = { key: 'c', windows: [{ points: 1, durationMs: 60_000 }] };
    await p.take([scope]);
    const timersBefore = vi.getTimerCount();
    const error = await rejection(p.take([scope]));
    expect((error as RateLimitedError).retryAfterMs).toBe(60_000);
    expect(vi.getTimerCount()).toBe(timersBefore);
  });

  it('the wait is the longest of every full window', async () => {
    const p = policy();
    const scope: RateScope = {
      key: 'conv',
      windows: [
        { points: 2, durationMs: 1_000 },
        { points: 3, durationMs: 10_000 },
      ],
    };
    await p.take([scope]);
    await p.take([scope]);
    vi.advanceTimersByTime(1_000);
    await p.take([scope]);
    // Now the second window (3 per 10 s, started at 0) is full too: 9 s to go, longer than the first's 1 s.
    const error = await rejection(p.take([scope]));
    expect((error as RateLimitedError).retryAfterMs).toBe(9_000);
  });

  it('all or nothing: a refusal in one scope gives back the points taken in the others', async () => {
    const p = policy();
    const channel = (id: string): RateScope => ({ key: `post:T1:${id}`, windows: [{ points: 1, durationMs: 1_000 }] });
    const workspace: RateScope = { key: 'post:T1', windows: [{ points: 2, durationMs: 1_000 }] };
    await p.take([channel('C1'), workspace]);
    // C1 is full: the workspace point this attempt took must be returned...
    await expect(p.take([channel('C1'), workspace])).rejects.toBeInstanceOf(RateLimitedError);
    // ...so the workspace still has one slot for another channel, and then none.
    await p.take([channel('C2'), workspace]);
    const error = await rejection(p.take([channel('C3'), workspace]));
    expect(error).toBeInstanceOf(RateLimitedError);
    // And C3's own point was returned as well: once the workspace window is over, C3 goes at once.
    vi.advanceTimersByTime(1_000);
    await expect(p.take([channel('C3'), workspace])).resolves.toBeUndefined();
  });

  it('scopes and platforms are independent; a scope without windows is never limited', async () => {
    const slack = policy();
    const teams = createOutboundPolicy({}, { platform: 'teams' });
    const one: RateScope = { key: 'a', windows: [{ points: 1, durationMs: 1_000 }] };
    await slack.take([one]);
    await expect(slack.take([one])).rejects.toBeInstanceOf(RateLimitedError);
    await expect(slack.take([{ key: 'b', windows: one.windows }])).resolves.toBeUndefined();
    await expect(teams.take([one])).resolves.toBeUndefined();
    for (let i = 0; i < 100; i += 1) await slack.take([{ key: 'free', windows: [] }]);
  });

  it('refuses windows rate-limiter-flexible cannot count exactly', async () => {
    const p = policy();
    await expect(p.take([{ key: 'x', windows: [{ points: 1, durationMs: 1_500 }] }])).rejects.toThrow(/whole seconds/);
    await expect(p.take([{ key: 'x', windows: [{ points: 0, durationMs: 1_000 }] }])).rejects.toThrow(/points/);
  });

  it('a policy on Redis needs the keyed hash (ids must never reach Redis in plaintext)', () => {
    expect(() => createOutboundPolicy({}, { platform: 'slack', redis: {} as never, hash: undefined as never })).toThrow(
      /keyed hash/,
    );
    expect(() =>
      createOutboundPolicy({}, { platform: 'slack', redis: undefined, hash: createKeyedHash('k'.repeat(32)) }),
    ).not.toThrow();
  });
});

describe('pause', () => {
  it('pausedFor counts down and ends; a shorter later pause does not shorten a longer one', async () => {
    const p = policy();
    expect(await p.pausedFor('T1:chat.postMessage')).toBe(0);
    await p.pause('T1:chat.postMessage', 30_000);
    await p.pause('T1:chat.postMessage', 5_000);
    expect(await p.pausedFor('T1:chat.postMessage')).toBe(30_000);
    expect(await p.pausedFor('T1:chat.update')).toBe(0);
    vi.advanceTimersByTime(29_000);
    expect(await p.pausedFor('T1:chat.postMessage')).toBe(1_000);
    await p.pause('T1:chat.postMessage', 4_000);
    expect(await p.pausedFor('T1:chat.postMessage')).toBe(4_000);
    vi.advanceTimersByTime(4_000);
    expect(await p.pausedFor('T1:chat.postMessage')).toBe(0);
  });

  it('ignores a pause of zero or less, or not a number', async () => {
    const p = policy();
    await p.pause('s', 0);
    await p.pause('s', -5);
    await p.pause('s', Number.NaN);
    expect(await p.pausedFor('s')).toBe(0);
  });
});
