/**
 * The Bot Framework's signing keys: the OpenID metadata names a key set (jwks_uri), whose RSA keys carry the
 * channels they are endorsed for. One shared fetch of both, cached: the Bot Framework lets keys be cached for days,
 * so they are refreshed at least daily (in the background, the old keys keep serving), and again when a token
 * names a key we do not know — at most once a minute, so forged key ids cannot make us hammer the host. Every
 * fetch has one deadline (about 5 s for metadata and keys together); when there are no keys, callers get
 * KeysUnavailableError (503 with Retry-After), never a hang. close() cuts a fetch in flight off (shutdown).
 */
import { importJWK, type JWK } from 'jose';
import type { Logger } from '../../src/core/index.js';
import type { HttpClient } from './http-client.js';

/** A public key that may sign tokens, and the channels it is endorsed for. */
export interface SigningKey {
  key: CryptoKey | Uint8Array;
  endorsements: readonly string[];
}

/** The keys are not available (never fetched, host down or too slow); try again after `retryAfterS`. */
export class KeysUnavailableError extends Error {
  override readonly name = 'KeysUnavailableError';
  constructor(readonly retryAfterS: number) {
    super('Bot Framework signing keys unavailable');
  }
}

export interface OpenIdKeyOptions {
  metadataUrl: string;
  /** Deadline for one refresh (metadata and key set together). */
  timeoutMs: number;
  /** Keys older than this are refreshed in the background. */
  refreshMs: number;
  /** Keys older than this are not used any more (a refresh that keeps failing ends in 503). */
  maxAgeMs: number;
  /** An unknown key id triggers a refresh at most this often. */
  minRefreshIntervalMs: number;
  /** After a failed fetch without usable keys, requests get 503 for this long before the next try. */
  retryMs: number;
}

/** The signing keys, fetched and refreshed as described above. */
export interface OpenIdKeys {
  /** The key with this id, or undefined when it is unknown even after a refresh. Throws KeysUnavailableError. */
  get(kid: string): Promise<SigningKey | undefined>;
  /** Start fetching now (in the background), so the first request need not wait. */
  prefetch(): void;
  /** Abort a fetch in flight and refuse further fetches. */
  close(): void;
}

type KeySet = Map<string, SigningKey>;

export function createOpenIdKeys(options: OpenIdKeyOptions, deps: { http: HttpClient; log: Logger }): OpenIdKeys {
  const log = deps.log;
  const aborter = new AbortController();
  let keys: KeySet | undefined;
  let fetchedAt = 0;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let failedUntil = 0;
  let pending: Promise<void> | undefined;

  async function getJson(url: string, deadline: number): Promise<unknown> {
    const response = await deps.http.request({
      method: 'GET',
      url,
      headers: { accept: 'application/json' },
      timeoutMs: Math.max(1, deadline - Date.now()),
      signal: aborter.signal,
    });
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    return JSON.parse(response.body);
  }

  async function load(): Promise<KeySet> {
    const deadline = Date.now() + options.timeoutMs;
    const metadata = (await getJson(options.metadataUrl, deadline)) as { jwks_uri?: unknown };
    const jwksUri = metadata?.jwks_uri;
    if (typeof jwksUri !== 'string') throw new Error('metadata without jwks_uri');
    // The key set must come over https, unless the metadata itself was configured on plain http (tests only).
    const protocol = new URL(jwksUri).protocol;
    if (protocol !== 'https:' && protocol !== new URL(options.metadataUrl).protocol)
      throw new Error('jwks_uri not https');
    const set = (await getJson(jwksUri, deadline)) as { keys?: unknown };
    if (!Array.isArray(set?.keys)) throw new Error('key set without keys');
    const loaded: KeySet = new Map();
    for (const jwk of set.keys as (JWK & { endorsements?: unknown })[]) {
      if (jwk?.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
      try {
        const { endorsements, ...publicJwk } = jwk;
        const key = await importJWK({ ...publicJwk, alg: 'RS256' }, 'RS256');
        const channels = Array.isArray(endorsements) ? endorsements.filter((e) => typeof e === 'string') : [];
        loaded.set(jwk.kid, { key, endorsements: channels });
      } catch {
        // A key we cannot use is skipped; a token signed with it is refused as unknown.
      }
    }
    if (loaded.size === 0) throw new Error('no usable keys');
    return loaded;
  }

  function refresh(): Promise<void> {
    if (aborter.signal.aborted) return Promise.resolve();
    pending ??= (async () => {
      lastAttempt = Date.now();
      try {
        keys = await load();
        fetchedAt = Date.now();
        failedUntil = 0;
        log.info({ keys: keys.size }, 'bot framework signing keys loaded');
      } catch (error) {
        failedUntil = Date.now() + options.retryMs;
        const errName = error instanceof Error ? error.name : typeof error;
        if (!aborter.signal.aborted) log.warn({ errName }, 'bot framework signing keys could not be fetched');
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  }

  const usable = () => keys !== undefined && Date.now() - fetchedAt < options.maxAgeMs;
  const unavailable = () => new KeysUnavailableError(Math.max(1, Math.ceil((failedUntil - Date.now()) / 1000)));

  return {
    async get(kid) {
      if (aborter.signal.aborted) throw new KeysUnavailableError(Math.ceil(options.retryMs / 1000) || 1);
      if (!usable()) {
        if (Date.now() < failedUntil && !pending) throw unavailable();
        await refresh();
        if (!usable()) throw unavailable();
      } else if (Date.now() - fetchedAt >= options.refreshMs && Date.now() >= failedUntil) {
        void refresh(); // the current keys keep serving meanwhile
      }
      const known = keys?.get(kid);
      if (known) return known;
      // An unknown key id: perhaps the keys rolled over. Look again, but not more than once a minute.
      if (Date.now() - lastAttempt < options.minRefreshIntervalMs && !pending) return undefined;
      await refresh();
      if (!usable()) throw unavailable();
      if (Date.now() < failedUntil) throw unavailable();
      return keys?.get(kid);
    },
    prefetch() {
      if (!keys) void refresh();
    },
    close() {
      aborter.abort();
    },
  };
}
