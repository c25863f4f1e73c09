/**
 * Inbound tokens from the Bot Framework, checked with jose: a Bearer JWT signed RS256 by a key from the Bot
 * Framework's key set that is endorsed for the activity's channel, issued by https://api.botframework.com for our
 * app id, not expired (5 minutes of clock skew allowed), and naming the activity's serviceUrl. Every failure is a
 * 401 with a short reason; only keys we cannot get are a 503 with Retry-After. The claims that need no key are
 * checked first, so a malformed, expired or misaddressed token is a 401 even while the key host is down.
 */
import { decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { KeysUnavailableError, type OpenIdKeys } from './openid-keys.js';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** Clock skew allowed on exp and nbf, in seconds. */
export const CLOCK_SKEW_S = 300;

/** The outcome of a check; a failure says which status to answer with and a short reason (never the token). */
export type TokenCheck =
  | { ok: true; claims: JWTPayload }
  | { ok: false; status: 401; reason: string }
  | { ok: false; status: 503; reason: string; retryAfterS: number };

/** Checks the Authorization header of one activity. */
export interface TokenValidator {
  check(authorization: string | undefined, activity: { serviceUrl: string; channelId: string }): Promise<TokenCheck>;
}

const refuse = (reason: string): TokenCheck => ({ ok: false, status: 401, reason });

/** The claims that can be checked without a key; the reason of the first that fails. */
function claimProblem(claims: JWTPayload, appId: string, serviceUrl: string, nowS: number): string | undefined {
  if (claims.iss !== BOT_FRAMEWORK_ISSUER) return 'wrong issuer';
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(appId)) return 'wrong audience';
  if (typeof claims.exp !== 'number') return 'no expiry';
  if (claims.exp + CLOCK_SKEW_S < nowS) return 'expired';
  if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_S > nowS) return 'not yet valid';
  // The Bot Framework names the claim `serviceurl`; it must be the serviceUrl the activity asks us to answer at.
  const claimed = (claims as { serviceurl?: unknown; serviceUrl?: unknown }).serviceurl ?? claims.serviceUrl;
  if (claimed !== serviceUrl) return 'serviceUrl does not match';
  return undefined;
}

/** A validator for tokens addressed to `appId`, with keys from `keys`. */
export function createTokenValidator(appId: string, keys: OpenIdKeys): TokenValidator {
  return {
    async check(authorization, activity) {
      const token = /^Bearer\s+([\w-]+\.[\w-]+\.[\w-]+)\s*$/i.exec(authorization ?? '')?.[1];
      if (!token) return refuse(authorization ? 'not a bearer JWT' : 'no token');
      let kid: unknown;
      let claims: JWTPayload;
      try {
        const header = decodeProtectedHeader(token);
        if (header.alg !== 'RS256') return refuse('wrong algorithm');
        kid = header.kid;
        claims = decodeJwt(token);
      } catch {
        return refuse('malformed token');
      }
      if (typeof kid !== 'string' || kid.length === 0) return refuse('no key id');
      const problem = claimProblem(claims, appId, activity.serviceUrl, Math.floor(Date.now() / 1000));
      if (problem) return refuse(problem);
      let key: Awaited<ReturnType<OpenIdKeys['get']>>;
      try {
        key = await keys.get(kid);
      } catch (error) {
        if (error instanceof KeysUnavailableError)
          return { ok: false, status: 503, reason: 'signing keys unavailable', retryAfterS: error.retryAfterS };
        throw error;
      }
      if (!key) return refuse('unknown signing key');
      if (!key.endorsements.includes(activity.channelId)) return refuse('key not endorsed for this channel');
      try {
        const verified = await jwtVerify(token, key.key, {
          issuer: BOT_FRAMEWORK_ISSUER,
          audience: appId,
          algorithms: ['RS256'],
          clockTolerance: CLOCK_SKEW_S,
          requiredClaims: ['exp'],
        });
        return { ok: true, claims: verified.payload };
      } catch {
        return refuse('bad signature or claims');
      }
    },
  };
}
