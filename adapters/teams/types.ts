import type { HttpRoutes, Logger, OutboundPolicy, Route } from '../../src/core/index.js';

/** What the Teams adapter needs from the composition root. */
export interface TeamsAdapterDeps {
  log: Logger;
  routes: HttpRoutes;
  /** Local mode: without an app id the Bot Framework token check is off (only allowed here). */
  localMode: boolean;
  /**
   * The outbound policy (rate limits, shared across replicas when the composition root gave it Redis). Without it
   * the limits hold per process.
   */
  policy?: OutboundPolicy;
  /** Overrides for tests and benchmarks; the defaults follow the Teams documentation. */
  tuning?: Partial<TeamsTuning>;
}

/** One rate-limit window: at most `points` sends per `durationMs`. */
export interface LimitWindow {
  points: number;
  durationMs: number;
}

/** Knobs with defaults from platform.md §2; tests shorten them. */
export interface TeamsTuning {
  /** Per bot per conversation (thread) send limits. */
  conversationLimits: LimitWindow[];
  /** How long a send may wait for a rate-limit slot before it fails with RateLimitedError. */
  maxLimiterWaitMs: number;
  /** Attempts for 429/412/502/504 (the first try included). */
  maxAttempts: number;
  /** Backoff base and cap; each wait is jittered by ±20 %. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** After this long a turn is acknowledged and the rest of its work continues proactively (T1). */
  turnBudgetMs: number;
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** When the SDK starts loading: in the background after start() (default) or at once. */
  sdkLoad: 'background' | 'eager';
}

/** Teams-only fields kept in `ConversationRef.extra` so a stored ref is enough to write first. */
export interface TeamsRefExtra {
  serviceUrl: string;
  channelId: string;
  botId: string;
  botName?: string;
  conversationType?: string;
  /** The Teams user id of the person in a personal chat (needed to open a 1:1 chat from a channel). */
  userId?: string;
  /** The id the person's pseudonym is made from (UserRef.userId: Entra object id, else Teams id). */
  personUserId?: string;
}

/** The JSON the bot puts in every card action, next to the inputs Teams merges in. */
export interface CardActionData {
  verb: typeof CARD_VERB;
  bb: {
    route: Route;
    /** The option this button picks (single choice, scale). */
    choice?: string;
    /** Set on an optional input's skip button: the typed text is ignored. */
    skip?: boolean;
  };
  [input: string]: unknown;
}

/** The single verb of every Bubbelbreker card action (Action.Execute verb, Action.Submit `verb` field). */
export const CARD_VERB = 'bb';
/** Input ids; Teams merges input values into the action data under these names. */
export const INPUT_VALUES = 'bb_values';
export const INPUT_TEXT = 'bb_text';

export const DEFAULT_TUNING: TeamsTuning = {
  conversationLimits: [
    { points: 7, durationMs: 1_000 },
    { points: 8, durationMs: 2_000 },
    { points: 60, durationMs: 30_000 },
    { points: 1_800, durationMs: 3_600_000 },
  ],
  maxLimiterWaitMs: 30_000,
  maxAttempts: 3,
  backoffBaseMs: 2_000,
  backoffMaxMs: 20_000,
  turnBudgetMs: 4_000,
  maxBodyBytes: 256 * 1024,
  sdkLoad: 'background',
};
