import type { Platform } from './message/types.js';

/** Stable error codes; messages never hold secrets or user text. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'DIALOG_INVALID'
  | 'DATA_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CONFLICT'
  | 'ADAPTER_FAILED'
  | 'ADAPTER_AUTH'
  | 'RATE_LIMITED'
  | 'RECIPIENT_UNREACHABLE'
  | 'BAD_REQUEST'
  | 'UNKNOWN';

/** Base class of every error Bubbelbreker raises on purpose. */
export class BotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Start-up configuration is missing or wrong; `issues` lists each key and why (never a value). */
export class ConfigError extends BotError {
  constructor(readonly issues: string[]) {
    super('CONFIG_INVALID', `Invalid configuration:\n  - ${issues.join('\n  - ')}`);
  }
}

/** A data file (dialog, module catalogue) is invalid; names the file and the path inside it. */
export class DataFileError extends BotError {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super('DATA_INVALID', `Invalid data file ${file}:\n  - ${issues.join('\n  - ')}`);
  }
}

/**
 * The store could not be reached, answered wrongly or did not commit a write (STORE_UNAVAILABLE), or a
 * read-modify-write kept losing to concurrent writers (STORE_CONFLICT).
 */
export class StoreError extends BotError {
  constructor(message: string, options?: { cause?: unknown; code?: 'STORE_UNAVAILABLE' | 'STORE_CONFLICT' }) {
    super(options?.code ?? 'STORE_UNAVAILABLE', message, options);
  }
}

/** A platform call failed. */
export class AdapterError extends BotError {
  constructor(
    readonly platform: Platform,
    message: string,
    options?: { cause?: unknown; code?: ErrorCode },
  ) {
    super(options?.code ?? 'ADAPTER_FAILED', message, options);
  }
}

/** The platform asked us to slow down; retry after `retryAfterMs`. */
export class RateLimitedError extends AdapterError {
  /**
   * True when nothing was sent: our own outbound policy held the call (a full window, or a pause a 429 asked for
   * earlier). False when the platform itself answered 429 to this call.
   */
  readonly held: boolean;
  constructor(
    platform: Platform,
    readonly retryAfterMs: number,
    options?: { cause?: unknown; held?: boolean },
  ) {
    super(platform, `${platform} rate limit: retry after ${retryAfterMs} ms`, {
      ...(options?.cause !== undefined ? { cause: options.cause } : {}),
      code: 'RATE_LIMITED',
    });
    this.held = options?.held ?? false;
  }
}

/** Why a recipient cannot be reached: blocked or removed, never seen, or stored under a key we no longer hold. */
export type UnreachableReason = 'blocked' | 'unknown' | 'unreadable' | 'no-adapter';

/** The recipient cannot be reached; final, never retried. */
export class RecipientUnreachableError extends AdapterError {
  readonly reason: UnreachableReason;
  constructor(platform: Platform, options?: { cause?: unknown; reason?: UnreachableReason }) {
    const reason = options?.reason ?? 'blocked';
    super(platform, `${platform} recipient unreachable (${reason})`, { ...options, code: 'RECIPIENT_UNREACHABLE' });
    this.reason = reason;
  }
}

/** Wrap anything thrown into a BotError without copying its message (it may hold user data). */
export function toBotError(error: unknown): BotError {
  if (error instanceof BotError) return error;
  const name = error instanceof Error ? error.name : typeof error;
  return new BotError('UNKNOWN', `Unexpected ${name}`, { cause: error });
}

/** The stack without its first line: that line repeats the message, which may echo user text. */
export function stackFrames(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
}

/**
 * What a log line may say about an error: its class, code and stack frames, and the same for its causes.
 * Foreign messages are left out (they may echo what a person typed); our own BotError messages are kept,
 * since they never hold user text or secrets. Used as pino's `err` serializer.
 */
export function safeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const out: Record<string, unknown> = { type: error.name };
  if (error instanceof BotError) out.message = error.message;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  const frames = stackFrames(error);
  if (frames) out.frames = frames;
  if (error.cause !== undefined && depth < 3) out.cause = safeError(error.cause, depth + 1);
  return out;
}
