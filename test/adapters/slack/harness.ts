/**
 * A running Slack adapter on a loopback HTTP server, with the real translator and pseudonymizer and a fake
 * Web API host (nock intercepts it; nothing listens there).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import {
  createSlackAdapter,
  type SlackAdapter,
  type SlackAdapterOptions,
  type SlackTuning,
} from '../../../adapters/slack/index.js';
import type { Core } from '../../../src/app.js';
import type { SlackConfig } from '../../../src/config.js';
import { createKeyedHash } from '../../../src/crypto/pseudonym.js';
import { createRouter, type HttpRoutes, type RouteSpec } from '../../../src/http/router.js';
import { createTranslator } from '../../../src/i18n/translator.js';
import { silentLogger } from '../../../src/logger.js';
import type { InboundEvent, InboundSink, TurnIO } from '../../../src/message/types.js';
import { createOutboundPolicy } from '../../../src/outbound/policy.js';
import { openMemoryStore } from '../../../src/store/create-store.js';
import type { RedisClient } from '../../../src/store/redis-connections.js';
import type { KeyValueStore } from '../../../src/store/store.js';
import { blockAction, postSigned, type SignOptions, TEST_SIGNING_SECRET } from '../../support/slack-signed-request.js';
import { testHost } from '../../support/test-host.js';

/** Looks like a real host, is intercepted by nock (an ordinary port: fetch refuses the WHATWG "bad ports"). */
export const API_ORIGIN = 'http://127.0.0.1:59999';
export const API_URL = `${API_ORIGIN}/api/`;
export const BOT_TOKEN = 'xoxb-test-token';

export const translator = createTranslator({ dir: 'dialogs' });
const hash = createKeyedHash('slack-test-hash-key-0123456789abcdef0123');

/** The shared server's router (path parameters, 404/405, body limits) on a plain loopback server. */
class TestRoutes implements HttpRoutes {
  private readonly router = createRouter({ log: silentLogger() });
  route(spec: RouteSpec): void {
    this.router.route(spec);
  }
  paths(): string[] {
    return this.router.list();
  }
  handle = (req: IncomingMessage, res: ServerResponse): void => void this.router.dispatch(req, res);
}

export interface SlackHarness {
  url: string;
  eventsUrl: string;
  adapter: SlackAdapter;
  store: KeyValueStore;
  routes: TestRoutes;
  post(body: string, options?: SignOptions): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The real core: the adapter is registered with it and uses its host. */
  core?: Core;
  /** Without a core: where turns go (default: nowhere). */
  sink?: InboundSink;
  store?: KeyValueStore;
  config?: Partial<SlackConfig>;
  tuning?: Partial<SlackTuning>;
  log?: Logger;
  now?: () => number;
  /** Share rate limits and pauses through this Redis client (as replicas of the server do), under `limitsPrefix`. */
  limitsRedis?: RedisClient;
  limitsPrefix?: string;
  /** A fetch for the Web API instead of nock (a hanging downstream). */
  fetch?: SlackAdapterOptions['fetch'];
}

