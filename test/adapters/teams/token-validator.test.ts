/**
 * Inbound token validation with jose against a loopback OpenID host: every bad token is a 401 with a reason;
 * keys that cannot be had (host hanging or refusing) are a 503 with Retry-After within the 5 s deadline (fake
 * timers), and a later request succeeds once the host answers again. Keys are cached, refreshed daily and on an
 * unknown key id at most once a minute.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { createHttpClient, type HttpClient } from '../../../adapters/teams/http-client.js';
import { createOpenIdKeys, type OpenIdKeys } from '../../../adapters/teams/openid-keys.js';
import { createTokenValidator, type TokenValidator } from '../../../adapters/teams/token-validator.js';
import { APP_ID, makeKey, refusingUrl, signToken, startOpenIdHost, type TestKey } from './support/openid.js';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const activity = { serviceUrl: SERVICE_URL, channelId: 'msteams' };
let teamsKey: TestKey;
let webchatKey: TestKey;
let stranger: TestKey;
let host: Awaited<ReturnType<typeof startOpenIdHost>>;
let http: HttpClient;
let keys: OpenIdKeys;
let validator: TokenValidator;

function validatorFor(metadataUrl: string): TokenValidator {
  keys = createOpenIdKeys(
    {
      metadataUrl,
      timeoutMs: 5_000,
      refreshMs: 24 * 3_600_000,
      maxAgeMs: 5 * 24 * 3_600_000,
      minRefreshIntervalMs: 60_000,
      retryMs: 10_000,
    },
    { http, log: silentLogger() },
  );
  return createTokenValidator(APP_ID, keys);
}
const bearer = (token: string) => `Bearer ${token}`;

beforeAll(async () => {
  teamsKey = await makeKey('key-teams');
  webchatKey = await makeKey('key-webchat', ['webchat']);
  stranger = await makeKey('key-teams');
});
beforeEach(async () => {
  host = await startOpenIdHost([teamsKey, webchatKey]);
  http = createHttpClient({ timeoutMs: 5_000 });
  validator = validatorFor(host.metadataUrl);
});
afterEach(async () => {
  vi.useRealTimers();
  keys.close();
  http.close();
  await host.close();
});
afterAll(() => vi.useRealTimers());

describe('tokens', () => {
  it('a token signed by an endorsed key, for our app, at our serviceUrl, is accepted', async () => {
    const check = await validator.check(bearer(await signToken(teamsKey, SERVICE_URL)), activity);
    expect(check).toMatchObject({ ok: true, claims: { aud: APP_ID, serviceurl: SERVICE_URL } });
  });

  const refused: [string, () => Promise<string | undefined>, RegExp][] = [
    ['no Authorization header', async () => undefined, /no token/],
    ['not a bearer JWT', async () => 'Basic abc', /not a bearer/],
    ['garbage in JWT form', async () => bearer('a.b.c'), /malformed/],
    [
      'expired beyond the 5 minute skew',
      async () => bearer(await signToken(teamsKey, SERVICE_URL, {}, { expiresIn: -400 })),
      /expired/,
    ],
    [
      'wrong issuer',
      async () => bearer(await signToken(teamsKey, SERVICE_URL, { iss: 'https://sts.example.org/' })),
      /issuer/,
    ],
    ['wrong audience', async () => bearer(await signToken(teamsKey, SERVICE_URL, { aud: 'someone-else' })), /audience/],
    [
      'wrong key (same key id)',
      async () => bearer(await signToken(teamsKey, SERVICE_URL, {}, { signWith: stranger.privateKey })),
      /signature/,
    ],
    ['serviceUrl claim differs', async () => bearer(await signToken(teamsKey, 'https://evil.example/')), /serviceUrl/],
    ['key not endorsed for msteams', async () => bearer(await signToken(webchatKey, SERVICE_URL)), /endorsed/],
    ['unknown key id', async () => bearer(await signToken(teamsKey, SERVICE_URL, {}, { kid: 'nobody' })), /unknown/],
  ];
  for (const [name, make, reason] of refused) {
    it(`${name} → 401`, async () => {
      const check = await validator.check(await make(), activity);
      expect(check.ok).toBe(false);
      expect(check).toMatchObject({ status: 401 });
      expect(check.ok ? '' : check.reason).toMatch(reason);
    });
  }

  it('expired within the skew is still accepted', async () => {
    const check = await validator.check(
      bearer(await signToken(teamsKey, SERVICE_URL, {}, { expiresIn: -200 })),
      activity,
    );
    expect(check.ok).toBe(true);
  });

  it('an HS256 token (the alg-confusion trick) is refused before any key is looked up', async () => {
    const [, payload] = (await signToken(teamsKey, SERVICE_URL)).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'key-teams' })).toString('base64url');
    const check = await validator.check(bearer(`${header}.${payload}.c2ln`), activity);
    expect(check).toMatchObject({ ok: false, status: 401, reason: 'wrong algorithm' });
  });
});

describe('the key cache', () => {
  it('fetches once for many requests, and an unknown key id refreshes at most once a minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const good = bearer(await signToken(teamsKey, SERVICE_URL));
    await Promise.all(Array.from({ length: 10 }, () => validator.check(good, activity)));
    expect(host.state.metadataHits).toBe(1);
    const unknown = bearer(await signToken(teamsKey, SERVICE_URL, {}, { kid: 'rolled-over' }));
    // The key set was fetched just now: an unknown key id does not fetch again within the minute.
    expect(await validator.check(unknown, activity)).toMatchObject({ status: 401 });
    expect(host.state.metadataHits).toBe(1);
    vi.advanceTimersByTime(61_000);
    expect(await validator.check(unknown, activity)).toMatchObject({ status: 401 });
    expect(await validator.check(unknown, activity)).toMatchObject({ status: 401 });
    expect(host.state.metadataHits).toBe(2);
  });

  it('a key that appears in a later key set is found after the refresh', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    expect((await validator.check(bearer(await signToken(teamsKey, SERVICE_URL)), activity)).ok).toBe(true);
    const next = await makeKey('key-next');
    host.state.keys = [teamsKey, next];
    vi.advanceTimersByTime(61_000);
    expect((await validator.check(bearer(await signToken(next, SERVICE_URL)), activity)).ok).toBe(true);
  });

  it('keys older than a day are refreshed in the background while the old ones keep serving', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    expect((await validator.check(bearer(await signToken(teamsKey, SERVICE_URL)), activity)).ok).toBe(true);
    vi.advanceTimersByTime(25 * 3_600_000);
    host.state.mode = 'hang';
    expect((await validator.check(bearer(await signToken(teamsKey, SERVICE_URL)), activity)).ok).toBe(true);
    await vi.waitFor(() => expect(host.state.metadataHits).toBe(2));
  });
});

describe('when the keys cannot be had', () => {
  it('a hanging metadata host: 503 with Retry-After at the 5 s deadline, not before', async () => {
    host.state.mode = 'hang';
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const token = bearer(await signToken(teamsKey, SERVICE_URL));
    let outcome: Awaited<ReturnType<TokenValidator['check']>> | undefined;
    const t0 = Date.now();
    const checking = validator.check(token, activity).then((c) => (outcome = c));
    await vi.waitFor(() => expect(host.state.metadataHits).toBe(1));
    // vi.waitFor moves the fake clock too: count from the start of the check.
    await vi.advanceTimersByTimeAsync(4_900 - (Date.now() - t0));
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    await checking;
    expect(outcome).toMatchObject({ ok: false, status: 503 });
    expect(outcome?.ok === false && outcome.status === 503 && outcome.retryAfterS).toBeGreaterThan(0);
    // While the host is down a malformed or misaddressed token is still a plain 401 (no key needed for that).
    expect(await validator.check(bearer('a.b.c'), activity)).toMatchObject({ status: 401 });
    expect(await validator.check(bearer(await signToken(teamsKey, 'https://evil.example/')), activity)).toMatchObject({
      status: 401,
    });
    // A later request, once the host answers again (and the retry pause is over), succeeds.
    host.state.mode = 'serve';
    expect(await validator.check(token, activity)).toMatchObject({ status: 503 });
    vi.advanceTimersByTime(10_000);
    expect((await validator.check(token, activity)).ok).toBe(true);
  });

  it('a host that refuses connections: 503 at once, and recovery once it is back', async () => {
    keys.close();
    validator = validatorFor(await refusingUrl());
    const token = bearer(await signToken(teamsKey, SERVICE_URL));
    const started = performance.now();
    expect(await validator.check(token, activity)).toMatchObject({ ok: false, status: 503 });
    expect(performance.now() - started).toBeLessThan(5_000);
    keys.close();
    validator = validatorFor(host.metadataUrl);
    expect((await validator.check(token, activity)).ok).toBe(true);
  });

  it('an error status or a key set without usable keys is unavailable too', async () => {
    host.state.mode = 'fail';
    const token = bearer(await signToken(teamsKey, SERVICE_URL));
    expect(await validator.check(token, activity)).toMatchObject({ status: 503 });
    keys.close();
    host.state.mode = 'serve';
    host.state.keys = [];
    validator = validatorFor(host.metadataUrl);
    expect(await validator.check(token, activity)).toMatchObject({ status: 503 });
  });

  it('close() cuts a hanging fetch off: the waiting check is answered at once', async () => {
    host.state.mode = 'hang';
    const token = bearer(await signToken(teamsKey, SERVICE_URL));
    const checking = validator.check(token, activity);
    await vi.waitFor(() => expect(host.state.metadataHits).toBe(1));
    const started = performance.now();
    keys.close();
    expect(await checking).toMatchObject({ ok: false, status: 503 });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
