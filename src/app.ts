/**
 * The platform-neutral part of the composition: data files, keys, store, the address book, the feature table and
 * the turn pipeline. Shared by the server and the terminal chat; adapters are wired in by src/main.ts.
 */
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Feature } from './core/context.js';
import type { FeatureDeps } from './core/feature-deps.js';
import { createInbox, type Replayer } from './core/inbox.js';
import { coreKeys } from './core/keys.js';
import { createPersonMover } from './core/rekey.js';
import { createPipeline, type Pipeline } from './core/pipeline.js';
import { resolveKeys } from './crypto/key-files.js';
import {
  createKeyedHash,
  createPersonResolver,
  createPseudonymizer,
  type KeyedHash,
  type Pseudonymizer,
} from './crypto/pseudonym.js';
import { createSealer, type Sealer } from './crypto/sealer.js';
import { loadDialogs } from './dialog/loader.js';
import type { DialogDefinition } from './dialog/schema.js';
import { type Broadcaster, createBroadcaster } from './delivery/broadcaster.js';
import { DataFileError } from './errors.js';
import { createFeatures } from './features/index.js';
import { createTranslator, type Translator } from './i18n/translator.js';
import { days } from './lib/time.js';
import { createLogger } from './logger.js';
import type { AdapterHost, AdapterVault } from './message/adapter.js';
import type { Platform } from './message/types.js';
import { createMetrics, type Metrics } from './metrics.js';
import { type AddressBook, createAddressBook } from './outbound/address-book.js';
import { type AdapterRegistry, createAdapterRegistry, createDeliver, type Deliver } from './outbound/deliver.js';
import { createQueue } from './queue/create-queue.js';
import type { JobQueue } from './queue/queue.js';
import { createRedisConnections, createStore, type RedisConnections } from './store/create-store.js';
import type { KeyValueStore } from './store/store.js';

/** The platform-neutral part, shared by the server and the terminal chat. */
export interface Core {
  config: Config;
  log: Logger;
  store: KeyValueStore;
  translator: Translator;
  metrics: Metrics;
  pseudonymize: Pseudonymizer;
  hash: KeyedHash;
  sealer: Sealer;
  addresses: AddressBook;
  registry: AdapterRegistry;
  deliver: Deliver;
  pipeline: Pipeline;
  /** What an adapter for `platform` gets when it starts. */
  hostFor(platform: Platform): AdapterHost;
  /** Record an event once and run its turn (the terminal and tests); false for a redelivery. */
  receive: AdapterHost['receive'];
  /** Finish recorded events that a crashed or killed process left unfinished (at start-up, then now and then). */
  recover(): Promise<{ finished: number; failed: number }>;
  /** The process's Redis connections when REDIS_URL is set (store, shared rate limits); closed after the store. */
  redis?: RedisConnections;
  /** The durable job queue (SQLite table, BullMQ on Redis, memory). */
  queue: JobQueue;
  /** Delivery at scale (announcements, reminders). */
  broadcasts: Broadcaster;
  /** Start the background work: queue workers of the broadcaster and of every feature. */
  startBackground(): Promise<void>;
  /** Stop taking jobs and wait for the running ones (before the store closes). */
  stopBackground(): Promise<void>;
}

export interface CoreOptions {
  log?: Logger;
  /** Use this store instead of the configured one (tests). */
  store?: KeyValueStore;
  /** Use these features instead of the product's (tests). */
  features?: (deps: FeatureDeps) => Feature[];
  /** How long an accepted event stays leased to this process before recovery may finish it (tests shorten it). */
  inboxLeaseMs?: number;
  /** More dialog folders (with their own `locales/`), for test dialogs. */
  extraDialogDirs?: readonly string[];
  now?: () => number;
  /** Queue lease: how long a killed worker's jobs wait before another worker takes them (tests). */
  queueLeaseMs?: number;
  /** How often a broadcast's progress message may change (tests, benchmarks). Default 5 s. */
  progressIntervalMs?: number;
}

