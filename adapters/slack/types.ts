import type { HttpRoutes, Locale, Logger, OutboundPolicy, RateWindow } from '../../src/core/index.js';

/** Looks up the adapter's own labels (`slack.*`) in the person's language: the core's translator. */
export type Translate = (locale: Locale, key: string, vars?: Record<string, string | number>) => string;

/** What the Slack adapter needs from the composition root. */
export interface SlackAdapterDeps {
  log: Logger;
  routes: HttpRoutes;
  /** Rate limits and Retry-After pauses, shared by replicas when the deployment runs several (on Redis). */
  policy: OutboundPolicy;
  /** The core's translator, for the adapter's own controls (modal title, App Home buttons). */
  translate: Translate;
  defaultLocale?: Locale;
  now?: () => number;
  /** Overrides for tests and benchmarks; the defaults follow Slack's documentation. */
  tuning?: Partial<SlackTuning>;
}

/** Knobs with defaults from Slack's documentation (docs/slack.md, "Rate limits"); tests shorten them. */
export interface SlackTuning {
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /**
   * chat.postMessage per channel, across replicas. Slack: "generally one message per second per channel", short
   * bursts tolerated. A send beyond them is not made: it fails with RateLimitedError carrying the wait.
   */
  channelPostLimits: RateWindow[];
  /** chat.postMessage per workspace, across replicas. Slack keeps such a limit but does not publish it. */
  workspacePostLimits: RateWindow[];
  /** Web API: retries for network errors and 5xx (never for 429), and the deadline for all of them. */
  webApiRetries: number;
  webApiMaxRetryTimeMs: number;
  webApiTimeoutMs: number;
  /** Turns running after their ack; above this the adapter answers 503 so Slack delivers again later. */
  maxInFlight: number;
  /**
   * How long a form modal's submission waits for the core's answer before it is acknowledged anyway: Slack shows
   * an error in the modal when a view_submission gets no answer within 3 seconds.
   */
  viewAnswerBudgetMs: number;
}

export const DEFAULT_TUNING: SlackTuning = {
  maxBodyBytes: 512 * 1024,
  // About one per second: a turn's two or three messages in a row go out, a steady stream is held to 5 per 5 s.
  channelPostLimits: [
    { points: 3, durationMs: 1_000 },
    { points: 5, durationMs: 5_000 },
  ],
  // A guess on the safe side (Slack's 429s say when it is too low): bursts of 10 per second, 300 per minute.
  workspacePostLimits: [
    { points: 10, durationMs: 1_000 },
    { points: 300, durationMs: 60_000 },
  ],
  webApiRetries: 2,
  webApiMaxRetryTimeMs: 5_000,
  webApiTimeoutMs: 5_000,
  maxInFlight: 2_000,
  viewAnswerBudgetMs: 2_500,
};

/** Where a turn's answers go. Built per inbound payload, read only by turn-io.ts. */
export interface ReplyTarget {
  teamId: string;
  userId: string;
  /** The conversation non-direct sends go to; absent for the App Home (answers go to the 1:1 chat). */
  channel?: string;
  threadTs?: string;
  /** True when `channel` is the bot's 1:1 chat with the person. */
  isDirect: boolean;
  /** Slash commands and ephemeral messages: answers outside the bot's 1:1 chat go here, visible to the person only. */
  responseUrl?: string;
  /** The message the action came from, to update it in place. */
  source?: { channel: string; ts: string; ephemeral: boolean };
  /** The click's or command's trigger (valid about 3 s): a form the core sends opens as a modal with it. */
  triggerId?: string;
}

/** A person's App Home was opened. */
export interface HomeRequest {
  kind: 'home';
  id: string;
  teamId: string;
  userId: string;
  channel?: string;
}

/** Open the modal for a typed answer (needs the trigger id within 3 seconds). */
export interface ModalRequest {
  kind: 'modal';
  teamId: string;
  userId: string;
  triggerId: string;
  /** The action_id of the button that opened it; the submission answers with the same payload. */
  actionId: string;
  spec: ModalSpec;
  source?: { channel: string; ts: string; threadTs?: string; ephemeral: boolean; responseUrl?: string };
}

/** What the modal shows; carried in the opening button's value. */
export interface ModalSpec {
  label: string;
  placeholder?: string;
  maxLength: number;
  submitLabel: string;
  locale?: Locale;
}
