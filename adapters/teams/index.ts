/**
 * Microsoft Teams for Bubbelbreker: botbuilder + @microsoft/teams-ai on POST /api/messages of the shared server.
 * Every Teams SDK import stays in this folder (test/boundaries.test.ts holds it), and the SDK itself loads lazily (sdk.ts).
 */
import { type ChatAdapter, createOutboundPolicy, type TeamsConfig } from '../../src/core/index.js';
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
 * Create the Teams adapter. Refuses to run without MICROSOFT_APP_ID unless in local mode: without an app id no
 * caller could be authenticated.
 *
 * @example
 * const teams = await createTeamsAdapter(config.teams, { log, store, routes: server, localMode: config.localMode });
 * await teams.start(bot.sink);
 */
export async function createTeamsAdapter(config: TeamsConfig, deps: TeamsAdapterDeps): Promise<TeamsAdapter> {
  assertAuthAllowed(config, deps.localMode);
  const tuning: TeamsTuning = { ...DEFAULT_TUNING, ...deps.tuning };
  // The policy comes from the composition root (shared through Redis there); without one, limits hold per process.
  const policy = deps.policy ?? createOutboundPolicy({}, { platform: 'teams' });
  const limiter = createSendLimiter(
    { conversationLimits: tuning.conversationLimits, tenantRps: config.tenantRps, maxWaitMs: tuning.maxLimiterWaitMs },
    { policy },
  );
  return new TeamsChatAdapter(config, { ...deps, limiter }, tuning);
}
