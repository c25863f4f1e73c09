/**
 * The bot's own token: obtained from Entra ID with the app's credentials (the token endpoint is nock), cached
 * until five minutes before it expires, fetched once for any number of concurrent callers, and sent as the
 * Authorization header of connector calls — none at all in local mode without an app id.
 */
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdapterError, type TeamsConfig } from '../../../src/core/index.js';
import { cachedTokenSource, createBotTokenSource } from '../../../adapters/teams/bot-token.js';
import { createConnectorClient } from '../../../adapters/teams/connector.js';
import { createHttpClient, type HttpClient } from '../../../adapters/teams/http-client.js';
import { startConnector } from './support/harness.js';

const APP_ID = '00000000-0000-4000-8000-000000000001';
const LOGIN = 'https://login.microsoftonline.com';
const config = (extra: Partial<TeamsConfig> = {}): TeamsConfig => ({
  appId: APP_ID,
  appPassword: 'test-secret-not-real',
  appType: 'MultiTenant',
  allowedTenants: [],
  tenantRps: 30,
  ...extra,
});
const tokenAnswer = (token: string, expiresIn = 3600) => ({
  token_type: 'Bearer',
  expires_in: expiresIn,
  ext_expires_in: expiresIn,
  access_token: token,
});

let http: HttpClient | undefined;
const client = () => {
  http = createHttpClient({ timeoutMs: 5000 });
  return http;
};
afterEach(() => {
  http?.close();
  http = undefined;
  vi.useRealTimers();
});

describe('the bot token from Entra ID', () => {
  it('asks the Bot Framework tenant with the client credentials, for the Bot Framework scope', async () => {
    let form: URLSearchParams | undefined;
    const scope = nock(LOGIN)
      .post('/botframework.com/oauth2/v2.0/token', (body) => {
        form = new URLSearchParams(body as string);
        return true;
      })
      .query(true)
      .reply(200, tokenAnswer('tok-1'));
    const source = createBotTokenSource(config(), { http: client(), refreshMarginMs: 300_000 });
    expect(await source!.get()).toBe('tok-1');
    scope.done();
    expect(form?.get('grant_type')).toBe('client_credentials');
    expect(form?.get('client_id')).toBe(APP_ID);
    expect(form?.get('client_secret')).toBe('test-secret-not-real');
    expect(form?.get('scope')).toBe('https://api.botframework.com/.default');
  });

  it('a single-tenant app asks its own tenant', async () => {
    const scope = nock(LOGIN).post('/tenant-abc/oauth2/v2.0/token').query(true).reply(200, tokenAnswer('tok-single'));
    const source = createBotTokenSource(config({ appType: 'SingleTenant', appTenantId: 'tenant-abc' }), {
      http: client(),
      refreshMarginMs: 300_000,
    });
    expect(await source!.get()).toBe('tok-single');
    scope.done();
  });

  it('is cached, and concurrent callers share one request', async () => {
    const scope = nock(LOGIN)
      .post('/botframework.com/oauth2/v2.0/token')
      .query(true)
      .once()
      .reply(200, tokenAnswer('tok-1'));
    const source = createBotTokenSource(config(), { http: client(), refreshMarginMs: 300_000 })!;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.get()));
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(await source.get()).toBe('tok-1');
    scope.done();
  });

  it('a failing token endpoint is an AdapterError (ADAPTER_AUTH) and the next call tries again', async () => {
    nock(LOGIN)
      .post('/botframework.com/oauth2/v2.0/token')
      .query(true)
      .reply(401, { error: 'invalid_client' })
      .post('/botframework.com/oauth2/v2.0/token')
      .query(true)
      .reply(200, tokenAnswer('tok-2'));
    const source = createBotTokenSource(config(), { http: client(), refreshMarginMs: 300_000 })!;
    const error = await source.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('ADAPTER_AUTH');
    expect(await source.get()).toBe('tok-2');
  });

  it('without an app id there is no token source at all', () => {
    expect(
      createBotTokenSource(
        { appType: 'MultiTenant', allowedTenants: [], tenantRps: 30 },
        { http: client(), refreshMarginMs: 0 },
      ),
    ).toBeUndefined();
  });
});

describe('caching and renewal (fake clock)', () => {
  it('renews once, five minutes before expiry, for all callers; a failed renewal keeps the valid token', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    let n = 0;
    let fail = false;
    const acquire = vi.fn(async () => {
      if (fail) throw new Error('token endpoint down');
      n += 1;
      return { token: `tok-${n}`, expiresAt: Date.now() + 3_600_000 };
    });
    const source = cachedTokenSource(acquire, 300_000);
    expect(await source.get()).toBe('tok-1');
    vi.setSystemTime(new Date('2026-03-01T10:54:59Z'));
    expect(await source.get()).toBe('tok-1');
    expect(acquire).toHaveBeenCalledTimes(1);
    vi.setSystemTime(new Date('2026-03-01T10:55:01Z'));
    const renewed = await Promise.all([source.get(), source.get(), source.get()]);
    expect(renewed).toEqual(['tok-2', 'tok-2', 'tok-2']);
    expect(acquire).toHaveBeenCalledTimes(2);
    // Within the margin and the endpoint down: the old token is still valid, so it is used.
    vi.setSystemTime(new Date('2026-03-01T11:51:00Z'));
    fail = true;
    expect(await source.get()).toBe('tok-2');
    // Past its expiry it is not.
    vi.setSystemTime(new Date('2026-03-01T11:56:00Z'));
    await expect(source.get()).rejects.toBeInstanceOf(AdapterError);
  });

  it('a token the connector refused is not used again', async () => {
    let n = 0;
    const source = cachedTokenSource(async () => ({ token: `tok-${++n}`, expiresAt: Date.now() + 3_600_000 }), 0);
    expect(await source.get()).toBe('tok-1');
    source.invalidate('tok-0');
    expect(await source.get()).toBe('tok-1');
    source.invalidate('tok-1');
    expect(await source.get()).toBe('tok-2');
  });
});

describe('the Authorization header of connector calls', () => {
  it('carries the bot token with an app id, and is absent in local mode', async () => {
    const connector = await startConnector();
    const headers: (string | undefined)[] = [];
    try {
      nock(LOGIN).post('/botframework.com/oauth2/v2.0/token').query(true).once().reply(200, tokenAnswer('tok-abc'));
      const http = client();
      const token = createBotTokenSource(config(), { http, refreshMarginMs: 300_000 });
      const withToken = createConnectorClient({ http, token });
      const local = createConnectorClient({ http });
      await withToken.send(connector.url, 'a:1', { type: 'message', text: 'x' });
      await withToken.send(connector.url, 'a:1', { type: 'message', text: 'y' });
      await local.send(connector.url, 'a:1', { type: 'message', text: 'z' });
      for (const call of connector.calls) headers.push(call.headers.authorization);
      expect(headers).toEqual(['Bearer tok-abc', 'Bearer tok-abc', undefined]);
    } finally {
      await connector.close();
    }
  });
});
