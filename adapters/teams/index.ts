/**
 * Microsoft Teams for Bubbelbreker: botbuilder + @microsoft/teams-ai on POST /api/messages of the shared server.
 * Every Teams SDK import stays in this folder (design.md), and the SDK itself loads lazily (sdk.ts).
 */
import { createClient } from '@keyv/redis';
import type { ChatAdapter, Logger, TeamsConfig } from '../../src/core/index.js';
import { assertAuthAllowed } from './auth.js';
import { createSendLimiter } from './limiter.js';
import { TeamsChatAdapter } from './teams-adapter.js';
import { DEFAULT_TUNING, type TeamsAdapterDeps, type TeamsTuning } from './types.js';

export type { TeamsAdapterDeps, TeamsTuning } from './types.js';
export { MESSAGES_PATH } from './teams-adapter.js';

/** The Teams adapter plus what the composition root and benchmarks may want to wait for. */
export type TeamsAdapter = ChatAdapter & {
  /** Resolves when botbuilder and teams-ai are loaded (they load in the background after start); ms it took. */
  ready(): Promise<number>;
};

/**
 * Create the Teams adapter. Refuses to run without MICROSOFT_APP_ID unless in local mode: without an app id the
 * SDK would accept any caller (T2).
 *
 * @example
 * const teams = await createTeamsAdapter(config.teams, { log, store, routes: server, localMode: config.localMode });
 * await teams.start(bot.sink);
 */
export async function createTeamsAdapter(config: TeamsConfig, deps: TeamsAdapterDeps): Promise<TeamsAdapter> {
  assertAuthAllowed(config, deps.localMode);
  const tuning: TeamsTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  const redis = deps.redisUrl
    ? await connectLimiterRedis(deps.redisUrl, tuning.redisConnectTimeoutMs, deps.log)
    : undefined;
  const limiter = createSendLimiter({
    conversationLimits: tuning.conversationLimits,
    tenantRps: config.tenantRps,
    maxWaitMs: tuning.maxLimiterWaitMs,
    redis,
  });
  const close = async () => {
    if (!redis?.isOpen) return;
    // close() waits for the commands in flight; while Redis is away that could wait for a reconnect.
    if (redis.isReady) await redis.close();
    else redis.destroy();
  };
  return new TeamsChatAdapter(config, { ...deps, limiter, close }, tuning);
}

type LimiterRedis = ReturnType<typeof createClient>;

/**
 * The Redis client for the shared rate limits, with the settings of the store's client (src/store/redis-store.ts):
 * no offline queue, so while Redis is away limiter commands fail at once and the in-process counters take over
 * (instead of queueing and holding up every send); a connect timeout; and reconnecting with a capped backoff, but
 * giving up at start-up. Resolves undefined — the limits then hold per process — when Redis does not answer.
 */
async function connectLimiterRedis(
  url: string,
  connectTimeoutMs: number,
  log: Logger,
): Promise<LimiterRedis | undefined> {
  let connectedOnce = false;
  let failing = false;
  const client: LimiterRedis = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: connectTimeoutMs,
      reconnectStrategy: (retries) => {
        if (!connectedOnce && retries >= 2) return new Error('teams limiter redis: cannot connect');
        return Math.min(2 ** retries * 100, 3000);
      },
    },
  });
  // An 'error' event without a listener would crash the process. Log the first of a run, not every retry.
  client.on('error', (error: unknown) => {
    if (failing) return;
    failing = true;
    log.warn(
      { errName: (error as Error)?.name ?? typeof error },
      'teams limiter redis: connection error, limits hold per process meanwhile',
    );
  });
  client.on('ready', () => {
    if (failing && connectedOnce) log.info('teams limiter redis: connection restored');
    failing = false;
    connectedOnce = true;
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    if (client.isOpen) client.destroy();
    log.warn(
      { errName: (error as Error)?.name ?? typeof error },
      'teams limiter redis: cannot connect, rate limits hold per process',
    );
    return undefined;
  }
}
