/**
 * The inbox: an inbound event is acknowledged to the platform only after it is durably recorded, and a recorded
 * event that was never finished (the process crashed, was killed, or the store failed mid-turn) is finished later
 * — at most one effect each. It is also the core's one de-duplication: the record's claim is what tells a
 * redelivery (Slack retries for about an hour, Teams resends an invoke) from a new event.
 *
 * Per event (nothing holds the platform's event id):
 * - `event:<platform>:[<time>:]<hash>` — a claim on the keyed hash of the event id for 24 hours: the event was seen
 *   (de-duplication); filed under the platform's own time of the event when the adapter knows it;
 * - `inbox:<platform>:<time><process><n>` — while unfinished: what the adapter needs to run the work again and
 *   whose work it is, sealed with DATA_KEY (it can hold what a person typed);
 * - the sorted index `inbox:pending` — unfinished records by the time they were recorded, so recovery finds them.
 * Finishing the work deletes the record and its index entry; the claim stays and keeps redeliveries out.
 *
 * Every event pays for these writes before its acknowledgement, so they are kept few and cheap: record keys rise
 * with time (on SQLite new rows land on the same B-tree pages as the last ones, where random keys would dirty a
 * page each), the time a record is leased to its process is its index score rather than a row of its own, and
 * "vergeet mij" finds a person's unfinished records by opening the few pending ones instead of tracking each in the
 * person index.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KeyedHash, Pseudonymizer } from '../crypto/pseudonym.js';
import type { Sealer } from '../crypto/sealer.js';
import { DAY_MS, MINUTE_MS, SECOND_MS } from '../lib/time.js';
import type { InboxReplay } from '../message/adapter.js';
import type { Platform, UserRef } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';

/** How long an event id is remembered for de-duplication (Slack redelivers for up to about an hour). */
export const DEDUPE_TTL_MS = DAY_MS;
/** How long an unfinished record is kept for recovery; after that it is dropped (and logged). */
export const INBOX_TTL_MS = DAY_MS;
/**
 * A recorded event is leased to the process that accepted it for this long: a turn takes seconds, so a record
 * still unfinished after it belongs to a process that crashed or was killed, and recovery may finish it.
 */
export const RECOVERY_GRACE_MS = MINUTE_MS;
/** While one process finishes a record during recovery, others leave it alone for this long. */
const LEASE_MS = 5 * MINUTE_MS;
/** A record whose work failed this often is given up (logged), so one poisoned event cannot loop forever. */
const MAX_ATTEMPTS = 5;
const PENDING_INDEX = 'inbox:pending';
const PAGE = 100;
/** Milliseconds since 1970 in base 36 fit nine characters until the year 5188, so keys sort by time. */
const TIME_WIDTH = 9;
const SEQUENCE_WIDTH = 6;

/** A recorded, unfinished piece of work, as stored (sealed). */
interface InboxRecord {
  platform: Platform;
  payload: unknown;
  receivedAt: number;
  attempts: number;
  /** Whose work it is (their pseudonym under the current key), so "vergeet mij" finds it. */
  person?: string;
}

/** An event as the inbox knows it: its platform and the platform's id. */
export interface InboxEvent {
  platform: Platform;
  eventId: string;
}

/** Runs the recorded work of one platform again (the adapter's `replay`). */
export type Replayer = (payload: unknown) => Promise<void>;

export interface Inbox {
  /**
   * Record an event once: true the first time (and, with `replay`, its work is kept until `finish`), false for a
   * redelivery. Rejects when it cannot be recorded durably: the adapter then asks the platform to deliver again.
   */
  accept(platform: Platform, eventId: string, replay?: InboxReplay): Promise<boolean>;
  /** The work of an accepted event is done: drop what was kept for recovery (nothing to do when nothing was). */
  finish(platform: Platform, eventId: string): Promise<void>;
  /**
   * Finish recorded work that nobody finished (its lease ran out, so its process is gone):
   * each record is leased, handed to its platform's replayer, and dropped once that resolves. Returns how many.
   */
  recover(replayers: Partial<Record<Platform, Replayer>>): Promise<{ finished: number; failed: number }>;
  /**
   * "Vergeet mij": drop the person's unfinished records (their work is not run again), except the record of the
   * event asking (`asking`, finished when its turn is over); returns how many.
   */
  forget(user: Pick<UserRef, 'platform' | 'tenantId' | 'userId'>, asking?: InboxEvent): Promise<number>;
}

export interface InboxDeps {
  store: KeyValueStore;
  hash: KeyedHash;
  sealer: Sealer;
  pseudonymize: Pseudonymizer;
  log: Logger;
  now?: () => number;
  /** How long a recorded event stays leased to the process that accepted it (default RECOVERY_GRACE_MS). */
  leaseMs?: number;
}

