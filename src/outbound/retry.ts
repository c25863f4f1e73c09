/**
 * The one retry helper for outbound calls: jittered exponential backoff (±20 %), a maximum number of attempts and
 * a deadline. The caller classifies each failure:
 * - `retryable` (network errors, 5xx, 412/502/504 on Teams): tried again after the backoff, or after the platform's
 *   Retry-After when that is longer — unless the attempts are used up or the wait would pass the deadline;
 * - `rate-limited` (a 429 the caller does not want to wait out): never retried here, it becomes a RateLimitedError
 *   carrying the wait, so whoever owns the work (a job queue) reschedules it instead of holding a turn;
 * - `final` (blocked recipient, bad request, auth): thrown at once.
 */
import { RateLimitedError } from '../errors.js';
import type { Platform } from '../message/types.js';

/** How one failure of an outbound call is to be treated. */
export type RetryVerdict =
  | { kind: 'retryable'; retryAfterMs?: number }
  | { kind: 'rate-limited'; retryAfterMs: number }
  | { kind: 'final' };

/** Backoff and bounds of one outbound call. */
export interface RetryConfig {
  /** Attempts in all, the first included (1 = no retry). */
  maxAttempts: number;
  /** The wait before the second attempt; it doubles per attempt up to `maxMs`, each wait jittered by ±20 %. */
  baseMs: number;
  maxMs: number;
  /** No retry starts after this many ms since the first attempt began. */
  deadlineMs: number;
}

/** A retry that is about to happen (for the log line: never the error's message). */
export interface RetryNotice {
  attempt: number;
  waitMs: number;
  verdict: RetryVerdict;
}

export interface RetryDeps {
  platform: Platform;
  classify(error: unknown): RetryVerdict;
  onRetry?(notice: RetryNotice, error: unknown): void;
  sleep?(ms: number): Promise<void>;
  now?(): number;
  random?(): number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before attempt `attempt + 1`: base·2^(attempt−1), capped, ±20 %; a longer Retry-After wins. */
export function backoffDelay(config: RetryConfig, attempt: number, retryAfterMs = 0, random = Math.random): number {
  const exponential = Math.min(config.maxMs, config.baseMs * 2 ** (attempt - 1));
  const jittered = Math.min(config.maxMs, exponential * (0.8 + 0.4 * random()));
  return Math.round(Math.max(jittered, retryAfterMs));
}

/**
 * Run `call` under `config`. Resolves with its result; rejects with the last error of the call (final, or retryable
 * but out of attempts or time) or with a RateLimitedError for a `rate-limited` verdict.
 */
export async function withRetries<T>(
  call: (attempt: number) => Promise<T>,
  config: RetryConfig,
  deps: RetryDeps,
): Promise<T> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const started = now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call(attempt);
    } catch (error) {
      const verdict = deps.classify(error);
      if (verdict.kind === 'rate-limited') {
        if (error instanceof RateLimitedError) throw error;
        throw new RateLimitedError(deps.platform, verdict.retryAfterMs, { cause: error });
      }
      if (verdict.kind === 'final' || attempt >= config.maxAttempts) throw error;
      const waitMs = backoffDelay(config, attempt, verdict.retryAfterMs, deps.random);
      // A retry that could only start after the deadline is no retry: give the failure back now.
      if (now() + waitMs - started > config.deadlineMs) throw error;
      deps.onRetry?.({ attempt, waitMs, verdict }, error);
      await sleep(waitMs);
    }
  }
}
