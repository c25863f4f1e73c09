import type { HttpRoutes, Logger, OutboundPolicy, Route } from '../../src/core/index.js';

/** What the Teams adapter needs from the composition root. */
export interface TeamsAdapterDeps {
  log: Logger;
  routes: HttpRoutes;
  /** Local mode: without an app id there is no token check (only allowed here). */
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

/** Knobs with defaults from the Teams and Bot Framework documentation; tests shorten them. */
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
  /** After this long a turn is acknowledged and the rest of its work continues proactively (Teams waits 15 s). */
  turnBudgetMs: number;
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** When the SDK starts loading: in the background after start() (default) or at once. */
  sdkLoad: 'background' | 'eager';
  /**
   * In the background, loading starts this long after start(): loading blocks the event loop in steps of up to a
   * few hundred ms, so the server first starts listening and answers its first probes. A Teams request that
   * arrives earlier starts the load at once.
   */
  sdkLoadDelayMs: number;
  /** Deadline of one Bot Connector call (and of a token request). */
  connectorTimeoutMs: number;
  /** The bot's own token is renewed this long before it expires. */
  tokenRefreshMarginMs: number;
  /** The Bot Framework's OpenID metadata; only tests point it elsewhere (there is no environment variable). */
  openIdMetadataUrl: string;
  /** Deadline for fetching the metadata and the key set together. */
  openIdTimeoutMs: number;
  /** Signing keys are refreshed in the background when older than this. */
  openIdRefreshMs: number;
  /** Signing keys older than this are not used (a refresh that keeps failing ends in 503). */
  openIdMaxAgeMs: number;
  /** An unknown key id refreshes the keys at most this often. */
  openIdMinRefreshMs: number;
  /** After a failed fetch without usable keys, requests get 503 for this long before the next try. */
  openIdRetryMs: number;
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
    /** Set on a form's submit: the inputs named `bb_f_<field id>` are its fields. */
    form?: boolean;
  };
  [input: string]: unknown;
}

/** The single verb of every Bubbelbreker card action (Action.Execute verb, Action.Submit `verb` field). */
export const CARD_VERB = 'bb';
/** Input ids; Teams merges input values into the action data under these names. */
export const INPUT_VALUES = 'bb_values';
export const INPUT_TEXT = 'bb_text';
/** A form field's input id is this prefix and the field id (a date-time adds `__date` and `__time`). */
export const INPUT_FIELD_PREFIX = 'bb_f_';

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
  sdkLoadDelayMs: 1_000,
  connectorTimeoutMs: 15_000,
  tokenRefreshMarginMs: 5 * 60_000,
  openIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  openIdTimeoutMs: 5_000,
  openIdRefreshMs: 24 * 3_600_000,
  openIdMaxAgeMs: 5 * 24 * 3_600_000,
  openIdMinRefreshMs: 60_000,
  openIdRetryMs: 10_000,
};