export function createInbox(deps: InboxDeps): Inbox {
  const { store, sealer } = deps;
  const now = deps.now ?? Date.now;
  const graceMs = deps.leaseMs ?? RECOVERY_GRACE_MS;
  const log = deps.log.child({ component: 'inbox' });
  // With the platform's own time of the event (the same on every redelivery) the claim is filed under it: claims of
  // one moment then sit together in the store (on SQLite on the same B-tree pages) instead of one page each.
  const claimKey = (platform: Platform, eventId: string, sentAt?: number) => {
    const hash = deps.hash('event', platform, eventId);
    if (sentAt === undefined || !Number.isSafeInteger(sentAt) || sentAt < 0) return `event:${platform}:${hash}`;
    return `event:${platform}:${sentAt.toString(36).padStart(TIME_WIDTH, '0')}:${hash}`;
  };
  const leaseKey = (key: string) => `${key}:lease`;
  // Record keys: the time, this process and a count. Unique across processes, rising within each, and unrelated
  // to the event id.
  const processTag = randomBytes(4).toString('hex');
  let sequence = 0;
  const recordKey = (platform: Platform, receivedAt: number) => {
    sequence = (sequence + 1) % 36 ** SEQUENCE_WIDTH;
    const time = receivedAt.toString(36).padStart(TIME_WIDTH, '0');
    return `inbox:${platform}:${time}${processTag}${sequence.toString(36).padStart(SEQUENCE_WIDTH, '0')}`;
  };

  /** Records this process wrote and has not finished yet, by platform and event id: finishing anything else is free. */
  const open = new Map<string, string>();
  const openId = (platform: Platform, eventId: string) => `${platform}\u001f${eventId}`;
  /**
   * Records whose work this process did but could not mark finished (the store was away at that moment): dropped
   * by the next recovery, never run again — the person already has their answer.
   */
  const done = new Set<string>();

  async function drop(key: string): Promise<void> {
    // All in one loop turn: one commit on SQLite.
    await Promise.all([store.delete(key), store.delete(leaseKey(key)), store.indexRemove(PENDING_INDEX, key)]);
  }

  async function finishOne(key: string, replayers: Partial<Record<Platform, Replayer>>): Promise<boolean> {
    const lease = await store.claim(leaseKey(key), LEASE_MS);
    if (!lease) return false;
    const sealed = await store.get<string>(key);
    if (sealed === undefined) {
      await store.indexRemove(PENDING_INDEX, key);
      return false;
    }
    const record = sealer.open<InboxRecord>(sealed, key);
    const replay = replayers[record.platform];
    if (!replay || record.attempts >= MAX_ATTEMPTS) {
      log.error({ platform: record.platform, attempts: record.attempts }, 'recorded event given up');
      await drop(key);
      return false;
    }
    // Count the attempt first: a record that crashes the process every time is given up after MAX_ATTEMPTS.
    const remaining = Math.max(SECOND_MS, record.receivedAt + INBOX_TTL_MS - now());
    await store.set(key, sealer.seal({ ...record, attempts: record.attempts + 1 }, key), remaining);
    await replay(record.payload);
    await drop(key);
    return true;
  }

  /** Every pending record key, oldest first; with `recordedBefore`, only those recorded before that time. */
  async function* pending(recordedBefore?: number): AsyncGenerator<string> {
    let after: { score: number; member: string } | undefined;
    for (;;) {
      const page = await store.indexRange(PENDING_INDEX, { after, limit: PAGE, max: recordedBefore });
      for (const { member } of page.entries) yield member;
      if (!page.cursor) return;
      after = page.cursor;
    }
  }

  return {
    async accept(platform, eventId, replay) {
      const claim = claimKey(platform, eventId, replay?.sentAt);
      const first = await store.claim(claim, DEDUPE_TTL_MS);
      if (!first || !replay) return first;
      const receivedAt = now();
      const key = recordKey(platform, receivedAt);
      const record: InboxRecord = { platform, payload: replay.payload, receivedAt, attempts: 0 };
      if (replay.user) record.person = deps.pseudonymize(replay.user);
      try {
        // Both in one loop turn, so SQLite commits them together before the platform is answered. The index score
        // is the time recorded: recovery leaves a record alone until its process had time to finish it.
        await Promise.all([
          store.set(key, sealer.seal(record, key), INBOX_TTL_MS),
          store.indexAdd(PENDING_INDEX, key, receivedAt),
        ]);
        open.set(openId(platform, eventId), key);
      } catch (error) {
        // Not recorded: let a redelivery through again, so the platform's retry is not mistaken for a duplicate.
        await store.delete(claim).catch(() => false);
        throw error;
      }
      return true;
    },

    async finish(platform, eventId) {
      const id = openId(platform, eventId);
      const key = open.get(id);
      if (key === undefined) return;
      open.delete(id);
      try {
        // No lease row to delete: a record is leased through its index score until recovery takes it over.
        await Promise.all([store.delete(key), store.indexRemove(PENDING_INDEX, key)]);
      } catch (error) {
        done.add(key);
        throw error;
      }
    },

    async recover(replayers) {
      for (const key of [...done]) {
        await drop(key);
        done.delete(key);
      }
      let finished = 0;
      let failed = 0;
      for await (const key of pending(now() - graceMs)) {
        try {
          if (await finishOne(key, replayers)) finished += 1;
        } catch (error) {
          failed += 1;
          log.warn({ err: error }, 'recorded event could not be finished; it is tried again later');
        }
      }
      if (finished + failed > 0) log.info({ finished, failed }, 'recorded events recovered');
      return { finished, failed };
    },

    async forget(user, asking) {
      // Only unfinished records are pending: events in flight and what a crash left, a handful at any time.
      const person = deps.pseudonymize(user);
      const own = asking ? open.get(openId(asking.platform, asking.eventId)) : undefined;
      const theirs: string[] = [];
      for await (const key of pending()) {
        if (key === own) continue;
        const record = sealer.tryOpen<InboxRecord>(await store.get(key), key);
        if (record?.person === person) theirs.push(key);
      }
      for (const key of theirs) await drop(key);
      return theirs.length;
    },
  };
}