export async function startSlack(options: HarnessOptions = {}): Promise<SlackHarness> {
  const store = options.core?.store ?? options.store ?? openMemoryStore();
  const routes = new TestRoutes();
  const server: Server = createServer(routes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config: SlackConfig = {
    signingSecret: TEST_SIGNING_SECRET,
    botToken: BOT_TOKEN,
    apiUrl: API_URL,
    ...options.config,
  };
  const adapter = createSlackAdapter(
    config,
    {
      log: options.log ?? silentLogger(),
      routes,
      policy: createOutboundPolicy(
        { keyPrefix: options.limitsPrefix },
        { platform: 'slack', hash, redis: options.limitsRedis, now: options.now },
      ),
      translate: (locale, key, vars) => translator.t(locale, key, vars),
      now: options.now,
      // No post limits unless a test sets them: most tests post faster than Slack would let a channel.
      tuning: { channelPostLimits: [], workspacePostLimits: [], webApiRetries: 0, ...options.tuning },
    },
    { fetch: options.fetch },
  );
  options.core?.registry.register(adapter);
  await adapter.start(
    options.core ? options.core.hostFor('slack') : testHost(options.sink ?? (async () => undefined), store),
  );
  const eventsUrl = `${url}/slack/events`;
  return {
    url,
    eventsUrl,
    adapter,
    store,
    routes,
    post: (body, signOptions) => postSigned(eventsUrl, body, signOptions),
    async close() {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A sink that records events and can run a reaction (e.g. send through the TurnIO). */
export function recordingSink(react?: (event: InboundEvent, io: TurnIO) => Promise<void>) {
  const events: InboundEvent[] = [];
  const sink: InboundSink = async (event, io) => {
    events.push(event);
    await react?.(event, io);
  };
  return { sink, events };
}

/** Poll until `check` holds (side effects happen after the ack), or fail after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Form fields of a Web API call as nock hands them over (blocks arrive as a JSON string). */
export function formBody(body: unknown): Record<string, string> {
  if (typeof body === 'string') return Object.fromEntries(new URLSearchParams(body));
  return body as Record<string, string>;
}

/** One Web API call (or response_url post) as the fake Slack saw it. */
export interface ApiCall {
  method: string;
  body: Record<string, string>;
  authorization?: string;
  at: number;
  /** The ts Slack gave a posted message. */
  ts?: string;
}

export interface FakeSlackOptions {
  /** users.info locale per user id; a user missing here gets `nl-NL`; `fail` makes users.info answer an error. */
  locales?: Record<string, string | 'fail'>;
}

/**
 * A fake Slack Web API on API_ORIGIN (nock, persistent): records every call and answers like Slack does.
 * conversations.open gives `D<user>`; chat.postMessage returns increasing timestamps.
 */
export function fakeSlackApi(nockModule: typeof import('nock'), options: FakeSlackOptions = {}) {
  const calls: ApiCall[] = [];
  let ts = 1_700_000_000;
  const scope = nockModule(API_ORIGIN).persist();
  const record = (method: string) =>
    function (
      this: { req: { headers: Record<string, string | string[] | undefined> } },
      _uri: string,
      body: unknown,
    ): Record<string, string> {
      const parsed = formBody(body);
      const auth = this.req.headers.authorization;
      calls.push({ method, body: parsed, authorization: Array.isArray(auth) ? auth[0] : auth, at: Date.now() });
      return parsed;
    };
  scope.post('/api/chat.postMessage').reply(function (uri, body) {
    const parsed = record('chat.postMessage').call(this, uri, body);
    ts += 1;
    calls[calls.length - 1]!.ts = `${ts}.000100`;
    return [200, { ok: true, channel: parsed.channel, ts: `${ts}.000100`, message: {} }];
  });
  scope.post('/api/chat.update').reply(function (uri, body) {
    const parsed = record('chat.update').call(this, uri, body);
    return [200, { ok: true, channel: parsed.channel, ts: parsed.ts }];
  });
  scope.post('/api/chat.delete').reply(function (uri, body) {
    record('chat.delete').call(this, uri, body);
    return [200, { ok: true }];
  });
  scope.post('/api/conversations.open').reply(function (uri, body) {
    const parsed = record('conversations.open').call(this, uri, body);
    return [200, { ok: true, channel: { id: `D${parsed.users}` } }];
  });
  scope.post('/api/users.info').reply(function (uri, body) {
    const parsed = record('users.info').call(this, uri, body);
    const locale = options.locales?.[parsed.user ?? ''] ?? 'nl-NL';
    if (locale === 'fail') return [500, 'upstream error'];
    return [200, { ok: true, user: { id: parsed.user, locale } }];
  });
  scope.post('/api/views.open').reply(function (uri, body) {
    record('views.open').call(this, uri, body);
    return [200, { ok: true, view: { id: 'VMODAL' } }];
  });
  scope.post('/api/views.publish').reply(function (uri, body) {
    record('views.publish').call(this, uri, body);
    return [200, { ok: true, view: { id: 'VHOME' } }];
  });
  scope.post(/^\/(commands|actions)\//).reply(function (uri, body) {
    record(`response_url`).call(this, uri, typeof body === 'string' ? JSON.parse(body) : body);
    return [200, 'ok'];
  });
  return {
    calls,
    of: (method: string) => calls.filter((c) => c.method === method),
    /** Messages posted or updated, with blocks parsed. */
    messages: () =>
      calls
        .filter((c) => ['chat.postMessage', 'chat.update', 'response_url'].includes(c.method))
        .map((c) => ({
          method: c.method,
          channel: c.body.channel,
          ts: c.ts ?? c.body.ts,
          thread_ts: c.body.thread_ts,
          text: c.body.text,
          blocks: parseJsonField(c.body.blocks) as Record<string, unknown>[],
        })),
  };
}

function parseJsonField(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/**
 * Press "Ja, ik doe mee" on the newest consent card in `channel`, as a person would: the first check-in asks for
 * consent before its first question.
 */
export async function agreeToConsent(
  slack: SlackHarness,
  api: ReturnType<typeof fakeSlackApi>,
  user: string,
  channel: string,
): Promise<void> {
  type Element = { action_id?: string; value?: string };
  const consentOf = (m: { blocks?: Record<string, unknown>[] }) =>
    (m.blocks ?? [])
      .flatMap((b) => (b.elements as Element[] | undefined) ?? [])
      .find((e) => e.action_id?.includes('|privacy|consent|'));
  const card = [...api.messages()].reverse().find((m) => m.channel === channel && consentOf(m));
  if (!card) throw new Error(`no consent card in ${channel}`);
  const button = consentOf(card)!;
  await slack.post(
    blockAction({ user, channel, messageTs: card.ts as string, actionId: button.action_id!, value: button.value }),
  );
  await slack.adapter.drain();
}
