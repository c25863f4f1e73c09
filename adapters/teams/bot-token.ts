/**
 * The bot's own token for the Bot Connector, obtained with the app's credentials through @azure/msal-node (as
 * botbuilder does) and cached until shortly before it expires. Concurrent callers share one refresh. msal's
 * network calls go through our HTTP client, so they have a deadline too, and msal is told the authority's
 * endpoints, so it makes exactly one call (the token request) instead of discovering them first.
 * Local mode without an app id has no token at all (createBotTokenSource returns undefined).
 */
import { AdapterError, type TeamsConfig } from '../../src/core/index.js';
import type { HttpClient } from './http-client.js';

/** Gives the current token, fetching a new one when needed. */
export interface BotTokenSource {
  get(): Promise<string>;
  /** Forget this token (the connector refused it): the next get() fetches a new one. */
  invalidate(token: string): void;
}

/** One fresh token and when it expires (epoch ms). */
export interface AcquiredToken {
  token: string;
  expiresAt: number;
}

export type TokenAcquirer = () => Promise<AcquiredToken>;

const LOGIN_HOST = 'https://login.microsoftonline.com';
/** The tenant that issues tokens for the Bot Framework channel service (multi-tenant bots). */
const BOT_FRAMEWORK_TENANT = 'botframework.com';
const BOT_FRAMEWORK_RESOURCE = 'https://api.botframework.com';

/** Cache and share tokens from `acquire`; a token is renewed `refreshMarginMs` before it expires. */
export function cachedTokenSource(acquire: TokenAcquirer, refreshMarginMs: number): BotTokenSource {
  let current: AcquiredToken | undefined;
  let pending: Promise<string> | undefined;

  const refresh = (): Promise<string> => {
    pending ??= acquire()
      .then((fresh) => {
        current = fresh;
        return fresh.token;
      })
      .catch((error: unknown) => {
        // A failed renewal while the old token is still valid keeps that token for now.
        if (current && Date.now() < current.expiresAt) return current.token;
        throw new AdapterError('teams', 'could not get a Bot Framework token', { cause: error, code: 'ADAPTER_AUTH' });
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  return {
    get() {
      if (current && Date.now() < current.expiresAt - refreshMarginMs) return Promise.resolve(current.token);
      return refresh();
    },
    invalidate(token) {
      if (current?.token === token) current = undefined;
    },
  };
}

type MsalNetworkResponse = { headers: Record<string, string>; body: unknown; status: number };

/** msal's network module on our HTTP client: every call gets the client's deadline. */
function msalNetwork(http: HttpClient) {
  const send = async (
    method: 'GET' | 'POST',
    url: string,
    options?: { headers?: Record<string, string>; body?: string },
    timeoutMs?: number,
  ): Promise<MsalNetworkResponse> => {
    const response = await http.request({
      method,
      url,
      headers: options?.headers ?? {},
      ...(options?.body !== undefined ? { body: options.body } : {}),
      ...(timeoutMs ? { timeoutMs } : {}),
    });
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = { error: response.status >= 500 ? 'server_error' : 'client_error' };
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { headers, body, status: response.status };
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: { headers?: Record<string, string> }, timeout?: number) =>
      send('GET', url, options, timeout) as Promise<{ headers: Record<string, string>; body: T; status: number }>,
    sendPostRequestAsync: <T>(url: string, options?: { headers?: Record<string, string>; body?: string }) =>
      send('POST', url, options) as Promise<{ headers: Record<string, string>; body: T; status: number }>,
  };
}

/** The endpoints of an Entra authority, so msal needs no discovery call. */
function authorityMetadata(tenant: string): string {
  const base = `${LOGIN_HOST}/${tenant}`;
  return JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
    issuer: `${base}/v2.0`,
  });
}

/** Ask Entra ID for a token with the app's credentials (client secret, or the user-assigned managed identity). */
function msalAcquirer(config: TeamsConfig & { appId: string }, http: HttpClient): TokenAcquirer {
  let acquire: Promise<TokenAcquirer> | undefined;
  const load = async (): Promise<TokenAcquirer> => {
    const msal = await import('@azure/msal-node');
    const system = { networkClient: msalNetwork(http) };
    if (config.appType === 'UserAssignedMSI') {
      const app = new msal.ManagedIdentityApplication({
        managedIdentityIdParams: { userAssignedClientId: config.appId },
        system,
      });
      return async () => toAcquired(await app.acquireToken({ resource: BOT_FRAMEWORK_RESOURCE }));
    }
    const tenant = config.appType === 'SingleTenant' && config.appTenantId ? config.appTenantId : BOT_FRAMEWORK_TENANT;
    const app = new msal.ConfidentialClientApplication({
      auth: {
        clientId: config.appId,
        clientSecret: config.appPassword ?? '',
        authority: `${LOGIN_HOST}/${tenant}`,
        authorityMetadata: authorityMetadata(tenant),
        knownAuthorities: [new URL(LOGIN_HOST).host],
      },
      system,
    });
    return async () =>
      toAcquired(
        await app.acquireTokenByClientCredential({ scopes: [`${BOT_FRAMEWORK_RESOURCE}/.default`], skipCache: true }),
      );
  };
  return async () => {
    acquire ??= load().catch((error: unknown) => {
      acquire = undefined;
      throw error;
    });
    return (await acquire)();
  };
}

function toAcquired(result: { accessToken?: string; expiresOn?: Date | null } | null): AcquiredToken {
  if (!result?.accessToken) throw new Error('no access token in the answer');
  // Without an expiry, assume the shortest lifetime Entra issues (one hour).
  const expiresAt = result.expiresOn ? result.expiresOn.getTime() : Date.now() + 3_600_000;
  return { token: result.accessToken, expiresAt };
}

/** The token source for this app; undefined without an app id (local mode), so no Authorization header is sent. */
export function createBotTokenSource(
  config: TeamsConfig,
  deps: { http: HttpClient; refreshMarginMs: number; acquire?: TokenAcquirer },
): BotTokenSource | undefined {
  if (!config.appId) return undefined;
  const acquire = deps.acquire ?? msalAcquirer({ ...config, appId: config.appId }, deps.http);
  return cachedTokenSource(acquire, deps.refreshMarginMs);
}
