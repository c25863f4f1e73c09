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

/**
 * Check a request against Slack's v0 signing scheme: HMAC-SHA256 over `v0:{timestamp}:{raw body}`, compared in
 * constant time, and |now − timestamp| ≤ 300 s (Bolt only refuses old timestamps; Slack's reference check refuses
 * both ways). https://api.slack.com/authentication/verifying-requests-from-slack
 */
export function verifySlackRequest(
  signingSecret: string,
  headers: { signature?: string | string[]; timestamp?: string | string[] },
  rawBody: Buffer,
  nowMs: number,
): VerifyFailure | undefined {
  const signature = single(headers.signature);
  const timestamp = single(headers.timestamp);
  if (!signature) return 'missing_signature';
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return 'missing_timestamp';
  const skew = Math.floor(nowMs / 1000) - Number(timestamp);
  if (skew > MAX_CLOCK_SKEW_S) return 'stale_timestamp';
  if (skew < -MAX_CLOCK_SKEW_S) return 'future_timestamp';
  const expected = Buffer.from(signSlackBody(signingSecret, timestamp, rawBody), 'latin1');
  const given = Buffer.from(signature, 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
  return undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
