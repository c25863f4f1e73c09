/**
 * Our own Bot Connector client: the five REST calls Bubbelbreker makes, each one HTTP request over the shared
 * keep-alive client, the activity serialised to JSON once, and the bot's token in the Authorization header
 * (none in local mode without an app id, as botbuilder does). It only ever calls the serviceUrl it is given:
 * the one the (validated) activity or a stored reference named. Failures become ConnectorError, which errors.ts
 * turns into retries or our error family.
 */
import { AdapterError } from '../../src/core/index.js';
import type { BotTokenSource } from './bot-token.js';
import type { HttpClient, HttpResponse } from './http-client.js';

/** A non-2xx answer of the Bot Connector, with what errors.ts needs to decide (never the body's text). */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  constructor(
    readonly statusCode: number,
    /** Teams' error code or subCode, when the body had one. */
    readonly teamsCode: string | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`Bot Connector answered ${statusCode}${teamsCode ? ` (${teamsCode})` : ''}`);
  }
}

/** What the Bot Connector answers to a send or a create. */
export interface ResourceResponse {
  id?: string;
}

/** The body of a create-conversation call (1:1 chats only). */
export interface ConversationParameters {
  isGroup: boolean;
  bot: { id: string; name?: string };
  members: { id: string; name?: string }[];
  tenantId?: string;
  channelData?: Record<string, unknown>;
}

/** The Bot Connector calls, each against the serviceUrl given. */
export interface ConnectorClient {
  /** POST …/activities (proactive; never a replyToId) or, with `replyToId`, POST …/activities/{replyToId}. */
  send(serviceUrl: string, conversationId: string, activity: object, replyToId?: string): Promise<ResourceResponse>;
  /** PUT …/activities/{activityId} */
  update(serviceUrl: string, conversationId: string, activityId: string, activity: object): Promise<void>;
  /** DELETE …/activities/{activityId} */
  remove(serviceUrl: string, conversationId: string, activityId: string): Promise<void>;
  /** POST {serviceUrl}v3/conversations */
  createConversation(serviceUrl: string, parameters: ConversationParameters): Promise<ResourceResponse>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/;

/** `{serviceUrl}v3/conversations`, whether or not the serviceUrl ends in a slash; refuses what is no http(s) URL. */
export function conversationsUrl(serviceUrl: string, withToken: boolean): string {
  const refuse = (why: string) => new AdapterError('teams', `serviceUrl refused: ${why}`, { code: 'ADAPTER_FAILED' });
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    throw refuse('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('not http(s)');
  if (url.username || url.password) throw refuse('it carries credentials');
  // The bot's token never travels in clear text, except to this machine (local stand-ins, the playground).
  if (withToken && url.protocol === 'http:' && !LOOPBACK.test(url.hostname)) throw refuse('not https');
  return `${serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`}v3/conversations`;
}

function parseResource(response: HttpResponse): ResourceResponse {
  if (!response.body) return {};
  try {
    const parsed = JSON.parse(response.body) as { id?: unknown };
    return typeof parsed?.id === 'string' ? { id: parsed.id } : {};
  } catch {
    return {};
  }
}

function teamsCodeOf(body: string): string | undefined {
  if (!body) return undefined;
  try {
    const error = (
      JSON.parse(body) as { error?: { code?: unknown; subCode?: unknown; innerHttpError?: { subCode?: unknown } } }
    )?.error;
    for (const candidate of [error?.subCode, error?.innerHttpError?.subCode, error?.code]) {
      if (typeof candidate === 'string' && /^[A-Za-z][\w.-]{0,79}$/.test(candidate)) return candidate;
    }
  } catch {
    // not JSON: the status says enough
  }
  return undefined;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMsOf(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Create the client. Without a token source (local mode without an app id) no Authorization header is sent. */
export function createConnectorClient(deps: { http: HttpClient; token?: BotTokenSource }): ConnectorClient {
  const { http, token } = deps;

  async function call(
    method: 'POST' | 'PUT' | 'DELETE',
    serviceUrl: string,
    path: string,
    body: object | undefined,
  ): Promise<HttpResponse> {
    const url = conversationsUrl(serviceUrl, token !== undefined) + path;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    const bearer = token ? await token.get() : undefined;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const response = await http.request({
      method,
      url,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    if (response.status >= 200 && response.status < 300) return response;
    // A token the connector no longer accepts is not used again: the next call fetches a fresh one.
    if (response.status === 401 && bearer) token?.invalidate(bearer);
    throw new ConnectorError(
      response.status,
      teamsCodeOf(response.body),
      retryAfterMsOf(response.headers['retry-after']),
    );
  }

  const activityPath = (conversationId: string, activityId?: string) =>
    `/${encodeURIComponent(conversationId)}/activities${activityId ? `/${encodeURIComponent(activityId)}` : ''}`;

  return {
    async send(serviceUrl, conversationId, activity, replyToId) {
      return parseResource(await call('POST', serviceUrl, activityPath(conversationId, replyToId), activity));
    },
    async update(serviceUrl, conversationId, activityId, activity) {
      await call('PUT', serviceUrl, activityPath(conversationId, activityId), activity);
    },
    async remove(serviceUrl, conversationId, activityId) {
      await call('DELETE', serviceUrl, activityPath(conversationId, activityId), undefined);
    },
    async createConversation(serviceUrl, parameters) {
      return parseResource(await call('POST', serviceUrl, '', parameters));
    },
  };
}
