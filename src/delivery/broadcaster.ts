/**
 * Delivery at scale, after Company Communicator: a broadcast is scheduled, then a durable "prepare" job expands its
 * audience page by page into one ledger record and one send job per recipient (resuming where it stopped), send jobs
 * deliver through `deliver()` under the adapters' outbound limits, and a progress job updates the organiser's message
 * every few seconds until every record is final, then leaves the final report. Reminders reuse it as another kind.
 */
import type { Logger } from 'pino';
import type { KeyedHash } from '../crypto/pseudonym.js';
import type { Sealer } from '../crypto/sealer.js';
import type { QuietHours } from '../lib/quiet-hours.js';
import { DAY_MS, HOUR_MS } from '../lib/time.js';
import type { OutboundMessage, SentRef } from '../message/types.js';
import type { Deliver } from '../outbound/deliver.js';
import type { JobQueue } from '../queue/queue.js';
import type { KeyValueStore } from '../store/store.js';
import { updateWithRetry } from '../store/update-with-retry.js';
import { type Counts, createLedger, deliveryKeys, type Ledger } from './ledger.js';
import { createSendJobs, JOBS } from './send-jobs.js';
import type { Broadcast, BroadcastKind, NewBroadcast } from './types.js';

export interface BroadcasterDeps {
  store: KeyValueStore;
  queue: JobQueue;
  deliver: Deliver;
  hash: KeyedHash;
  sealer: Sealer;
  log: Logger;
  /** Replace a message the bot sent (the organiser's progress message). */
  update(ref: SentRef, message: OutboundMessage): Promise<void>;
  now?: () => number;
  maxAttempts: number;
  /** Send jobs at once in this process. */
  concurrency: number;
  quietHours: QuietHours | 'off';
  /** For people whose platform does not tell their time zone. */
  timeZone: string;
  /** Finished broadcasts and their records are deleted this long after they finished. */
  retentionDays: number;
  /** How often the progress message may change. Default 5 s. */
  progressIntervalMs?: number;
  /** First wait after a platform failure (doubling each time). Default 2 s. */
  retryBaseMs?: number;
}

const PURGE_JOB = 'broadcast.purge';

/** Outcome of cancelling. */
export type CancelResult = 'cancelled' | 'not-found' | 'too-late';

export interface Broadcaster {
  readonly ledger: Ledger;
  /** Register a kind (announcement, reminder) before `start`. */
  registerKind(kind: string, spec: BroadcastKind): void;
  /** Schedule a broadcast; its audience is expanded at `sendAt`. */
  create(input: NewBroadcast): Promise<Broadcast>;
  get(id: string): Promise<Broadcast | undefined>;
  counts(id: string): Promise<Counts>;
  cancel(id: string): Promise<CancelResult>;
  /** Before "vergeet mij": delete the person's records and the messages still queued for them. */
  forgetPerson(person: string): Promise<number>;
  /** Delete broadcasts that finished (or were cancelled) before the retention period. */
  purge(): Promise<number>;
  /** Start the workers of this process. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createBroadcaster(deps: BroadcasterDeps): Broadcaster {
  const now = deps.now ?? Date.now;
  const { store, queue } = deps;
  const kinds = new Map<string, BroadcastKind>();
  const ledger = createLedger(store, deps.hash);
  const get = async (id: string) => (await store.getVersioned<Broadcast>(deliveryKeys.broadcast(id))).value;
  let started = false;

  const jobs = createSendJobs({ ...deps, now, ledger, kinds, get });

  const broadcaster: Broadcaster = {
    ledger,
    registerKind(kind, spec) {
      if (kinds.has(kind)) throw new Error(`broadcast kind ${kind} is registered twice`);
      kinds.set(kind, spec);
    },

    async create(input) {
      if (!kinds.has(input.kind)) throw new Error(`unknown broadcast kind ${input.kind}`);
      const broadcast: Broadcast = {
        id: input.id,
        kind: input.kind,
        status: 'scheduled',
        sendAt: input.sendAt,
        createdAt: now(),
        createdBy: input.createdBy,
        locale: input.locale,
        ...(input.progress ? { progress: deps.sealer.seal(input.progress, deliveryKeys.broadcast(input.id)) } : {}),
      };
      if (!(await store.compareAndSet(deliveryKeys.broadcast(input.id), 0, broadcast)))
        throw new Error('a broadcast with this id exists');
      await store.indexAdd(deliveryKeys.timeline, input.id, input.sendAt);
      await queue.add({ name: JOBS.prepare, id: `p.${input.id}`, data: { b: input.id }, runAt: input.sendAt });
      return broadcast;
    },

    get,
    counts: (id) => ledger.counts(id),

    async cancel(id) {
      let result = 'not-found' as CancelResult;
      await updateWithRetry<Broadcast>(store, deliveryKeys.broadcast(id), (current) => {
        if (!current) {
          result = 'not-found';
          return current;
        }
        if (current.status !== 'scheduled') {
          result = current.status === 'cancelled' ? 'cancelled' : 'too-late';
          return current;
        }
        result = 'cancelled';
        return { ...current, status: 'cancelled', finishedAt: now() };
      });
      if (result === 'cancelled') await queue.remove(`p.${id}`);
      return result;
    },

    async forgetPerson(person) {
      let removed = 0;
      for (;;) {
        const page = await store.indexRange(deliveryKeys.person(person), { limit: 200 });
        if (page.entries.length === 0) return removed;
        for (const { member } of page.entries) {
          const [broadcastId, rid] = member.split('|') as [string, string];
          await queue.remove(`s.${broadcastId}.${rid}`);
          await ledger.remove(broadcastId, rid, { kind: 'person', platform: 'console', person });
          removed += 1;
        }
      }
    },

    async purge() {
      const before = now() - deps.retentionDays * DAY_MS;
      let purged = 0;
      let after: { member: string; score: number } | undefined;
      for (;;) {
        const page = await store.indexRange(deliveryKeys.timeline, {
          max: before,
          limit: 100,
          ...(after ? { after } : {}),
        });
        for (const { member: id } of page.entries) {
          const broadcast = await get(id);
          if (broadcast && (broadcast.finishedAt ?? Number.POSITIVE_INFINITY) > before) continue;
          await jobs.deleteBroadcast(id);
          purged += 1;
        }
        if (!page.cursor) return purged;
        after = page.cursor;
      }
    },

    async start() {
      if (started) return;
      started = true;
      jobs.start();
      queue.work(PURGE_JOB, async () => {
        const purged = await broadcaster.purge();
        if (purged > 0) deps.log.info({ purged }, 'finished broadcasts past their retention deleted');
        return { retryAt: now() + DAY_MS };
      });
      // One purge job for the whole deployment (a fixed id), first run an hour after start.
      await queue.add({ name: PURGE_JOB, id: 'broadcast-purge', data: {}, runAt: now() + HOUR_MS });
    },
    stop: () => queue.stop(),
  };
  return broadcaster;
}
