/**
 * The broadcaster's three jobs. `prepare` expands the audience into records and send jobs, page by page, keeping its
 * cursor in the broadcast so a restart resumes. `send` delivers to one recipient: it skips a recipient no longer
 * pending (a resumed broadcast never resends to anyone marked sent), holds direct messages in quiet hours, comes back
 * after a rate limit's wait (a wait of our own limiter is no attempt), stops at once for a blocked or unknown recipient, and after the last attempt marks the
 * recipient failed. `progress` updates the organiser's message at most every few seconds and ends with the report.
 */
import type { Logger } from 'pino';
import type { Sealer } from '../crypto/sealer.js';
import { RateLimitedError, RecipientUnreachableError, toBotError } from '../errors.js';
import { isQuiet, nextAllowed, type QuietHours } from '../lib/quiet-hours.js';
import type { OutboundMessage, Platform, SentRef } from '../message/types.js';
import type { Deliver } from '../outbound/deliver.js';
import type { Job, JobOutcome, JobQueue, JobSpec } from '../queue/queue.js';
import type { KeyValueStore } from '../store/store.js';
import { updateWithRetry } from '../store/update-with-retry.js';
import { deliveryKeys, type Ledger, type RecipientRecord } from './ledger.js';
import type { Broadcast, BroadcastKind } from './types.js';

export const JOBS = {
  prepare: 'broadcast.prepare',
  /** Send jobs queued before they were split per platform (still run after an upgrade). */
  send: 'broadcast.send',
  progress: 'broadcast.progress',
} as const;

const PLATFORMS: readonly Platform[] = ['slack', 'teams', 'console'];

/**
 * Send jobs are queued per platform (`broadcast.send.slack`, …), each with its own workers: the platforms' limits
 * are separate, so one platform's backlog or Retry-After must not hold the other's sends. In one queue, a Slack job
 * coming back after a 429 waited behind every Teams job queued before it.
 */
export const sendJobName = (platform: Platform) => `${JOBS.send}.${platform}`;

interface SendJobsDeps {
  store: KeyValueStore;
  queue: JobQueue;
  deliver: Deliver;
  sealer: Sealer;
  log: Logger;
  ledger: Ledger;
  kinds: ReadonlyMap<string, BroadcastKind>;
  get(id: string): Promise<Broadcast | undefined>;
  update(ref: SentRef, message: OutboundMessage): Promise<void>;
  now: () => number;
  maxAttempts: number;
  concurrency: number;
  quietHours: QuietHours | 'off';
  timeZone: string;
  progressIntervalMs?: number;
  retryBaseMs?: number;
}

/** Backoff after a platform failure: doubling from `baseMs` (2 s), at most 5 minutes, with ±20 % jitter. */
export function retryDelayMs(attempts: number, baseMs = 2000): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 5 * 60_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Records added at once while preparing (a page may be larger). */
const PREPARE_BATCH = 100;

const sendJobId = (broadcastId: string, rid: string) => `s.${broadcastId}.${rid}`;

