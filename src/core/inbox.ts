/**
 * The inbox: an inbound event is acknowledged to the platform only after it is durably recorded, and a recorded
 * event that was never finished (the process crashed, was killed, or the store failed mid-turn) is finished later
 * — at most one effect each. It is also the core's one de-duplication: the record's claim is what tells a
 * redelivery (Slack retries for about an hour, Teams resends an invoke) from a new event.
 *
 * Per event (nothing holds the platform's event id):
 * - `event:<platform>:[<time>:]<hash>` — a claim on the keyed hash of the event id for 24 hours: the event was seen
 *   (de-duplication); filed under the platform's own time of the event when the adapter knows it;
 * - the sorted index `inbox:pending` — while unfinished, the record itself: `<id>.<sealed>`, scored by the time it
 *   was recorded. The id is `inbox:<platform>:<time><process><n>`; the sealed part (DATA_KEY, the id as its
 *   authenticated data) holds what the adapter needs to run the work again and whose work it is (it can hold what a
 *   person typed). Recovery reads the records from the index, oldest first.
 * Finishing the work removes the record from the index; the claim stays and keeps redeliveries out.
 *
 * Every event pays for these writes before its acknowledgement, so they are kept few and cheap: one row for the
 * record (a value beside an index entry cost twice the writes), ids that rise with time (on SQLite new rows land on
 * the same B-tree pages as the last ones, where random keys would dirty a page each), the time recorded as the lease
 * of the accepting process rather than a row of its own, and "vergeet mij" finding a person's unfinished records by
 * opening the few pending ones instead of tracking each in the person index.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KeyedHash, Pseudonymizer } from '../crypto/pseudonym.js';
import type { Sealer } from '../crypto/sealer.js';
import { DAY_MS, MINUTE_MS } from '../lib/time.js';
import type { InboxReplay } from '../message/adapter.js';
import type { Platform, UserRef } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';

/** How long an event id is remembered for de-duplication (Slack redelivers for up to about an hour). */
export const DEDUPE_TTL_MS = DAY_MS;
/** How long an unfinished record is kept for recovery; after that recovery drops it (and logs it). */
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
  // Record ids: the time, this process and a count. Unique across processes, rising within each, unrelated to the
  // event id, and free of dots (a member is `<id>.<sealed record>`).
  const processTag = randomBytes(4).toString('hex');
  let sequence = 0;
  const recordId = (platform: Platform, receivedAt: number) => {
    sequence = (sequence + 1) % 36 ** SEQUENCE_WIDTH;
    const time = receivedAt.toString(36).padStart(TIME_WIDTH, '0');
    return `inbox:${platform}:${time}${processTag}${sequence.toString(36).padStart(SEQUENCE_WIDTH, '0')}`;
  };
  const member = (id: string, record: InboxRecord) => `${id}.${sealer.seal(record, id)}`;
  const leaseKey = (id: string) => `${id}:lease`;

  const idOf = (entry: string) => entry.slice(0, Math.max(0, entry.indexOf('.')));
  /** A pending member read back: its id and record (undefined when it does not open: another DATA_KEY). */
  function read(entry: string): { id: string; record?: InboxRecord } {
    const id = idOf(entry);
    return { id, record: id ? sealer.tryOpen<InboxRecord>(entry.slice(id.length + 1), id) : undefined };
  }

  /** Records this process wrote and has not finished yet, by platform and event id: finishing anything else is free. */
  const open = new Map<string, string>();
  const openId = (platform: Platform, eventId: string) => `${platform}\u001f${eventId}`;
  /**
   * Records whose work this process did but could not mark finished (the store was away at that moment): dropped
   * by the next recovery, never run again — the person already has their answer.
   */
  const done = new Set<string>();

  async function drop(entry: string): Promise<void> {
    // Both in one loop turn: one commit on SQLite.
    await Promise.all([store.indexRemove(PENDING_INDEX, entry), store.delete(leaseKey(idOf(entry)))]);
  }

  async function finishOne(entry: string, replayers: Partial<Record<Platform, Replayer>>): Promise<boolean> {
    const { id, record } = read(entry);
    if (!(await store.claim(leaseKey(id), LEASE_MS))) return false;
    if (!record || record.receivedAt + INBOX_TTL_MS <= now()) {
      // Sealed with a DATA_KEY no longer configured, or older than a day: nobody waits for this answer any more.
      log.error({ platform: record?.platform, readable: record !== undefined }, 'recorded event given up (too old)');
      await drop(entry);
      return false;
    }
    const replay = replayers[record.platform];
    if (!replay || record.attempts >= MAX_ATTEMPTS) {
      log.error({ platform: record.platform, attempts: record.attempts }, 'recorded event given up');
      await drop(entry);
      return false;
    }
    // Count the attempt first: a record that crashes the process every time is given up after MAX_ATTEMPTS. One
    // atomic rename, so the record is never pending twice or not at all.
    const next = member(id, { ...record, attempts: record.attempts + 1 });
    if (!(await store.indexRenameMember(PENDING_INDEX, entry, next))) {
      // Finished (or given up) by another process since this page was read: nothing left to run.
      await store.delete(leaseKey(id));
      return false;
    }
    await replay(record.payload);
    await drop(next);
    return true;
  }

  /** Every pending member, oldest first; with `recordedBefore`, only those recorded before that time. */
  async function* pending(recordedBefore?: number): AsyncGenerator<string> {
    let after: { score: number; member: string } | undefined;
    for (;;) {
      const page = await store.indexRange(PENDING_INDEX, { after, limit: PAGE, max: recordedBefore });
      for (const entry of page.entries) yield entry.member;
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
      const record: InboxRecord = { platform, payload: replay.payload, receivedAt, attempts: 0 };
      if (replay.user) record.person = deps.pseudonymize(replay.user);
      const entry = member(recordId(platform, receivedAt), record);
      try {
        // The score is the time recorded: recovery leaves a record alone until its process had time to finish it.
        await store.indexAdd(PENDING_INDEX, entry, receivedAt);
        open.set(openId(platform, eventId), entry);
      } catch (error) {
        // Not recorded: let a redelivery through again, so the platform's retry is not mistaken for a duplicate.
        await store.delete(claim).catch(() => false);
        throw error;
      }
      return true;
    },

    async finish(platform, eventId) {
      const id = openId(platform, eventId);
      const entry = open.get(id);
      if (entry === undefined) return;
      open.delete(id);
      try {
        // No lease to delete: a record is left to its process through its score until recovery takes it over.
        await store.indexRemove(PENDING_INDEX, entry);
      } catch (error) {
        done.add(entry);
        throw error;
      }
    },

    async recover(replayers) {
      for (const entry of [...done]) {
        await drop(entry);
        done.delete(entry);
      }
      let finished = 0;
      let failed = 0;
      for await (const entry of pending(now() - graceMs)) {
        try {
          if (await finishOne(entry, replayers)) finished += 1;
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
      for await (const entry of pending()) {
        if (entry !== own && read(entry).record?.person === person) theirs.push(entry);
      }
      for (const entry of theirs) await drop(entry);
      return theirs.length;
    },
  };
}
