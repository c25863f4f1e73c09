/**
 * A Teams adapter on a real node:http server, a recording sink, activity builders and a Bot Connector stand-in
 * (a local node:http server used as serviceUrl) that records what the bot sends.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { InboundEvent, TurnIO } from '../../../../src/core/index.js';
import type { Core } from '../../../../src/app.js';
import type { KeyValueStore } from '../../../../src/store/store.js';
import { testHost } from '../../../support/test-host.js';
import { createRouter, type HttpRoutes } from '../../../../src/http/router.js';
import type { TeamsConfig } from '../../../../src/config.js';
import { silentLogger } from '../../../../src/logger.js';
import { openMemoryStore } from '../../../../src/store/create-store.js';
import { createTeamsAdapter, type TeamsAdapter, type TeamsAdapterDeps } from '../../../../adapters/teams/index.js';

/** The shared server's router on a plain node:http server on 127.0.0.1 with an ephemeral port. */
export async function startRouteServer(): Promise<{
  routes: HttpRoutes;
  url: string;
  close(): Promise<void>;
  server: Server;
}> {
  const router = createRouter({ log: silentLogger() });
  const server = createServer((req, res) => void router.dispatch(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    routes: router,
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What the bot sent to the connector stand-in. */
export interface ConnectorCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  at: number;
}

/** A Bot Connector stand-in: answers every call with 200 and a new id, records it. */
export async function startConnector(respond?: (call: ConnectorCall, res: ServerResponse) => boolean): Promise<{
  url: string;
  calls: ConnectorCall[];
  /** TCP connections opened to the stand-in so far. */
  connections(): number;
  close(): Promise<void>;
  waitFor(n: number, timeoutMs?: number): Promise<ConnectorCall[]>;
}> {
  const calls: ConnectorCall[] = [];
  let connections = 0;
  let n = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const call: ConnectorCall = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
        at: Date.now(),
      };
      calls.push(call);
      if (respond?.(call, res)) return;
      n += 1;
      const body =
        req.method === 'POST' && /\/v3\/conversations\/?$/.test(call.path)
          ? { id: `a:direct-${n}` }
          : { id: `sent-${n}` };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Kept-alive connections from the bot's client would hold close() open until they idle out.
        server.closeAllConnections();
      }),
    async waitFor(count, timeoutMs = 5000) {
      const until = Date.now() + timeoutMs;
      while (calls.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      return calls;
    },
  };
}

export const TENANT = 'tenant-1';
export const BOT_ID = '28:bot-app';

/** Activity builders with the shapes Teams sends (ids scrubbed). */
export const activities = {
  personal(serviceUrl: string, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      type: 'message',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl,
      text,
      locale: 'nl-NL',
      from: { id: '29:user-1', name: 'Ambtenaar', aadObjectId: 'aad-user-1' },
      recipient: { id: BOT_ID, name: 'Bubbelbreker' },
      conversation: { id: 'a:personal-1', conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      ...extra,
    };
  },
  channelMention(serviceUrl: string, text: string): Record<string, unknown> {
    return {
      ...activities.personal(serviceUrl, `<at>Bubbelbreker</at> ${text}`),
      conversation: {
        id: '19:channel@thread.tacv2;messageid=1700000000000',
        conversationType: 'channel',
        isGroup: true,
        tenantId: TENANT,
      },
      entities: [{ type: 'mention', text: '<at>Bubbelbreker</at>', mentioned: { id: BOT_ID, name: 'Bubbelbreker' } }],
      channelData: { tenant: { id: TENANT }, team: { id: '19:team' }, channel: { id: '19:channel@thread.tacv2' } },
    };
  },
  execute(serviceUrl: string, data: Record<string, unknown>, replyToId = 'card-1'): Record<string, unknown> {
    const base = activities.personal(serviceUrl, '');
    delete base.text;
    return {
      ...base,
      type: 'invoke',
      name: 'adaptiveCard/action',
      replyToId,
      value: { action: { type: 'Action.Execute', verb: 'bb', data }, trigger: 'manual' },
    };
  },
  submit(serviceUrl: string, value: Record<string, unknown>, replyToId = 'card-1'): Record<string, unknown> {
    const base = activities.personal(serviceUrl, '');
    delete base.text;
    return { ...base, replyToId, value };
  },
  installation(serviceUrl: string, action: 'add' | 'remove' = 'add'): Record<string, unknown> {
    const base = activities.personal(serviceUrl, '');
    delete base.text;
    return { ...base, type: 'installationUpdate', action };
  },
  membersAdded(serviceUrl: string): Record<string, unknown> {
    const base = activities.personal(serviceUrl, '');
    delete base.text;
    return { ...base, type: 'conversationUpdate', membersAdded: [{ id: BOT_ID }] };
  },
};

export type Script = (event: InboundEvent, io: TurnIO) => Promise<void>;

/** The adapter on a route server with a recording sink whose behaviour each test scripts. */
export async function startTeams(
  options: {
    config?: Partial<TeamsConfig>;
    deps?: Partial<TeamsAdapterDeps>;
    store?: KeyValueStore;
    log?: Logger;
    script?: Script;
    /** The real core: the adapter is registered with it and uses its host (the script is then not used). */
    core?: Core;
  } = {},
) {
  const server = await startRouteServer();
  const store = options.core?.store ?? options.store ?? openMemoryStore();
  const events: InboundEvent[] = [];
  let script: Script = options.script ?? (async () => undefined);
  const config: TeamsConfig = { appType: 'MultiTenant', allowedTenants: [], tenantRps: 30, ...options.config };
  const adapter: TeamsAdapter = await createTeamsAdapter(config, {
    log: options.log ?? silentLogger(),
    routes: server.routes,
    localMode: true,
    ...options.deps,
    tuning: { sdkLoad: 'eager', backoffBaseMs: 10, backoffMaxMs: 50, ...options.deps?.tuning },
  });
  options.core?.registry.register(adapter);
  await adapter.start(
    options.core?.hostFor('teams') ??
      testHost(async (event, io) => {
        events.push(event);
        await script(event, io);
      }, store),
  );
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  };
  return {
    adapter,
    store,
    events,
    url: server.url,
    post,
    setScript(next: Script) {
      script = next;
    },
    async close() {
      await adapter.stop();
      await server.close();
    },
  };
}