export function createSendJobs(deps: SendJobsDeps) {
  const { store, queue, ledger, now, log } = deps;
  const interval = deps.progressIntervalMs ?? 5000;
  // A broadcast read once per second at most per process: a send job needs only its kind and payload.
  const cache = new Map<string, { at: number; value: Broadcast | undefined }>();
  async function cached(id: string): Promise<Broadcast | undefined> {
    const hit = cache.get(id);
    if (hit && now() - hit.at < 1000) return hit.value;
    const value = await deps.get(id);
    if (cache.size > 1000) cache.clear();
    cache.set(id, { at: now(), value });
    return value;
  }

  const change = (id: string, fn: (b: Broadcast) => Broadcast) =>
    updateWithRetry<Broadcast>(store, deliveryKeys.broadcast(id), (b) => (b ? fn(b) : b));

  async function prepare(job: Job<{ b: string }>): Promise<JobOutcome> {
    let broadcast = await deps.get(job.data.b);
    if (!broadcast || broadcast.status === 'cancelled' || broadcast.status === 'done') return undefined;
    const kind = deps.kinds.get(broadcast.kind);
    if (!kind) throw new Error('unknown broadcast kind');
    if (broadcast.status === 'scheduled') {
      // From here on the broadcast can no longer be cancelled.
      broadcast = (await change(broadcast.id, (b) =>
        b.status === 'scheduled' ? { ...b, status: 'preparing' } : b,
      )) as Broadcast;
      if (broadcast.status === 'cancelled') return undefined;
      await queue.add({ name: JOBS.progress, id: `g.${broadcast.id}`, data: { b: broadcast.id } });
    }
    while (broadcast.status === 'preparing') {
      const page = await kind.audience(broadcast, broadcast.cursor);
      // A page's records are added side by side: their writes share a few commits instead of a few each (on
      // SQLite a commit per loop turn); one recipient named twice gets one record either way (compare-and-set).
      const jobs: JobSpec[] = [];
      const id = broadcast.id;
      for (let i = 0; i < page.recipients.length; i += PREPARE_BATCH) {
        const added = await Promise.all(
          page.recipients.slice(i, i + PREPARE_BATCH).map((recipient) => ledger.add(id, recipient, now())),
        );
        for (const [k, { rid }] of added.entries()) {
          const platform = page.recipients[i + k]?.address.platform ?? 'console';
          jobs.push({ name: sendJobName(platform), id: sendJobId(id, rid), data: { b: id, r: rid } });
        }
      }
      // Jobs before the cursor moves on: a crash in between only adds the same jobs again (same ids).
      await queue.add(jobs);
      const next = page.next;
      broadcast = (await change(broadcast.id, (b) =>
        next === undefined ? { ...b, status: 'sending', cursor: undefined } : { ...b, cursor: next },
      )) as Broadcast;
    }
    return undefined;
  }

  async function settle(b: string, rid: string, version: number, next: RecipientRecord): Promise<void> {
    if (await ledger.write(b, rid, version, next)) return;
    // Somebody else wrote first (a job run twice after a lapsed lease): keep theirs, put the index in line.
    const { record } = await ledger.get(b, rid);
    if (record) await ledger.index(b, rid, record.status);
  }

  async function send(job: Job<{ b: string; r: string }>): Promise<JobOutcome> {
    const { b, r } = job.data;
    const { record, version } = await ledger.get(b, r);
    if (!record) return undefined; // forgotten ("vergeet mij") or purged
    if (record.status !== 'pending') {
      await ledger.index(b, r, record.status);
      return undefined;
    }
    const broadcast = await cached(b);
    const kind = broadcast && deps.kinds.get(broadcast.kind);
    if (!broadcast || !kind) return undefined;
    const at = now();
    if (record.address.kind === 'person') {
      const zone = record.timeZone ?? deps.timeZone;
      if (isQuiet(deps.quietHours, at, zone)) return { retryAt: nextAllowed(deps.quietHours, at, zone) };
    }
    const attempts = record.attempts + 1;
    const base = { ...record, attempts, updatedAt: at };
    try {
      await deps.deliver(record.address, await kind.message(broadcast, record));
      await settle(b, r, version, { ...base, status: 'sent', lastStatus: 'ok' });
      return undefined;
    } catch (error) {
      if (error instanceof RecipientUnreachableError) {
        const status = error.reason === 'blocked' ? 'blocked' : 'failed';
        await settle(b, r, version, { ...base, status, lastStatus: error.reason });
        return undefined;
      }
      const limited = error instanceof RateLimitedError;
      // Our own limiter held the send (a full window, a running Retry-After): nothing went out, so it is no attempt
      // and the record stays as it is; only the wait counts. Counted, a large broadcast queued behind the
      // workspace-wide rate would use up its attempts while waiting its turn and end failed unsent.
      if (limited && (error as RateLimitedError).held)
        return { retryAt: now() + Math.max(1, (error as RateLimitedError).retryAfterMs) };
      const lastStatus = limited ? 'rate_limited' : 'platform_error';
      if (attempts >= deps.maxAttempts) {
        log.warn({ code: toBotError(error).code, attempts }, 'delivery failed for good');
        await settle(b, r, version, { ...base, status: 'failed', lastStatus });
        return undefined;
      }
      await settle(b, r, version, { ...base, lastStatus });
      const wait = limited
        ? Math.max(1, (error as RateLimitedError).retryAfterMs)
        : retryDelayMs(attempts, deps.retryBaseMs);
      return { retryAt: now() + wait };
    }
  }

  async function progress(job: Job<{ b: string }>): Promise<JobOutcome> {
    const broadcast = await deps.get(job.data.b);
    if (!broadcast || broadcast.status === 'cancelled' || broadcast.status === 'done') return undefined;
    const counts = await ledger.counts(broadcast.id);
    const done = broadcast.status === 'sending' && counts.pending === 0;
    const shown = `${counts.total}/${counts.sent}/${counts.failed}/${counts.blocked}/${done}`;
    const kind = deps.kinds.get(broadcast.kind);
    if (broadcast.progress && kind?.progress && shown !== broadcast.shown) {
      const failures = done ? await ledger.failures(broadcast.id, 50) : [];
      const message = await kind.progress(broadcast, { counts, done, failures });
      try {
        const ref = deps.sealer.open<SentRef>(broadcast.progress, deliveryKeys.broadcast(broadcast.id));
        await deps.update(ref, message);
      } catch (error) {
        // The progress message is a courtesy: the broadcast goes on when it cannot be updated.
        log.warn({ code: toBotError(error).code }, 'progress message not updated');
      }
    }
    await change(broadcast.id, (b) => (done ? { ...b, status: 'done', shown, finishedAt: now() } : { ...b, shown }));
    return done ? undefined : { retryAt: now() + interval };
  }

  async function deleteBroadcast(id: string): Promise<void> {
    for (const status of ['pending', 'sent', 'failed', 'blocked'] as const) {
      const rids: string[] = [];
      for await (const rid of ledger.ids(id, status)) rids.push(rid);
      for (const rid of rids) {
        const { record } = await ledger.get(id, rid);
        await queue.remove(sendJobId(id, rid));
        if (record) await ledger.remove(id, rid, record.address);
        else await store.indexRemove(deliveryKeys.statusIndex(id), rid);
      }
    }
    await store.delete(deliveryKeys.statusIndex(id));
    await store.delete(deliveryKeys.broadcast(id));
    await store.indexRemove(deliveryKeys.timeline, id);
  }

  return {
    deleteBroadcast,
    start() {
      queue.work(JOBS.prepare, prepare, { concurrency: 2 });
      for (const platform of PLATFORMS) queue.work(sendJobName(platform), send, { concurrency: deps.concurrency });
      queue.work(JOBS.send, send, { concurrency: deps.concurrency });
      queue.work(JOBS.progress, progress, { concurrency: 4 });
    },
  };
}

export type SendJobs = ReturnType<typeof createSendJobs>;
