import { AdapterError, RateLimitedError, RecipientUnreachableError, type RetryVerdict } from '../../src/core/index.js';

/** Slack error codes that mean the person or channel cannot be reached: final, never retried. */
const UNREACHABLE = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'user_not_found',
  'user_disabled',
  'account_inactive',
  'cannot_dm_bot',
  'messages_tab_disabled',
  'restricted_action',
  'team_access_not_granted',
]);

/** Slack error codes that mean our token is wrong or gone. */
const AUTH = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'ekm_access_denied',
]);

/** The parts of @slack/web-api's errors we read (it exports classes, but only the coded shape is stable). */
interface SlackSdkError {
  code?: string;
  data?: { error?: string };
  retryAfter?: number;
  statusCode?: number;
}

/** The Slack error code of a failed call (`channel_not_found` …), or the SDK's code; never a message. */
export function slackErrorCode(error: unknown): string {
  const e = (error ?? {}) as SlackSdkError;
  return e.data?.error ?? e.code ?? (error instanceof Error ? error.name : 'unknown');
}

/** Seconds Slack asked us to wait, when the error is a 429. */
export function retryAfterSeconds(error: unknown): number | undefined {
  const e = (error ?? {}) as SlackSdkError;
  return e.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number' ? e.retryAfter : undefined;
}

/**
 * How a failed Web API call is retried (the SDK's own retries are off): a 429 becomes a pause and a
 * RateLimitedError, never a retry; network errors (timeouts included) and 5xx are retried; everything else — an
 * `ok: false` answer such as channel_not_found or invalid_auth, a 4xx — is final.
 */
export function classifySlackError(error: unknown): RetryVerdict {
  const seconds = retryAfterSeconds(error);
  if (seconds !== undefined) return { kind: 'rate-limited', retryAfterMs: Math.max(1, seconds) * 1000 };
  const e = (error ?? {}) as SlackSdkError;
  if (e.code === 'slack_webapi_request_error') return { kind: 'retryable' };
  if (e.code === 'slack_webapi_http_error' && (e.statusCode ?? 0) >= 500) return { kind: 'retryable' };
  return { kind: 'final' };
}

/** A response_url post that failed; `status` is absent when no answer came (network error, timeout). */
export class ResponseUrlError extends AdapterError {
  constructor(
    message: string,
    readonly status?: number,
    cause?: unknown,
  ) {
    super('slack', message, { cause });
  }
}

/** response_url: the same rules as the Web API (a 429 arrives as RateLimitedError already). */
export function classifyResponseUrlError(error: unknown): RetryVerdict {
  if (error instanceof RateLimitedError) return { kind: 'rate-limited', retryAfterMs: error.retryAfterMs };
  if (error instanceof ResponseUrlError && (error.status === undefined || error.status >= 500))
    return { kind: 'retryable' };
  return { kind: 'final' };
}

/** A Retry-After header (seconds) in ms; one second when absent or unreadable. */
export function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

/** Translate an SDK error at the edge, so the core only ever sees BotErrors. */
export function toAdapterError(error: unknown, method: string): AdapterError {
  if (error instanceof AdapterError) return error;
  const retryAfter = retryAfterSeconds(error);
  if (retryAfter !== undefined) return new RateLimitedError('slack', Math.max(1, retryAfter) * 1000, { cause: error });
  const code = slackErrorCode(error);
  if (UNREACHABLE.has(code)) return new RecipientUnreachableError('slack', { cause: error });
  if (AUTH.has(code))
    return new AdapterError('slack', `slack ${method} refused our token (${code})`, {
      cause: error,
      code: 'ADAPTER_AUTH',
    });
  return new AdapterError('slack', `slack ${method} failed (${code})`, { cause: error });
}
