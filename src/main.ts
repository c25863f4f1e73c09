/**
 * The composition root: the only file under src/ that imports adapters/ (and so, through them, platform SDKs).
 *   tsx src/main.ts        → the server: every adapter whose configuration is present, /healthz, /readyz, /metrics
 *   tsx src/main.ts chat   → the terminal chat over standard input and output
 */
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { pathToFileURL } from 'node:url';
import { createConsoleAdapter } from '../adapters/console/index.js';
import { type Core, type CoreOptions, createCore } from './app.js';
import { type Config, loadConfig } from './config.js';
import { BotError, ConfigError, DataFileError } from './errors.js';
import { createLogger, installProcessHandlers } from './logger.js';
import type { ChatAdapter } from './message/adapter.js';
import { legalPageRoutes } from './http/pages.js';
import { createHttpServer } from './http/server.js';
import { staticRoute } from './http/static.js';
import { createOutboundPolicy } from './outbound/policy.js';
import type { KeyValueStore } from './store/store.js';

export { type Core, type CoreOptions, createCore } from './app.js';

/** A running server with its adapters. */
export interface App extends Core {
  port: number;
  adapters: ChatAdapter[];
  /** Graceful shutdown: stop accepting, finish turns in flight, close the store. */
  close(): Promise<void>;
}

export async function startApp(config: Config, options: CoreOptions = {}): Promise<App> {
  const core = await createCore(config, options);
  const { log, store, pipeline } = core;
  const server = createHttpServer(
    { host: config.host, port: config.port },
    { log, metrics: core.metrics, isReady: readiness(store) },
  );
  // What people open from the app card and the result: the privacy statement, the terms, the result's pictures.
  for (const page of legalPageRoutes(core.translator, config.retentionDays)) server.route(page);
  server.route(staticRoute({ prefix: '/images', dir: join(config.publicDir, 'images'), maxAgeS: 86_400 }));
  const translate = core.translator.t;
  // Outbound limits live in this process unless Redis is configured: then every replica obeys them. Without a
  // limiter connection (Redis away at start-up; logged) they hold per process, and the adapters still start.
  const limiterRedis = await core.redis?.client('limiter').catch(() => undefined);
  const policyFor = (platform: 'slack' | 'teams') =>
    createOutboundPolicy({}, { platform, hash: core.hash, redis: limiterRedis, log });
  if (config.slack) {
    const { createSlackAdapter } = await import('../adapters/slack/index.js');
    core.registry.register(
      createSlackAdapter(config.slack, {
        log,
        routes: server,
        policy: policyFor('slack'),
        translate,
        defaultLocale: config.defaultLocale,
      }),
    );
  }
  if (config.teams) {
    const { createTeamsAdapter } = await import('../adapters/teams/index.js');
    core.registry.register(
      await createTeamsAdapter(config.teams, {
        log,
        routes: server,
        localMode: config.localMode,
        policy: policyFor('teams'),
      }),
    );
  }
  // Routes of features (the organiser API) on the same server.
  for (const feature of pipeline.table.features) for (const route of feature.routes ?? []) server.route(route);
  const adapters = core.registry.all();
  for (const adapter of adapters) await adapter.start(core.hostFor(adapter.platform));
  const port = await server.listen();
  // Work a crashed or killed process had acknowledged but not finished: now, and then now and then, for records
  // whose process is gone (their lease ran out).
  const recovery = startRecovery(core, log);
  await core.startBackground();
  log.info(
    {
      port,
      host: config.host,
      adapters: adapters.map((a) => a.platform),
      store: store.kind,
      localMode: config.localMode,
    },
    'bubbelbreker ready',
  );
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      recovery.stop();
      const { abandoned } = await server.close();
      if (abandoned > 0) log.warn({ abandoned }, 'requests cut off at shutdown');
      for (const adapter of adapters) await adapter.stop();
      const unfinished = await pipeline.drain(TURN_DRAIN_MS);
      // Still recorded in the inbox: the next start finishes them.
      if (unfinished > 0) log.warn({ unfinished }, 'turns still running at shutdown were left to the next start');
      await core.stopBackground();
      await store.close();
      await core.redis?.closeAll();
      log.info('bubbelbreker stopped');
    })();
    return closing;
  };
  return { ...core, port, adapters, close };
}

/** How long shutdown waits for turns in flight (their platform calls time out well before this). */
const TURN_DRAIN_MS = 10_000;

/** How often unfinished recorded work is looked for (a record is leased to its process for a minute). */
const RECOVERY_EVERY_MS = 30_000;

function startRecovery(core: Core, log: Logger): { stop(): void } {
  let running: Promise<unknown> | undefined;
  const once = () => {
    running ??= core
      .recover()
      .catch((error: unknown) => log.warn({ err: error }, 'recovering recorded events failed'))
      .finally(() => {
        running = undefined;
      });
  };
  once();
  const timer = setInterval(once, RECOVERY_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * /readyz: the store can write now — a real write probe, free disk space above MIN_FREE_DISK_MB, Redis answering.
 * Checked at most once a second (a load balancer may ask often); it turns true again by itself when writes work.
 */
function readiness(store: KeyValueStore): () => Promise<{ ready: boolean; reason?: string }> {
  let last: { at: number; result: Promise<{ ready: boolean; reason?: string }> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= 1000) {
      last = {
        at: now,
        result: store.health().then((h) => (h.writable ? { ready: true } : { ready: false, reason: h.reason })),
      };
    }
    return last.result;
  };
}

/** The terminal chat: reads lines until end of input, then closes cleanly. */
export async function runChat(
  config: Config,
  streams: { input: Readable; output: Writable; interactive: boolean },
  options: CoreOptions = {},
): Promise<void> {
  const log =
    options.log ??
    createLogger({
      level: config.logLevel === 'info' ? 'warn' : config.logLevel,
      pretty: true,
      destination: process.stderr,
    });
  const core = await createCore(config, { ...options, log });
  if (options.log === undefined) installProcessHandlers(log);
  const adapter = createConsoleAdapter({
    input: streams.input,
    output: streams.output,
    translate: core.translator.t,
    defaultLocale: config.defaultLocale,
    showPrompt: streams.interactive,
  });
  core.registry.register(adapter);
  await adapter.start(core.hostFor('console'));
  await core.startBackground();
  await adapter.finished;
  await core.pipeline.drain();
  await core.stopBackground();
  streams.output.write(`\n${core.translator.t(adapter.locale, 'console.bye')}\n`);
  // Expired data is erased when the terminal chat ends, not left in the file until the next start.
  await core.store.purgeExpired().catch((err: unknown) => log.warn({ err }, 'store purge at the end failed'));
  await core.store.close();
  await core.redis?.closeAll();
}

function explain(error: unknown): string {
  if (error instanceof ConfigError || error instanceof DataFileError) return error.message;
  if (error instanceof BotError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: start-up failed` : 'start-up failed';
}

async function cli(argv: string[]): Promise<void> {
  const mode = argv[2] ?? 'server';
  try {
    if (mode === 'chat') {
      // The terminal chat is local by nature: no platform, generated keys.
      const config = loadConfig(undefined, { BOT_LOCAL_MODE: '1' });
      await runChat(config, {
        input: process.stdin,
        output: process.stdout,
        interactive: process.stdin.isTTY === true,
      });
      return;
    }
    const config = loadConfig();
    const app = await startApp(config);
    installProcessHandlers(app.log);
    const shutdown = (signal: string) => {
      app.log.info({ signal }, 'shutting down');
      app.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  } catch (error) {
    process.stderr.write(`bubbelbreker: ${explain(error)}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void cli(process.argv);
