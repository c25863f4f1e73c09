import { describe, expect, it } from 'vitest';
import { AdapterError, RateLimitedError, RecipientUnreachableError } from '../../../src/core/index.js';
import { ConnectorError, retryAfterMsOf } from '../../../adapters/teams/connector.js';
import { backoffMs, describeFailure, toAdapterError, withRetry } from '../../../adapters/teams/errors.js';

const policy = { maxAttempts: 3, baseMs: 2000, maxMs: 20000 };
const restError = (status: number, code?: string, retryAfter?: string) =>
  new ConnectorError(status, code, retryAfterMsOf(retryAfter));

describe('backoff', () => {
  it('grows exponentially within ±20 % and never passes the cap', () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const expected = Math.min(20000, 2000 * 2 ** (attempt - 1));
      expect(backoffMs(attempt, policy, undefined, () => 0)).toBe(Math.min(20000, Math.round(expected * 0.8)));
      expect(backoffMs(attempt, policy, undefined, () => 1)).toBe(Math.min(20000, Math.round(expected * 1.2)));
    }
  });
  it('honours a longer Retry-After up to the cap', () => {
    expect(backoffMs(1, policy, 7000, () => 0.5)).toBe(7000);
  });
});

describe('describeFailure / toAdapterError', () => {
  it('reads the Teams subCode and maps blocked recipients', () => {
    const e = restError(403, 'MessageWritesBlocked');
    expect(describeFailure(e)).toMatchObject({ status: 403, code: 'MessageWritesBlocked' });
    expect(toAdapterError(e)).toBeInstanceOf(RecipientUnreachableError);
  });
  it('never copies a foreign message (it can hold user content)', () => {
    const mapped = toAdapterError(new Error('Hallo geheim antwoord'));
    expect(mapped).toBeInstanceOf(AdapterError);
    expect(mapped.message).not.toContain('geheim');
    expect(describeFailure(new Error('x'))).toEqual({});
  });
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMsOf('7', now)).toBe(7000);
    expect(retryAfterMsOf('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMsOf('soon', now)).toBeUndefined();
    expect(retryAfterMsOf(undefined, now)).toBeUndefined();
  });
});

describe('withRetry', () => {
  it('stops at maxAttempts and reports the last failure', async () => {
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        throw restError(429, undefined, '1');
      },
      policy,
      { sleep: async () => undefined },
    ).catch((e: unknown) => e);
    expect(calls).toBe(3);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(1000);
  });
  it('does not retry other statuses', async () => {
    let calls = 0;
    await withRetry(
      async () => {
        calls++;
        throw restError(400);
      },
      policy,
      { sleep: async () => undefined },
    ).catch(() => undefined);
    expect(calls).toBe(1);
  });
  it('runs the limiter before every attempt', async () => {
    let acquired = 0;
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw restError(502);
        return 'ok';
      },
      policy,
      { sleep: async () => undefined, beforeAttempt: async () => void acquired++ },
    );
    expect(result).toBe('ok');
    expect(acquired).toBe(3);
  });
});
