import type { HttpRoutes, Locale, Logger, OutboundPolicy } from '../../src/core/index.js';

/** Looks up the adapter's own labels (`slack.*`) in the person's language: the core's translator. */
export type Translate = (locale: Locale, key: string, vars?: Record<string, string | number>) => string;

/** What the Slack adapter needs from the composition root. */
export interface SlackAdapterDeps {
  log: Logger;
  routes: HttpRoutes;
  /** Retry-After pauses and per-channel pacing, shared by replicas when the deployment runs several. */
  policy: OutboundPolicy;
  /** The core's translator, for the adapter's own controls (modal title, App Home buttons). */
  translate: Translate;
  defaultLocale?: Locale;
  now?: () => number;
  /** Overrides for tests and benchmarks; the defaults follow Slack's documentation. */
  tuning?: Partial<SlackTuning>;
}

/** Knobs with defaults from platform.md §1 and §6; tests shorten them. */
export interface SlackTuning {
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** Minimum gap between two chat.postMessage calls to one channel, across replicas (Slack: ~1 per second). */
  channelGapMs: number;
  /** How long a send may wait for its channel slot before it fails with RateLimitedError. */
  maxPaceWaitMs: number;
  /** A 429 whose Retry-After is at most this long is waited out and tried once more; longer ones fail at once. */
  maxRetryAfterWaitMs: number;
  /** Web API: retries for network errors and 5xx (never for 429), and the deadline for all of them. */
  webApiRetries: number;
  webApiMaxRetryTimeMs: number;
  webApiTimeoutMs: number;
  /** Turns running after their ack; above this the adapter answers 503 so Slack delivers again later. */
  maxInFlight: number;
}

export const DEFAULT_TUNING: SlackTuning = {
  maxBodyBytes: 512 * 1024,
  channelGapMs: 1000,
  maxPaceWaitMs: 30_000,
  maxRetryAfterWaitMs: 5_000,
  webApiRetries: 2,
  webApiMaxRetryTimeMs: 5_000,
  webApiTimeoutMs: 5_000,
  maxInFlight: 2_000,
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
