/**
 * One process for bench/teams.ts, so each one's CPU is measured alone:
 *   pipeline  — the real server (src/http/server.ts) with the Teams adapter (local mode, no token check) and the
 *               real bot on a SQLite store in a temp dir; replies go to the connector stand-in through the
 *               adapter's own connector client (one keep-alive agent)
 *   adapter   — the same server and Teams adapter with an echo sink and a memory store instead of the bot: what
 *               the adapter (with teams-ai's Application) costs on its own
 *   bare      — a bare botbuilder CloudAdapter echo bot on node:http, auth off, replying to the same stand-in
 *               through botbuilder's own ConnectorClient (the baseline)
 *   connector — the Bot Connector stand-in: the platform double (test/support/platform-double.ts), which answers
 *               every reply with 201 and an id (its service URL is `<url>/teams/`)
 * IPC: { ready, port } → { cpu } ↔ cpu usage → { stop }. The connector's URL comes as argv[3].
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createTeamsAdapter } from '../adapters/teams/index.js';
import { loadConfig } from '../src/config.js';
import { createCore } from '../src/app.js';
import type { InboundSink } from '../src/message/types.js';
import { createMetrics } from '../src/metrics.js';
import { createHttpServer as createBotServer } from '../src/http/server.js';
import { openSqliteStore } from '../src/store/create-store.js';
import { startPlatformDouble } from '../test/support/platform-double.js';

const mode = process.argv[2] as 'pipeline' | 'adapter' | 'bare' | 'connector';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

/** The Bot Connector stand-in: the one platform double, without limits or injections, keeping no bodies. */
async function startConnector(): Promise<{ port: number; close(): Promise<void> }> {
  const double = await startPlatformDouble({ limits: false, keepBodies: false });
  return { port: Number(new URL(double.url).port), close: () => double.close() };
}

async function startPipeline(): Promise<{ port: number; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-bench-teams-'));
  const pseudonymKey = 'bench-pseudonym-key-0123456789abcdef0123456789';
  const config = loadConfig(
    {
      BOT_LOCAL_MODE: '1',
      LOG_LEVEL: 'info',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      PSEUDONYM_KEY: pseudonymKey,
      DATA_KEY: 'b'.repeat(64),
      TEAMS_TENANT_RPS: '50',
    },
    {},
  );
  // Production logging (info, JSON, one line per event), written to /dev/null.
  const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const store = openSqliteStore({ path: config.store.databasePath, log });
  const core = await createCore(config, { log, store });
  const server = createBotServer(
    { host: '127.0.0.1', port: 0 },
    { log, metrics: createMetrics({ defaultMetrics: false }), isReady: async () => true },
  );
  const adapter = await createTeamsAdapter(config.teams!, {
    log,
    routes: server,
    localMode: true,
    tuning: { sdkLoad: 'eager' },
  });
  core.registry.register(adapter);
  await adapter.start(core.hostFor('teams'));
  const port = await server.listen();
  return {
    port,
    async close() {
      await server.close();
      await adapter.stop();
      await core.pipeline.drain();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startAdapterOnly(): Promise<{ port: number; close(): Promise<void> }> {
  const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const server = createBotServer(
    { host: '127.0.0.1', port: 0 },
    { log, metrics: createMetrics({ defaultMetrics: false }), isReady: async () => true },
  );
  const teams = { appType: 'MultiTenant' as const, allowedTenants: [], tenantRps: 50 };
  const adapter = await createTeamsAdapter(teams, {
    log,
    routes: server,
    localMode: true,
    tuning: { sdkLoad: 'eager' },
  });
  const echo: InboundSink = async (event, io) => {
    if (event.kind === 'message')
      await io.send({ text: `Echo: ${event.text}`, blocks: [{ type: 'text', text: `Echo: ${event.text}` }] });
  };
  await adapter.start({
    accept: async () => true,
    finish: async () => undefined,
    handle: echo,
    receive: async (event, io) => {
      await echo(event, io);
      return true;
    },
    isCommand: () => false,
    vault: { get: async () => undefined, set: async () => undefined, delete: async () => undefined },
    defaultLocale: 'nl',
  });
  const port = await server.listen();
  return {
    port,
    async close() {
      await server.close();
      await adapter.stop();
    },
  };
}

async function startBare(): Promise<{ port: number; close(): Promise<void> }> {
  const { CloudAdapter, ConfigurationBotFrameworkAuthentication } = await import('botbuilder');
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  adapter.onTurnError = async () => undefined;
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    void readJson(req)
      .then(
        (body) => {
          let status = 200;
          let payload: unknown;
          const shim = {
            socket: res.socket,
            status: (code: number) => {
              status = code;
            },
            header: () => undefined,
            send: (b: unknown) => {
              payload = b;
            },
            end: () => {
              const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
              res.writeHead(status, { 'content-length': Buffer.byteLength(text) }).end(text);
            },
          };
          return adapter.process(
            { body, headers: req.headers as Record<string, string>, method: req.method },
            shim,
            async (context) => {
              if (context.activity.type === 'message') await context.sendActivity(`Echo: ${context.activity.text}`);
            },
          );
        },
        () => res.writeHead(400).end(),
      )
      .catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
  });
  return { port: await listen(server), close: () => new Promise((r) => server.close(() => r())) };
}

const starters = { connector: startConnector, adapter: startAdapterOnly, bare: startBare, pipeline: startPipeline };
const running = await starters[mode]();
process.on('message', (message: { type: string }) => {
  if (message.type === 'cpu') process.send!({ type: 'cpu', usage: process.cpuUsage(), rss: process.memoryUsage().rss });
  if (message.type === 'stop') void running.close().finally(() => process.exit(0));
});
process.send!({ type: 'ready', port: running.port });
