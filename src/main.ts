/**
 * The composition root: the only file under src/ that imports adapters/ (and so, through them, platform SDKs).
 *   tsx src/main.ts        → the server: every adapter whose configuration is present, /healthz, /readyz, /metrics
 *   tsx src/main.ts chat   → the terminal chat over standard input and output
 */
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { createConsoleAdapter } from '../adapters/console/index.js';
import { loadConfig, type Config } from './config.js';
import type { ChatAdapter } from './core/adapter.js';
import type { Feature } from './core/context.js';
import { createBot, type Bot } from './core/bot.js';
import { BotError, ConfigError, DataFileError } from './errors.js';
import { createFeatures } from './features.js';
import { createTranslator, type Translator } from './i18n/translator.js';
import { createLogger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createPseudonymizer, resolvePseudonymKey, type Pseudonymizer } from './privacy/pseudonym.js';
import { createHttpServer } from './http/server.js';
import { createRedisConnections, createStore, type RedisConnections } from './store/create-store.js';
import { keys } from './store/keys.js';
import type { KeyValueStore } from './store/store.js';
import { loadDialogs } from './dialog/loader.js';

/** The platform-neutral part, shared by the server and the terminal chat. */
export interface Core {
  config: Config;
  log: Logger;
  store: KeyValueStore;
  translator: Translator;
  metrics: Metrics;
  pseudonymize: Pseudonymizer;
  bot: Bot;
  /** The process's Redis connections when REDIS_URL is set (store, shared rate limits); closed after the store. */
  redis?: RedisConnections;
}

export interface CoreOptions {
  log?: Logger;
  /** Use this store instead of the configured one (tests). */
  store?: KeyValueStore;
  /** Use these features instead of the product's (core tests run the sample dialog with none). */
  features?: Feature[];
  now?: () => number;
}

/** Load data files, open the store, build the bot. Data errors stop here with the file and path named. */
export async function createCore(config: Config, options: CoreOptions = {}): Promise<Core> {
  const log = options.log ?? createLogger({ level: config.logLevel, pretty: config.env === 'development' });
  const dialogs = loadDialogs(config.dialogsDir);
  const translator = createTranslator({ dir: config.dialogsDir, defaultLocale: config.defaultLocale });
  // One set of Redis connections per process; every user of Redis takes its client from it.
  const redis = config.store.redisUrl ? createRedisConnections(config.store.redisUrl, { log }) : undefined;
  // A person's index in Redis outlives their data by a week, so "vergeet mij" always finds what is left.
  const indexTtlMs = (config.retentionDays + 7) * 86_400_000;
  const store = options.store ?? (await createStore(config.store, { log, indexTtlMs, connections: redis }));
  const metrics = createMetrics();
  const pseudonymize = createPseudonymizer(resolvePseudonymKey(config.pseudonymKey, config.store.databasePath));
  const features = options.features ?? createFeatures({ config, log });
  const bot = createBot({ config, log, store, translator, dialogs, pseudonymize, features, metrics, now: options.now });
  return { config, log, store, translator, metrics, pseudonymize, bot, redis };
}

/** A running server with its adapters. */
export interface App extends Core {
  port: number;
  adapters: ChatAdapter[];
  /** Graceful shutdown: stop accepting, finish turns in flight, close the store. */
  close(): Promise<void>;
}

export async function startApp(config: Config, options: CoreOptions = {}): Promise<App> {
  const core = await createCore(config, options);
  const { log, store, bot } = core;
  const server = createHttpServer(
    { host: config.host, port: config.port },
    { log, metrics: core.metrics, isReady: () => store.ping() },
  );
  const adapters: ChatAdapter[] = [];
  if (config.slack) {
    const { createSlackAdapter } = await import('../adapters/slack/index.js');
    adapters.push(
      createSlackAdapter(config.slack, {
        log,
        store,
        routes: server,
        translate: (locale, key, vars) => core.translator.t(locale, key, vars),
        pseudonymize: core.pseudonymize,
        defaultLocale: config.defaultLocale,
      }),
    );
  }
  if (config.teams) {
    const { createTeamsAdapter } = await import('../adapters/teams/index.js');
    adapters.push(
      await createTeamsAdapter(config.teams, {
        log,
        store,
        routes: server,
        localMode: config.localMode,
        retentionDays: config.retentionDays,
        // Without a limiter connection (Redis away at start-up; logged) the limits hold per process.
        redis: await core.redis?.client('limiter').catch(() => undefined),
        pseudonymize: core.pseudonymize,
        onUnreachable: (_conversation, person) => markUnreachable(store, person, config.retentionDays),
      }),
    );
  }
  for (const adapter of adapters) await adapter.start(bot.sink);
  const port = await server.listen();
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
  const close = () =>
    (closing ??= (async () => {
      const { abandoned } = await server.close();
      if (abandoned > 0) log.warn({ abandoned }, 'requests cut off at shutdown');
      for (const adapter of adapters) await adapter.stop();
      await bot.drain();
      await store.close();
      await core.redis?.closeAll();
      log.info('bubbelbreker stopped');
    })());
  return { ...core, port, adapters, close };
}

/** Remember that a person blocked or removed the bot, so proactive messages skip them (tracked for "vergeet mij"). */
async function markUnreachable(store: KeyValueStore, person: string | undefined, retentionDays: number): Promise<void> {
  if (!person) return;
  const key = keys.unreachable(person);
  await store.track(person, key);
  await store.set(key, { since: Date.now() }, retentionDays * 86_400_000);
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
  const adapter = createConsoleAdapter({
    input: streams.input,
    output: streams.output,
    translate: (locale, key, vars) => core.translator.t(locale, key, vars),
    defaultLocale: config.defaultLocale,
    showPrompt: streams.interactive,
  });
  await adapter.start(core.bot.sink);
  await adapter.finished;
  await core.bot.drain();
  streams.output.write(`\n${core.translator.t(adapter.locale, 'console.bye')}\n`);
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
      // The terminal chat is local by nature: no platform, a generated pseudonym key.
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
