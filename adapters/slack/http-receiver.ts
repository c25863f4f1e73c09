import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody, type Logger, type RouteHandler } from '../../src/core/index.js';
import { errorCode } from './error-code.js';
import { interpret, type Work } from './inbound.js';
import { parseBody } from './parse.js';
import { checkSlackHeaders, checkSlackSignature, type SlackSignatureHeaders, type VerifyFailure } from './verify.js';
import { answersInView, type ViewAnswer } from './work.js';

/** Slack's unsigned reachability check (`ssl_check=1&token=…`) is tiny; nothing unsigned larger is ever read. */
const SSL_CHECK_MAX_BYTES = 256;

export interface EventsRouteDeps {
  signingSecret: string;
  log: Logger;
  now: () => number;
  /** The route's body limit (the same number it is registered with). */
  maxBodyBytes: number;
  /** True when too many turns run already: answer 503 so Slack delivers again later. */
  isBusy: () => boolean;
  /** Record the work once (the core's de-duplication) before the ack; keeps first deliveries. May reject. */
  /** Record the work once before the ack (`sentAt`: when Slack says it happened); the first deliveries come back. */
  admit: (work: Work[], sentAt?: number) => Promise<Work[]>;
  /**
   * Runs the work after the response has been sent; must not throw. For a form submission it runs first and resolves
   * with what the answer must say (`response_action`), which the receiver waits for (the adapter bounds the wait).
   */
  dispatch: (work: Work[], meta: { retryNum?: number }) => Promise<ViewAnswer | undefined> | undefined;
}

/**
 * POST /slack/events on the shared node:http server — Events API, interactivity and slash commands.
 * Checks the signature headers first (present, well-formed, timestamp within five minutes) without reading the
 * body, then reads the raw body (size-limited), checks the v0 HMAC over exactly those bytes, records the event once
 * (the core's de-duplication), acknowledges, and only then runs the work, so a slow turn can never make Slack wait or deliver again. A refusal is
 * deliberate and final, so it carries `X-Slack-No-Retry: 1`; nothing of the body is logged.
 */
export function createEventsRoute(deps: EventsRouteDeps): RouteHandler {
  return async (req, res) => {
    const receivedAt = deps.now();
    const signed = checkSlackHeaders(
      { signature: req.headers['x-slack-signature'], timestamp: req.headers['x-slack-request-timestamp'] },
      receivedAt,
    );
    if (typeof signed === 'string') return refuseUnsigned(deps, req, res, signed);
    let raw: Buffer;
    try {
      raw = await readBody(req, deps.maxBodyBytes);
    } catch (error) {
      const status = httpStatus(error);
      return refuse(res, status, status === 413 ? 'payload_too_large' : 'request_aborted');
    }
    try {
      await handle(deps, req, res, raw, signed, receivedAt);
    } catch (error) {
      // Never let a throw escape: it would take the process down (or, on the shared server, log its message).
      deps.log.error(
        { code: errorCode(error), errName: error instanceof Error ? error.name : typeof error },
        'slack request failed',
      );
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end('{"error":"internal"}');
      }
    }
  };
}

/**
 * Signature headers missing, ill-formed or outside the clock window: 401 without reading the body. The one
 * exception is Slack's unsigned ssl_check (no signature headers at all, a tiny form body): read and answered, as
 * Bolt does, running nothing.
 */
async function refuseUnsigned(
  deps: EventsRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  failure: VerifyFailure,
): Promise<void> {
  const declared = Number(req.headers['content-length']);
  if (
    failure === 'missing_signature' &&
    req.headers['x-slack-request-timestamp'] === undefined &&
    declared > 0 &&
    declared <= SSL_CHECK_MAX_BYTES
  ) {
    const raw = await readBody(req, SSL_CHECK_MAX_BYTES).catch(() => undefined);
    if (raw && isSslCheck(raw, req.headers['content-type'])) return ok(res);
    if (!raw) return refuse(res, 400, 'request_aborted');
  }
  deps.log.warn({ reason: failure }, 'slack request refused');
  refuse(res, 401, failure, true);
}

async function handle(
  deps: EventsRouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  signed: SlackSignatureHeaders,
  receivedAt: number,
): Promise<void> {
  const failure = checkSlackSignature(deps.signingSecret, signed, raw);
  if (failure) {
    // Slack's reachability check for slash commands: answer it, run nothing (as Bolt does).
    if (isSslCheck(raw, req.headers['content-type'])) {
      ok(res);
      return;
    }
    deps.log.warn({ reason: failure }, 'slack request refused');
    refuse(res, 401, failure);
    return;
  }
  const parsed = parseBody(raw, req.headers['content-type']);
  if (!parsed.ok) {
    refuse(res, parsed.status, parsed.reason);
    return;
  }
  const outcome = interpret(parsed.body, receivedAt);
  if (outcome.ack === 'invalid') {
    // Refused for good (X-Slack-No-Retry): a payload that does not fit will not fit on a redelivery either.
    deps.log.warn({ reason: outcome.reason, field: outcome.field }, 'slack payload refused');
    refuse(res, 400, outcome.reason, false, outcome.field);
    return;
  }
  if (outcome.ack === 'challenge') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ challenge: outcome.challenge }));
    return;
  }
  if (outcome.ignored) deps.log.debug({ payloadType: outcome.ignored }, 'slack payload type not handled');
  if (outcome.work.length > 0 && deps.isBusy()) {
    deps.log.warn('slack turns saturated; asking Slack to deliver again');
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
    res.end('{"error":"busy"}');
    return;
  }
  let fresh: Work[] = [];
  try {
    fresh = outcome.work.length > 0 ? await deps.admit(outcome.work, outcome.sentAt) : [];
  } catch (error) {
    // Not recorded, so not acknowledged: without X-Slack-No-Retry, Slack delivers it again.
    deps.log.warn({ code: errorCode(error) }, 'slack event not recorded; asking Slack to deliver again');
    res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' });
    res.end('{"error":"unavailable"}');
    return;
  }
  if (fresh.some(answersInView)) {
    // A form submission: Slack keeps the modal open with what the answer says (the reason under a field).
    const answer = await deps.dispatch(fresh, { retryNum: retryNum(req) });
    if (!answer) return ok(res);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer));
    return;
  }
  ok(res);
  if (fresh.length > 0) deps.dispatch(fresh, { retryNum: retryNum(req) });
}

function ok(res: ServerResponse): void {
  res.writeHead(200, { 'content-length': '0' });
  res.end();
}

function refuse(res: ServerResponse, status: number, reason: string, bodyUnread = false, field?: string): void {
  if (res.headersSent) return;
  // A body not read (to the end): close the connection rather than reuse it.
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-slack-no-retry': '1',
    ...(status === 413 || bodyUnread ? { connection: 'close' } : {}),
  });
  res.end(JSON.stringify(field ? { error: reason, field } : { error: reason }));
}

/** The status of readBody's HttpError (413 too large, 400 cut off). */
function httpStatus(error: unknown): number {
  return error instanceof HttpError && error.status === 413 ? 413 : 400;
}

function retryNum(req: IncomingMessage): number | undefined {
  const value = Number(req.headers['x-slack-retry-num']);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function isSslCheck(raw: Buffer, contentType: string | undefined): boolean {
  return (
    (contentType ?? '').startsWith('application/x-www-form-urlencoded') &&
    new URLSearchParams(raw.toString('utf8')).get('ssl_check') === '1'
  );
}
