import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses requests whose timestamp is more than five minutes off, in either direction. */
export const MAX_CLOCK_SKEW_S = 300;

/** Why a request was refused; never echoes header values. */
export type VerifyFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'bad_signature';

/** The v0 signature Slack sends in `X-Slack-Signature` for `body` at `timestampS`. */
export function signSlackBody(signingSecret: string, timestampS: number | string, body: string | Buffer): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestampS}:`);
  hmac.update(body);
  return `v0=${hmac.digest('hex')}`;
}

/** The signature headers, well-formed and within the clock window: all the body-free part of the check. */
export interface SlackSignatureHeaders {
  signature: string;
  timestamp: string;
}

/** A v0 signature is `v0=` and 64 lowercase hex digits; anything else cannot match. */
const SIGNATURE_FORMAT = /^v0=[0-9a-f]{64}$/;

/**
 * The part of Slack's check that needs no body: both headers present and well-formed, and |now − timestamp| ≤ 300 s
 * (Bolt only refuses old timestamps; Slack's reference check refuses both ways). Run it before reading the body,
 * so an unsigned or replayed request costs no body read.
 */
export function checkSlackHeaders(
  headers: { signature?: string | string[]; timestamp?: string | string[] },
  nowMs: number,
): SlackSignatureHeaders | VerifyFailure {
  const signature = single(headers.signature);
  const timestamp = single(headers.timestamp);
  if (!signature) return 'missing_signature';
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'missing_timestamp';
  const skew = Math.floor(nowMs / 1000) - Number(timestamp);
  if (skew > MAX_CLOCK_SKEW_S) return 'stale_timestamp';
  if (skew < -MAX_CLOCK_SKEW_S) return 'future_timestamp';
  if (!SIGNATURE_FORMAT.test(signature)) return 'bad_signature';
  return { signature, timestamp };
}

/** The HMAC part: HMAC-SHA256 over `v0:{timestamp}:{raw body}`, compared in constant time. */
export function checkSlackSignature(
  signingSecret: string,
  headers: SlackSignatureHeaders,
  rawBody: Buffer,
): VerifyFailure | undefined {
  const expected = Buffer.from(signSlackBody(signingSecret, headers.timestamp, rawBody), 'latin1');
  const given = Buffer.from(headers.signature, 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
  return undefined;
}

/**
 * Check a request against Slack's v0 signing scheme: the headers (checkSlackHeaders), then the HMAC over exactly
 * the raw body. https://api.slack.com/authentication/verifying-requests-from-slack
 */
export function verifySlackRequest(
  signingSecret: string,
  headers: { signature?: string | string[]; timestamp?: string | string[] },
  rawBody: Buffer,
  nowMs: number,
): VerifyFailure | undefined {
  const checked = checkSlackHeaders(headers, nowMs);
  return typeof checked === 'string' ? checked : checkSlackSignature(signingSecret, checked, rawBody);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
