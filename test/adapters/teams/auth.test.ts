/**
 * Authentication over HTTP: with an app id every request's token is checked (tokens signed here with a local RSA
 * key; the Bot Framework's OpenID metadata and key set served by nock at their real address, or by a loopback
 * stand-in the test can make hang). Bad tokens are 401, keys that cannot be had are 503 with Retry-After, never a
 * 500 or a hang, and shutdown is not held up by a hanging metadata host. Replies carry the bot's own token.
 */
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activities, startConnector, startTeams } from './support/harness.js';
import { APP_ID, ISSUER, makeKey, signToken, startOpenIdHost, type TestKey } from './support/openid.js';

let teamsKey: TestKey;
let webchatKey: TestKey;
let stranger: TestKey;

type Teams = Awaited<ReturnType<typeof startTeams>>;
let teams: Teams | undefined;
let connector: Awaited<ReturnType<typeof startConnector>>;

function serveMetadata(): void {
  nock('https://login.botframework.com')
    .persist()
    .get('/v1/.well-known/openidconfiguration')
    .reply(200, {
      issuer: ISSUER,
      jwks_uri: 'https://login.botframework.com/v1/.well-known/keys',
      id_token_signing_alg_values_supported: ['RS256'],
    })
    .get('/v1/.well-known/keys')
    .reply(200, { keys: [teamsKey.jwk, webchatKey.jwk] });
}

const startAuthenticated = (tuning: Record<string, unknown> = {}, config: Record<string, unknown> = {}) =>
  startTeams({
    config: { appId: APP_ID, appPassword: 'test-secret-not-real', ...config },
    deps: { localMode: false, tuning },
    script: async (_event, io) => void (await io.send({ text: 'Hallo', blocks: [{ type: 'text', text: 'Hallo' }] })),
  });

beforeAll(async () => {
  teamsKey = await makeKey('key-teams');
  webchatKey = await makeKey('key-webchat', ['webchat']);
  stranger = await makeKey('key-teams');
});

beforeEach(async () => {
  connector = await startConnector();
});

afterEach(async () => {
  await teams?.close();
  teams = undefined;
  await connector.close();
});

const send = (auth?: string) =>
  teams!.post(activities.personal(connector.url, 'checkin'), auth ? { authorization: `Bearer ${auth}` } : {});

describe('inbound token validation with an app id', () => {
  beforeEach(async () => {
    serveMetadata();
    teams = await startAuthenticated();
  });

  it('a valid token is accepted, the core runs, and the reply carries the bot token', async () => {
    const tokenScope = nock('https://login.microsoftonline.com')
      .post('/botframework.com/oauth2/v2.0/token')
      .query(true)
      .reply(200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: 'bot-token-1' });
    const res = await send(await signToken(teamsKey, connector.url));
    expect(res.status).toBe(200);
    expect(teams!.events).toHaveLength(1);
    const [reply] = await connector.waitFor(1);
    expect(reply!.headers.authorization).toBe('Bearer bot-token-1');
    tokenScope.done();
  });

  const refused: [string, () => Promise<string | undefined>, RegExp][] = [
    ['no Authorization header', async () => undefined, /no token/],
    ['a token that is not a JWT', async () => 'not-a-jwt', /not a bearer JWT/],
    [
      'wrong audience',
      () => signToken(teamsKey, connector.url, { aud: '00000000-0000-4000-8000-00000000ffff' }),
      /audience/,
    ],
    ['wrong issuer', () => signToken(teamsKey, connector.url, { iss: 'https://evil.example.org' }), /issuer/],
    ['expired beyond the 5 minute skew', () => signToken(teamsKey, connector.url, {}, { expiresIn: -600 }), /expired/],
    [
      'bad signature (another key, same key id)',
      () => signToken(teamsKey, connector.url, {}, { signWith: stranger.privateKey }),
      /signature/,
    ],
    [
      'serviceUrl claim does not match the activity',
      () => signToken(teamsKey, 'https://smba.trafficmanager.net/emea/'),
      /serviceUrl/,
    ],
    ['a key not endorsed for msteams', () => signToken(webchatKey, connector.url), /endorsed/],
  ];
  for (const [name, make, reason] of refused) {
    it(`${name} → 401 with the reason, and no handler runs`, async () => {
      const res = await send(await make());
      expect(res.status).toBe(401);
      expect(res.json.error).toMatch(reason);
      expect(teams!.events).toHaveLength(0);
      expect(connector.calls).toHaveLength(0);
    });
  }

  it('a valid token from a tenant outside the allow-list → 403', async () => {
    await teams!.close();
    teams = await startAuthenticated({}, { allowedTenants: ['someone-else'] });
    const res = await send(await signToken(teamsKey, connector.url));
    expect(res.status).toBe(403);
    expect(teams.events).toHaveLength(0);
  });
});

describe('when the OpenID metadata host fails', () => {
  it('hanging: 503 with Retry-After at the deadline; later, once it answers, a request succeeds', async () => {
    const host = await startOpenIdHost([teamsKey]);
    try {
      host.state.mode = 'hang';
      teams = await startAuthenticated({ openIdMetadataUrl: host.metadataUrl, openIdTimeoutMs: 300, openIdRetryMs: 0 });
      const token = await signToken(teamsKey, connector.url);
      const started = performance.now();
      const first = await send(token);
      expect(first.status).toBe(503);
      expect(first.json.error).toBe('authentication unavailable');
      expect(performance.now() - started).toBeLessThan(3_000);
      const raw = await fetch(`${teams.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(activities.personal(connector.url, 'checkin')),
      });
      expect(raw.status).toBe(503);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(teams.events).toHaveLength(0);
      host.state.mode = 'serve';
      expect((await send(token)).status).toBe(200);
      expect(teams.events).toHaveLength(1);
    } finally {
      await host.close();
    }
  });

  it('a forged token is a 401 even while the host hangs (no key is needed to see it is wrong)', async () => {
    const host = await startOpenIdHost([teamsKey]);
    try {
      host.state.mode = 'hang';
      teams = await startAuthenticated({ openIdMetadataUrl: host.metadataUrl });
      const started = performance.now();
      expect((await send('eyJhbGciOiJSUzI1NiJ9.eyJmb28iOjF9.c2ln')).status).toBe(401);
      expect((await send(await signToken(teamsKey, connector.url, { aud: 'other' }))).status).toBe(401);
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await host.close();
    }
  });

  it('shutdown while a request waits for a hanging host finishes at once; the request gets 503', async () => {
    const host = await startOpenIdHost([teamsKey]);
    try {
      host.state.mode = 'hang';
      teams = await startAuthenticated({ openIdMetadataUrl: host.metadataUrl });
      const waiting = send(await signToken(teamsKey, connector.url));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = performance.now();
      await teams.adapter.stop();
      expect(performance.now() - started).toBeLessThan(1_000);
      expect((await waiting).status).toBe(503);
    } finally {
      await host.close();
    }
  });
});

describe('local mode', () => {
  it('without an app id any caller is accepted — which is why only local mode may run like that', async () => {
    teams = await startTeams();
    const res = await send('not-a-jwt');
    expect(res.status).toBe(200);
    expect(teams.events).toHaveLength(1);
  });
});
