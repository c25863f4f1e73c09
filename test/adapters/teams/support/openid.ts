/**
 * A Bot Framework OpenID stand-in on loopback (metadata and key set, with endorsements), whose behaviour a test
 * switches: serve, hang (accept and never answer), or fail; plus tokens signed with locally generated RSA keys.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export const ISSUER = 'https://api.botframework.com';
export const APP_ID = '00000000-0000-4000-8000-000000000001';

/** A signing key pair and its public JWK as the key set lists it. */
export interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK & { endorsements?: string[] };
}

export async function makeKey(kid: string, endorsements: string[] | undefined = ['msteams']): Promise<TestKey> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  return {
    kid,
    privateKey: pair.privateKey as CryptoKey,
    jwk: { ...jwk, kid, use: 'sig', alg: 'RS256', ...(endorsements ? { endorsements } : {}) },
  };
}

/** A signed token as the Bot Framework issues it; `claims` overrides or adds, `expiresIn` in seconds. */
export function signToken(
  key: TestKey,
  serviceUrl: string,
  claims: Record<string, unknown> = {},
  options: { expiresIn?: number; kid?: string; signWith?: CryptoKey } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const { iss = ISSUER, aud = APP_ID, ...rest } = claims;
  return new SignJWT({ serviceurl: serviceUrl, ...rest })
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(String(iss))
    .setAudience(String(aud))
    .setIssuedAt(now - 60)
    .setNotBefore(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(options.signWith ?? key.privateKey);
}

export type OpenIdMode = 'serve' | 'hang' | 'fail';

/** The metadata host; `keys` is what the key set lists, `mode` what the host does now. */
export async function startOpenIdHost(keys: TestKey[]) {
  const state = { mode: 'serve' as OpenIdMode, keys, metadataHits: 0, keyHits: 0 };
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === '/v1/.well-known/openidconfiguration') state.metadataHits += 1;
    if (req.url === '/v1/.well-known/keys') state.keyHits += 1;
    if (state.mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (state.mode === 'fail') return void res.writeHead(500).end();
    const body =
      req.url === '/v1/.well-known/openidconfiguration'
        ? { issuer: ISSUER, jwks_uri: `${base}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] }
        : { keys: state.keys.map((k) => k.jwk) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    state,
    metadataUrl: `http://127.0.0.1:${port}/v1/.well-known/openidconfiguration`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback URL nobody listens on: connections are refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1/.well-known/openidconfiguration`;
}
