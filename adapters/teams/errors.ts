/**
 * Bot Connector errors → our BotError family, and the retry policy Teams asks for:
 * 429, 412, 502 and 504 are retried with jittered exponential backoff up to a bound; a blocked or removed bot
 * (403 MessageWritesBlocked and its relatives) is final and never retried. Messages never copy SDK text
 * (it can hold ids or user content); the status and Teams' error code are enough to act on. A call that got no
 * answer (a deadline, a reset connection) is not retried here: it may have been delivered.
 */
import { AdapterError, type BotError, RateLimitedError, RecipientUnreachableError } from '../../src/core/index.js';
import { ConnectorError } from './connector.js';

const RETRYABLE = new Set([412, 429, 502, 504]);
/** Codes Teams uses when the person blocked the bot, uninstalled it, or the bot is no longer in the chat. */
const UNREACHABLE_CODES = [
  'MessageWritesBlocked',
  'ConversationBlockedByUser',
  'BotNotInConversationRoster',
  'BotDisabledByAdmin',
  'UserNotFound',
];

/** What went wrong with one connector call. */
export interface ConnectorFailure {
  status?: number;
  /** Teams' error code or subCode, when the body had one. */
  code?: string;
  retryAfterMs?: number;
}

/** Read status, Teams code and Retry-After from a failed connector call (anything else: no status). */
export function describeFailure(error: unknown): ConnectorFailure {
  if (!(error instanceof ConnectorError)) return {};
  return {
    status: error.statusCode,
    ...(error.teamsCode ? { code: error.teamsCode } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
  };
}

/** Final for this recipient: the bot cannot write there any more. */
export function isUnreachable(failure: ConnectorFailure): boolean {
  return failure.status === 403 && failure.code !== undefined && UNREACHABLE_CODES.includes(failure.code);
}

/** 429, 412, 502 and 504: Teams asks to try again later. */
export function isRetryable(failure: ConnectorFailure): boolean {
  return failure.status !== undefined && RETRYABLE.has(failure.status);
}

/** The error the core sees for a failure we will not (or no longer) retry. */
export function toAdapterError(error: unknown, failure = describeFailure(error)): BotError {
  if (isUnreachable(failure)) return new RecipientUnreachableError('teams', { cause: error });
  if (failure.status === 429) return new RateLimitedError('teams', failure.retryAfterMs ?? 0, { cause: error });
  if (error instanceof AdapterError) return error;
  const what = failure.status ? `status ${failure.status}${failure.code ? ` (${failure.code})` : ''}` : 'no response';
  return new AdapterError('teams', `Bot Connector call failed: ${what}`, { cause: error });
}

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff with ±20 % jitter, capped; a Retry-After from Teams wins when it is longer. */
export function backoffMs(attempt: number, policy: RetryPolicy, retryAfterMs?: number, random = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.round(Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/**
 * Run one connector call with retries. `beforeAttempt` runs before every try (the rate limiter: a retry is a send).
 * Throws a BotError: RecipientUnreachableError (never retried), RateLimitedError, or AdapterError.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  hooks: {
    beforeAttempt?: () => Promise<void>;
    onRetry?: (failure: ConnectorFailure, attempt: number, waitMs: number) => void;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    await hooks.beforeAttempt?.();
    try {
      return await call();
    } catch (error) {
      const failure = describeFailure(error);
      if (!isRetryable(failure) || attempt >= policy.maxAttempts) throw toAdapterError(error, failure);
      // Teams asks for a longer pause than we may wait here: give it back to the caller (a queue reschedules).
      if ((failure.retryAfterMs ?? 0) > policy.maxMs) throw toAdapterError(error, failure);
      const waitMs = backoffMs(attempt, policy, failure.retryAfterMs);
      hooks.onRetry?.(failure, attempt, waitMs);
      await sleep(waitMs);
    }
  }
}
