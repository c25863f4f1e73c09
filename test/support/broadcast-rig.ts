/**
 * A broadcast against the platform double with the real outbound path: the address book, `deliver()`, the real
 * Slack and Teams adapters (their Web API and Bot Connector clients, limiters, retries and error mapping) on an
 * outbound policy, the ledger and the durable queue — SQLite (a table in the file) or Redis (the Redis store and
 * BullMQ). Used by the delivery tests, their kill-and-restart child process, and bench/broadcast.ts.
 *
 * Every rate of the adapters is multiplied by `scale` and every wait divided by it, as the double's are, so a
 * large broadcast runs in seconds with the same shape.
 */
import { Redis } from 'ioredis';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import { DEFAULT_TUNING as SLACK_TUNING } from '../../adapters/slack/types.js';
import { createTeamsAdapter } from '../../adapters/teams/index.js';
import { DEFAULT_TUNING as TEAMS_TUNING } from '../../adapters/teams/types.js';
import { createKeyedHash } from '../../src/crypto/pseudonym.js';
import { createSealer, parseDataKeys } from '../../src/crypto/sealer.js';
import { type Broadcaster, createBroadcaster } from '../../src/delivery/broadcaster.js';
import type { Recipient } from '../../src/delivery/ledger.js';
import { silentLogger } from '../../src/logger.js';
import type { ConversationRef } from '../../src/message/types.js';
import { type Address, createAddressBook } from '../../src/outbound/address-book.js';
import { createAdapterRegistry, createDeliver } from '../../src/outbound/deliver.js';
import { createOutboundPolicy } from '../../src/outbound/policy.js';
import { openBullQueue } from '../../src/queue/bullmq-queue.js';
import type { JobQueue } from '../../src/queue/queue.js';
import { openSqliteQueue } from '../../src/queue/sqlite-queue.js';
import { openRedisStore, openSqliteStore } from '../../src/store/create-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { recipientKey, scaleWindows } from './platform-double.js';

/** Who receives the broadcast: channels and subscribers (people with a 1:1 chat) on both platforms. */
export interface AudienceSpec {
  slackChannels: number;
  slackPeople: number;
  teamsChannels: number;
  teamsPeople: number;
}

export const TEAM = 'T0BENCH';
export const TENANT = 'tenant-bench';
/** One workspace, one bot token: the double names the workspace by it. */
const SLACK_TOKEN = 'xoxb-rig-workspace';
const BOT_ID = '28:rig-bot';

export interface RigOptions {
  backend: 'sqlite' | 'redis';
  /** SQLite: the database file (the same file after a restart). */
  dbPath?: string;
  /** Redis: URL and a namespace of this run (keys and BullMQ queues live under it). */
  redisUrl?: string;
  namespace?: string;
  /** The double's URLs. */
  apiUrl: string;
  serviceUrl: string;
  /** Rates × scale, waits ÷ scale (as the double's). */
  scale: number;
  /** Send jobs at once. Default 32 (the app's default). */
  concurrency?: number;
  maxAttempts?: number;
  /** SQLite queue idle poll. Default 200 ms (the app's default). */
  pollMs?: number;
  /** A killed process's jobs run again after this long. */
  leaseMs?: number;
}

export interface Rig {
  broadcaster: Broadcaster;
  store: KeyValueStore;
  queue: JobQueue;
  /** The double's key of every recipient, in audience order. */
  expected(spec: AudienceSpec): string[];
  /** Remember every recipient in the address book (once; again is harmless). */
  seed(spec: AudienceSpec): Promise<void>;
  /** Create the broadcast (unless it exists) and wait until it is done; resolves with the ledger's counts. */
  run(id: string, spec: AudienceSpec): Promise<Awaited<ReturnType<Broadcaster['counts']>>>;
  close(): Promise<void>;
}

interface Member {
  address: Address;
  conversation: ConversationRef;
  person?: string;
}

