/**
 * T2: with an app id, botbuilder checks every token. Tokens are signed here with a local RSA key; the Bot Framework
 * OpenID metadata and key set are served by nock (no network), with the key endorsed for msteams as Teams does.
 */
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activities, startConnector, startTeams } from './support/harness.js';

const APP_ID = '00000000-0000-4000-8000-000000000001';
const KID = 'test-key-1';
const ISSUER = 'https://api.botframework.com';
let signingKey: CryptoKey;
let strangerKey: CryptoKey;
let jwk: JWK;

type Teams = Awaited<ReturnType<typeof startTeams>>;
let teams: Teams;
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
    .reply(200, { keys: [{ ...jwk, kid: KID, use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] });
}

async function token(
  claims: Record<string, unknown> = {},
  options: { key?: CryptoKey; expiresIn?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { iss = ISSUER, aud = APP_ID, ...rest } = claims;
  return new SignJWT({ serviceurl: connector.url, ...rest })
    .setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT' })
    .setIssuer(String(iss))
    .setAudience(String(aud))
    .setIssuedAt(now - 60)
    .setNotBefore(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(options.key ?? signingKey);
}

beforeAll(async () => {
  ({ privateKey: signingKey } = await generateKeyPair('RS256', { extractable: true }).then((k) => ({
    privateKey: k.privateKey as CryptoKey,
    publicKey: k.publicKey,
  })));
  const pair = await generateKeyPair('RS256', { extractable: true });
  strangerKey = pair.privateKey as CryptoKey;
  // The public half of the signing key goes into the served key set.
  const signingPair = await generateKeyPair('RS256', { extractable: true });
  signingKey = signingPair.privateKey as CryptoKey;
  jwk = await exportJWK(signingPair.publicKey);
});

beforeEach(async () => {
  serveMetadata();
  connector = await startConnector();
  teams = await startTeams({
    config: { appId: APP_ID, appPassword: 'test-secret-not-real' },
    deps: { localMode: false },
  });
});

afterEach(async () => {
  await teams.close();
  await connector.close();
});

afterAll(() => nock.cleanAll());

const send = async (auth?: string) =>
  teams.post(activities.personal(connector.url, 'checkin'), auth ? { authorization: `Bearer ${auth}` } : {});

describe('inbound token validation with an app id', () => {
  it('a valid token from the Bot Framework is accepted and the core runs', async () => {
    const res = await send(await token());
    expect(res.status).toBe(200);
    expect(teams.events).toHaveLength(1);
  });

  const refused: [string, () => Promise<string | undefined>][] = [
    ['no Authorization header', async () => undefined],
    ['a token that is not a JWT', async () => 'not-a-jwt'],
    ['wrong audience', () => token({ aud: '00000000-0000-4000-8000-00000000ffff' })],
    ['wrong issuer', () => token({ iss: 'https://evil.example.org' })],
    ['expired beyond the 5 minute skew', () => token({}, { expiresIn: -600 })],
    ['bad signature (another key, same key id)', () => token({}, { key: strangerKey })],
    [
      'serviceUrl claim does not match the activity',
      () => token({ serviceurl: 'https://smba.trafficmanager.net/emea/' }),
    ],
  ];
  for (const [name, make] of refused) {
    it(`${name} → 401/403 and no handler runs`, async () => {
      const res = await send(await make());
      expect([401, 403]).toContain(res.status);
      expect(teams.events).toHaveLength(0);
      expect(connector.calls).toHaveLength(0);
    });
  }

  it('a valid token from a tenant outside the allow-list → 403', async () => {
    await teams.close();
    teams = await startTeams({
      config: { appId: APP_ID, appPassword: 'x', allowedTenants: ['someone-else'] },
      deps: { localMode: false },
    });
    const res = await send(await token());
    expect(res.status).toBe(403);
    expect(teams.events).toHaveLength(0);
  });
});

describe('local mode', () => {
  it('without an app id any caller is accepted — which is why only local mode may run like that', async () => {
    await teams.close();
    teams = await startTeams();
    const res = await send('not-a-jwt');
    expect(res.status).toBe(200);
    expect(teams.events).toHaveLength(1);
  });
});
