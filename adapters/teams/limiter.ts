/**
 * Teams' outbound rate limits on the outbound policy: per bot per conversation 7/1 s, 8/2 s, 60/30 s and 1800/h,
 * and per tenant N/s (30 by default, Teams allows 50). One send takes a point in every window of both scopes at
 * once, or none (src/outbound/policy.ts). The counters live in this process, or in Redis when the composition root
 * gives the policy a limiter connection, so replicas share them; keys reach Redis only as keyed hashes.
 *
 * Unlike Slack, a send here may wait a little for its slot: Teams' windows are one and two seconds long, a full
 * window frees up soon, and these sends run after the turn was acknowledged (the adapter hands the rest of a slow
 * turn over to proactive sending) or in jobs, never holding an HTTP request. A wait longer than `maxWaitMs` is not
 * waited: the send fails at once with RateLimitedError carrying it, and its owner (a job queue) reschedules.
 */
import { type OutboundPolicy, RateLimitedError, type RateWindow } from '../../src/core/index.js';

/** Takes a send slot for a conversation in a tenant, waiting when needed. */
export interface SendLimiter {
  acquire(conversationId: string, tenantId: string): Promise<void>;
}

export interface LimiterConfig {
  conversationLimits: RateWindow[];
  /** Sends per second per tenant, across conversations. */
  tenantRps: number;
  /** The longest this limiter waits for a slot before it fails with RateLimitedError. */
  maxWaitMs: number;
}

export interface LimiterDeps {
  policy: OutboundPolicy;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Waiting senders spread over this many ms, so they do not all try again in the same millisecond. */
const JITTER_MS = 25;

/** A limiter over all windows; see the module comment for the semantics. */
export function createSendLimiter(config: LimiterConfig, deps: LimiterDeps): SendLimiter {
  const sleep = deps.sleep ?? defaultSleep;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const tenantWindow: RateWindow[] = [{ points: config.tenantRps, durationMs: 1_000 }];
  return {
    async acquire(conversationId, tenantId) {
      const started = now();
      const scopes = [
        { key: `conversation:${conversationId}`, windows: config.conversationLimits },
        { key: `tenant:${tenantId}`, windows: tenantWindow },
      ];
      for (;;) {
        try {
          await deps.policy.take(scopes);
          return;
        } catch (error) {
          if (!(error instanceof RateLimitedError)) throw error;
          const waitMs = error.retryAfterMs + Math.floor(random() * JITTER_MS);
          if (now() - started + waitMs > config.maxWaitMs) throw error;
          await sleep(waitMs);
        }
      }
    },
  };
}