const pad = (n: number) => String(n).padStart(5, '0');

/** The n-th member of the audience, in a fixed order (the same in every process). */
function memberAt(
  spec: AudienceSpec,
  n: number,
  serviceUrl: string,
  channelAddress: (c: ConversationRef) => Address,
): Member {
  const teamsExtra = (userId?: string) => ({
    serviceUrl,
    channelId: 'msteams',
    botId: BOT_ID,
    ...(userId ? { conversationType: 'personal', userId } : { conversationType: 'channel' }),
  });
  let i = n;
  if (i < spec.slackChannels) {
    const conversation: ConversationRef = {
      platform: 'slack',
      tenantId: TEAM,
      conversationId: `C${pad(i)}`,
      isDirect: false,
    };
    return { conversation, address: channelAddress(conversation) };
  }
  i -= spec.slackChannels;
  if (i < spec.slackPeople) {
    const conversation: ConversationRef = {
      platform: 'slack',
      tenantId: TEAM,
      conversationId: `D${pad(i)}`,
      isDirect: true,
    };
    const person = `ps${pad(i)}`;
    return { conversation, person, address: { kind: 'person', platform: 'slack', person } };
  }
  i -= spec.slackPeople;
  if (i < spec.teamsChannels) {
    const conversation: ConversationRef = {
      platform: 'teams',
      tenantId: TENANT,
      conversationId: `19:c${pad(i)}@thread.tacv2`,
      isDirect: false,
      extra: teamsExtra(),
    };
    return { conversation, address: channelAddress(conversation) };
  }
  i -= spec.teamsChannels;
  const person = `pt${pad(i)}`;
  const conversation: ConversationRef = {
    platform: 'teams',
    tenantId: TENANT,
    conversationId: `a:p${pad(i)}`,
    isDirect: true,
    extra: teamsExtra(`29:u${pad(i)}`),
  };
  return { conversation, person, address: { kind: 'person', platform: 'teams', person } };
}

/** The double's key (`platform:channel`) of every recipient, in audience order. */
export function expectedKeys(spec: AudienceSpec, serviceUrl: string): string[] {
  const keys: string[] = [];
  const noAddress = (): Address => ({ kind: 'channel', platform: 'slack', channel: '' });
  for (let n = 0; n < total(spec); n += 1) {
    const { conversation } = memberAt(spec, n, serviceUrl, noAddress);
    keys.push(recipientKey(conversation.platform as 'slack' | 'teams', conversation.conversationId));
  }
  return keys;
}

const total = (spec: AudienceSpec) => spec.slackChannels + spec.slackPeople + spec.teamsChannels + spec.teamsPeople;