/** Load data files, open the store, build the pipeline. Data errors stop here with the file and path named. */
export async function createCore(config: Config, options: CoreOptions = {}): Promise<Core> {
  const log = options.log ?? createLogger({ level: config.logLevel, pretty: config.env === 'development' });
  const keys = resolveKeys({
    pseudonymKey: config.pseudonymKey,
    dataKey: config.dataKey,
    keysDir: config.keysDir,
    databasePath: config.store.databasePath,
  });
  const translator = createTranslator({
    dir: config.dialogsDir,
    extraDirs: options.extraDialogDirs,
    defaultLocale: config.defaultLocale,
  });
  // One set of Redis connections per process; every user of Redis takes its client from it.
  const redis = config.store.redisUrl ? createRedisConnections(config.store.redisUrl, { log }) : undefined;
  // A person's index in Redis outlives their data by a week, so "vergeet mij" always finds what is left.
  const indexTtlMs = days(config.retentionDays + 7);
  const store = options.store ?? (await createStore(config.store, { log, indexTtlMs, connections: redis }));
  // Expired data is erased at start-up too, so a process that was down does not keep it until the first timer.
  await store.purgeExpired().catch((err: unknown) => log.warn({ err }, 'store purge at start-up failed'));
  const metrics = createMetrics();
  const pseudonymize = createPseudonymizer(keys.pseudonymKeys);
  const hash = createKeyedHash(keys.pseudonymKey);
  const sealer = createSealer(keys.dataKeys);
  const addresses = createAddressBook({
    store,
    sealer,
    hash,
    personTtlMs: days(config.retentionDays),
    olderHashes: keys.pseudonymKeys.slice(1).map((k) => createKeyedHash(k.key)),
    ...(options.now ? { now: options.now } : {}),
  });
  const registry = createAdapterRegistry();
  const deliver = createDeliver({ book: addresses, registry, now: options.now });
  const now = options.now ?? Date.now;
  const queue = await createQueue(store, { log, connections: redis, now, leaseMs: options.queueLeaseMs });
  const broadcasts = createBroadcaster({
    store,
    queue,
    deliver,
    hash,
    sealer,
    log: log.child({ component: 'delivery' }),
    now,
    update: async (ref, message) => {
      const adapter = registry.get(ref.conversation.platform);
      if (adapter) await adapter.update(ref, message);
    },
    maxAttempts: config.delivery.maxAttempts,
    concurrency: config.delivery.concurrency,
    quietHours: config.quietHours,
    timeZone: config.timeZone,
    retentionDays: config.delivery.retentionDays,
    progressIntervalMs: options.progressIntervalMs,
  });
  const featureDeps: FeatureDeps = {
    config,
    log,
    store,
    deliver,
    addresses,
    hash,
    sealer,
    queue,
    broadcasts,
    now,
    translate: (locale) => translator.bind(locale),
  };
  const features = (options.features ?? createFeatures)(featureDeps);
  for (const feature of features)
    for (const [kind, spec] of Object.entries(feature.broadcastKinds ?? {})) broadcasts.registerKind(kind, spec);
  const dialogs = ownedDialogs(config.dialogsDir, options.extraDialogDirs ?? [], features);
  // During a PSEUDONYM_KEY rotation a person found under an older key is moved to the current one before their turn.
  const movePerson = createPersonMover({ store, sealer, book: addresses, features, log });
  const resolvePerson = createPersonResolver(pseudonymize, store, movePerson);
  const inbox = createInbox({
    store,
    hash,
    sealer,
    pseudonymize,
    log,
    now: options.now,
    leaseMs: options.inboxLeaseMs,
  });
  const pipeline = createPipeline({
    finish: inbox.finish,
    forgetPending: inbox.forget,
    config,
    log,
    store,
    translator,
    dialogs,
    features,
    pseudonymize,
    resolvePerson,
    hash,
    book: addresses,
    metrics,
    now: options.now,
    // Organiser commands and buttons: a feature that knows the organisers says yes (src/features/organisers).
    authorize: async (ctx, audience) => {
      for (const feature of features) if (feature.authorize && (await feature.authorize(ctx, audience))) return true;
      return false;
    },
  });

  const vaultFor = (platform: Platform): AdapterVault => {
    const keyOf = (name: string) => coreKeys.vault(platform, hash('vault', platform, name));
    return {
      async get<T>(name: string) {
        const key = keyOf(name);
        const sealed = await store.get<string>(key);
        if (sealed === undefined) return undefined;
        const value = sealer.open<T>(sealed, key);
        // Sealed under an older DATA_KEY: sealed again under the current one. Without an expiry: no adapter sets
        // one, and the store cannot tell the time left (an expiring vault value would need it sealed inside).
        if (sealer.versionOf(sealed) !== sealer.currentVersion) await store.set(key, sealer.seal(value, key));
        return value;
      },
      async set(name, value, ttlMs) {
        const key = keyOf(name);
        await store.set(key, sealer.seal(value, key), ttlMs);
      },
      async delete(name) {
        await store.delete(keyOf(name));
      },
    };
  };

  const accept: AdapterHost['accept'] = async (platform, eventId, replay) => {
    const accepted = await inbox.accept(platform, eventId, replay);
    if (!accepted) metrics.dedupeHitsTotal.inc({ platform });
    return accepted;
  };
  const receive: AdapterHost['receive'] = async (event, io) => {
    if (!(await accept(event.platform, event.id))) return false;
    await pipeline.handle(event, io);
    return true;
  };
  const hostFor = (platform: Platform): AdapterHost => ({
    accept,
    finish: inbox.finish,
    handle: pipeline.handle,
    receive,
    isCommand: (text) => pipeline.table.parseCommand(text) !== undefined,
    vault: vaultFor(platform),
    defaultLocale: config.defaultLocale,
  });

  return {
    config,
    log,
    store,
    translator,
    metrics,
    pseudonymize,
    hash,
    sealer,
    addresses,
    registry,
    deliver,
    pipeline,
    hostFor,
    receive,
    recover: () => inbox.recover(replayersOf(registry)),
    redis,
    queue,
    broadcasts,
    async startBackground() {
      await broadcasts.start();
      for (const feature of features) await feature.start?.();
    },
    stopBackground: () => queue.stop(),
  };
}

/** Each registered adapter that can run its recorded work again. */
function replayersOf(registry: AdapterRegistry): Partial<Record<Platform, Replayer>> {
  const replayers: Partial<Record<Platform, Replayer>> = {};
  for (const adapter of registry.all()) {
    const replay = adapter.replay?.bind(adapter);
    if (replay) replayers[adapter.platform] = replay;
  }
  return replayers;
}

/** The dialogs the features own, from the dialogs folder (and test folders); a missing one stops start-up. */
function ownedDialogs(dir: string, extraDirs: readonly string[], features: readonly Feature[]) {
  const available = new Map<string, DialogDefinition>();
  for (const folder of [dir, ...extraDirs]) for (const [id, def] of loadDialogs(folder)) available.set(id, def);
  const owned = new Map<string, DialogDefinition>();
  for (const feature of features) {
    for (const id of Object.keys(feature.dialogs ?? {})) {
      const def = available.get(id);
      if (!def) throw new DataFileError(dir, [`dialog "${id}" (of feature ${feature.id}) has no file ${id}.yaml`]);
      owned.set(id, def);
    }
  }
  return owned;
}
