/**
 * The outbound policy adapters send under: Retry-After pauses and per-scope pacing, held in this process or —
 * with a shared store (several replicas on Redis) — across processes. Scopes are named by the adapter
 * (`chat.postMessage:<channel>`) and stored only as keyed hashes, never as the platform ids they contain.
 */
import type { KeyedHash } from '../crypto/pseudonym.js';
import { RateLimitedError } from '../errors.js';
import type { Platform } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';

export interface OutboundPolicy {
  /** Remember that the platform asked to wait `ms` before the next call in `scope` (a 429's Retry-After). */
  pause(scope: string, ms: number): Promise<void>;
  /** How long `scope` is still paused, in ms (0 when it is not). */
  pausedFor(scope: string): Promise<number>;
  /**
   * Take the next slot of `scope`, which opens once every `gapMs`. Resolves when the call may go; rejects with
   * RateLimitedError when the slot is further away than `maxWaitMs`.
   */
  pace(scope: string, gapMs: number, maxWaitMs: number): Promise<void>;
}

export interface OutboundPolicyDeps {
  platform: Platform;
  hash: KeyedHash;
  /** When given, pauses and slots are shared through it with every process that uses the same store. */
  shared?: KeyValueStore;
  now?: () => number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Entries of the in-process pacing table older than this are dropped when the table grows. */
const MAX_SLOTS = 10_000;

export function createOutboundPolicy(deps: OutboundPolicyDeps): OutboundPolicy {
  const now = deps.now ?? Date.now;
  const pausedUntil = new Map<string, number>();
  const nextSlot = new Map<string, number>();
  const keyOf = (kind: string, scope: string) =>
    `rate:${deps.platform}:${kind}:${deps.hash('rate', deps.platform, scope)}`;

  return {
    async pause(scope, ms) {
      const until = now() + ms;
      pausedUntil.set(scope, until);
      if (deps.shared) await deps.shared.set(keyOf('pause', scope), until, ms).catch(() => undefined);
    },

    async pausedFor(scope) {
      let until = pausedUntil.get(scope) ?? 0;
      if (until !== 0 && until <= now()) {
        pausedUntil.delete(scope);
        until = 0;
      }
      // Another replica may have been told to wait.
      if (until === 0 && deps.shared) until = (await deps.shared.get<number>(keyOf('pause', scope))) ?? 0;
      return Math.max(0, until - now());
    },

    async pace(scope, gapMs, maxWaitMs) {
      if (gapMs <= 0) return;
      if (!deps.shared) {
        const at = now();
        const slot = Math.max(at, nextSlot.get(scope) ?? 0);
        if (slot - at > maxWaitMs) throw new RateLimitedError(deps.platform, slot - at);
        nextSlot.set(scope, slot + gapMs);
        if (nextSlot.size > MAX_SLOTS) for (const [key, next] of nextSlot) if (next <= at) nextSlot.delete(key);
        if (slot > at) await sleep(slot - at);
        return;
      }
      const key = keyOf('slot', scope);
      const deadline = now() + maxWaitMs;
      const poll = Math.max(5, Math.min(100, Math.floor(gapMs / 5)));
      while (!(await deps.shared.claim(key, gapMs))) {
        if (now() + poll > deadline) throw new RateLimitedError(deps.platform, gapMs);
        await sleep(poll);
      }
    },
  };
}