export async function openRig(options: RigOptions): Promise<Rig> {
  const log = silentLogger();
  const scale = options.scale;
  const hash = createKeyedHash('rig-pseudonym-key-0123456789abcdef');
  const sealer = createSealer(parseDataKeys('0123456789abcdef'.repeat(4)));
  let store: KeyValueStore;
  let queue: JobQueue;
  let connections: Redis[] = [];
  if (options.backend === 'sqlite') {
    if (!options.dbPath) throw new Error('the SQLite rig needs a database path');
    const sqlite = openSqliteStore({ path: options.dbPath });
    store = sqlite;
    queue = openSqliteQueue(sqlite, { log, pollMs: options.pollMs, leaseMs: options.leaseMs });
  } else {
    const namespace = options.namespace ?? 'bbrig';
    const url = options.redisUrl ?? 'redis://127.0.0.1:6379';
    store = await openRedisStore({ url, namespace });
    connections = [new Redis(url, { maxRetriesPerRequest: null }), new Redis(url, { maxRetriesPerRequest: null })];
    queue = openBullQueue({
      producer: connections[0] as Redis,
      worker: connections[1] as Redis,
      prefix: `${namespace}:queue`,
      log,
      leaseMs: options.leaseMs,
    });
  }

  const book = createAddressBook({ store, sealer, hash, personTtlMs: 30 * 86_400_000 });
  const registry = createAdapterRegistry();
  const routes = { route: () => undefined };
  registry.register(
    createSlackAdapter(
      { signingSecret: 'rig-signing-secret', botToken: SLACK_TOKEN, apiUrl: options.apiUrl },
      {
        log,
        routes,
        policy: createOutboundPolicy({}, { platform: 'slack' }),
        translate: (_locale, key) => key,
        tuning: {
          channelPostLimits: scaleWindows(SLACK_TUNING.channelPostLimits, scale),
          workspacePostLimits: scaleWindows(SLACK_TUNING.workspacePostLimits, scale),
        },
      },
    ),
  );
  registry.register(
    await createTeamsAdapter(
      { appType: 'MultiTenant', allowedTenants: [], tenantRps: 30 * scale },
      {
        log,
        routes,
        localMode: true,
        policy: createOutboundPolicy({}, { platform: 'teams' }),
        tuning: {
          conversationLimits: scaleWindows(TEAMS_TUNING.conversationLimits, scale),
          backoffBaseMs: TEAMS_TUNING.backoffBaseMs / scale,
          backoffMaxMs: TEAMS_TUNING.backoffMaxMs / scale,
          maxLimiterWaitMs: TEAMS_TUNING.maxLimiterWaitMs / scale,
        },
      },
    ),
  );
  const deliver = createDeliver({ book, registry });
  const broadcaster = createBroadcaster({
    store,
    queue,
    deliver,
    hash,
    sealer,
    log,
    update: async () => undefined,
    maxAttempts: options.maxAttempts ?? 10,
    concurrency: options.concurrency ?? Number(process.env.BB_RIG_CONCURRENCY ?? 32),
    quietHours: 'off',
    timeZone: 'Europe/Amsterdam',
    retentionDays: 30,
    progressIntervalMs: 200,
    retryBaseMs: 2000 / scale,
  });
  const channelAddress = (c: ConversationRef) => book.channelAddress(c.platform, c.conversationId);
  let spec: AudienceSpec | undefined;
  broadcaster.registerKind('rig', {
    async audience(_b, cursor) {
      if (!spec) throw new Error('no audience');
      const start = Number(cursor ?? 0);
      const end = Math.min(total(spec), start + 500);
      const recipients: Recipient[] = [];
      for (let n = start; n < end; n += 1)
        recipients.push({ address: memberAt(spec, n, options.serviceUrl, channelAddress).address });
      return { recipients, ...(end < total(spec) ? { next: String(end) } : {}) };
    },
    message: async () => ({ text: 'Masterclass depolarisatie: donderdag 14:00', blocks: [] }),
  });

  const rig: Rig = {
    broadcaster,
    store,
    queue,
    expected: (s) => expectedKeys(s, options.serviceUrl),
    async seed(s) {
      if (await store.get<boolean>('rig:seeded')) return;
      for (let n = 0; n < total(s); n += 1) {
        const member = memberAt(s, n, options.serviceUrl, channelAddress);
        if (member.person) {
          const c = member.conversation;
          await book.rememberPerson(
            member.person,
            { platform: c.platform, tenantId: c.tenantId, userId: `u${member.person}`, extra: c.extra ?? {} },
            c,
          );
        } else await book.rememberChannel(member.conversation);
      }
      await store.set('rig:seeded', true);
    },
    async run(id, s) {
      spec = s;
      await broadcaster.start();
      if (!(await broadcaster.get(id)))
        await broadcaster.create({ id, kind: 'rig', sendAt: Date.now(), createdBy: 'api', locale: 'nl' });
      for (;;) {
        const b = await broadcaster.get(id);
        if (b?.status === 'done') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      return broadcaster.counts(id);
    },
    async close() {
      await broadcaster.stop();
      await store.close();
      await Promise.all(connections.map((c) => c.quit()));
    },
  };
  return rig;
}
