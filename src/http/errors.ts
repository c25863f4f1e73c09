import { BotError } from '../errors.js';

/** Extra response headers an HttpError carries (e.g. `Allow`, `Retry-After`, `Connection: close`). */
export type HttpHeaders = Readonly<Record<string, string>>;

/**
 * The one HTTP error: any route handler may throw it, and the server answers `status` with `{ "error": reason }`
 * and `headers`. The reason is a short code for machines; it never echoes what the client sent.
 */
export class HttpError extends BotError {
  readonly headers: HttpHeaders;

  constructor(
    readonly status: number,
    readonly reason: string,
    options: { headers?: HttpHeaders; cause?: unknown } = {},
  ) {
    super('BAD_REQUEST', `HTTP ${status} ${reason}`, { cause: options.cause });
    this.headers = options.headers ?? {};
  }
}

/** The answer to a body over the route's limit: the rest of it is not read, so the connection is closed. */
export function payloadTooLarge(): HttpError {
  return new HttpError(413, 'payload_too_large', { headers: { Connection: 'close' } });
}

/** What a log line may say about any error: its code and class, never its message (it may echo user input). */
export function errorFacts(error: unknown): { code?: string; errName: string } {
  const errName = error instanceof Error ? error.constructor.name || error.name : typeof error;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? { code: String(code), errName } : { errName };
}
