/**
 * The inbox: an inbound event is acknowledged to the platform only after it is durably recorded, and a recorded
 * event that was never finished (the process crashed, was killed, or the store failed mid-turn) is finished later
 * — at most one effect each. It is also the core's one de-duplication: the record's claim is what tells a
 * redelivery (Slack retries for about an hour, Teams resends an invoke) from a new event.
 *
 * Per event (keys are keyed hashes of the platform's event id, never the id):
 * - `event:<platform>:<hash>` — a claim for 24 hours: the event was seen (de-duplication);
 * - `inbox:<platform>:<hash>` — while unfinished: what the adapter needs to run the work again, sealed with
 *   DATA_KEY (it can hold what a person typed), tracked under the person for "vergeet mij";
 * - the sorted index `inbox:pending` — unfinished records by the time they were recorded, so recovery finds them.
 * Finishing the work deletes the record and its index entry; the claim stays and keeps redeliveries out.
 */
import type { Logger } from 'pino';
import type { KeyedHash, PersonResolver, Pseudonymizer } from '../crypto/pseudonym.js';
import type { Sealer } from '../crypto/sealer.js';
import { DAY_MS, MINUTE_MS, SECOND_MS } from '../lib/time.js';
import type { InboxReplay } from '../message/adapter.js';
import type { Platform } from '../message/types.js';
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

/** A recorded, unfinished piece of work, as stored (sealed). */
interface InboxRecord {
  platform: Platform;
  payload: unknown;
  receivedAt: number;
  attempts: number;
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
}

export interface InboxDeps {
  store: KeyValueStore;
  hash: KeyedHash;
  sealer: Sealer;
  pseudonymize: Pseudonymizer;
  /** During a PSEUDONYM_KEY rotation: the current pseudonym, once older data moved there (src/core/rekey.ts). */
  resolvePerson?: PersonResolver;
  log: Logger;
  now?: () => number;
  /** How long a recorded event stays leased to the process that accepted it (default RECOVERY_GRACE_MS). */
  leaseMs?: number;
}

export function createInbox(deps: InboxDeps): Inbox {
  const { store, sealer } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ component: 'inbox' });
  const hashed = (platform: Platform, eventId: string) => deps.hash('event', platform, eventId);
  const claimKey = (platform: Platform, eventId: string) => `event:${platform}:${hashed(platform, eventId)}`;
  const recordKey = (platform: Platform, eventId: string) => `inbox:${platform}:${hashed(platform, eventId)}`;
  const leaseKey = (key: string) => `${key}:lease`;

  /** Records this process wrote and has not finished yet: finishing anything else costs no writes. */
  const open = new Set<string>();
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

  return {
    async accept(platform, eventId, replay) {
      const first = await store.claim(claimKey(platform, eventId), DEDUPE_TTL_MS);
      if (!first || !replay) return first;
      const key = recordKey(platform, eventId);
      const receivedAt = now();
      const record: InboxRecord = { platform, payload: replay.payload, receivedAt, attempts: 0 };
      // All in one loop turn, so SQLite commits them together before the platform is answered.
      const writes: Promise<unknown>[] = [
        store.claim(leaseKey(key), deps.leaseMs ?? RECOVERY_GRACE_MS),
        store.set(key, sealer.seal(record, key), INBOX_TTL_MS),
        store.indexAdd(PENDING_INDEX, key, receivedAt),
      ];
      if (replay.user) {
        const user = replay.user;
        const person = deps.resolvePerson ? await deps.resolvePerson(user) : deps.pseudonymize(user);
        writes.push(store.track(person, key));
      }
      try {
        await Promise.all(writes);
        open.add(key);
      } catch (error) {
        // Not recorded: let a redelivery through again, so the platform's retry is not mistaken for a duplicate.
        await store.delete(claimKey(platform, eventId)).catch(() => false);
        throw error;
      }
      return true;
    },

    async finish(platform, eventId) {
      const key = recordKey(platform, eventId);
      if (!open.has(key)) return;
      open.delete(key);
      try {
        await drop(key);
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
      let after: { score: number; member: string } | undefined;
      for (;;) {
        const page = await store.indexRange(PENDING_INDEX, { after, limit: PAGE });
        for (const { member } of page.entries) {
          try {
            if (await finishOne(member, replayers)) finished += 1;
          } catch (error) {
            failed += 1;
            log.warn({ err: error }, 'recorded event could not be finished; it is tried again later');
          }
        }
        if (!page.cursor) break;
        after = page.cursor;
      }
      if (finished + failed > 0) log.info({ finished, failed }, 'recorded events recovered');
      return { finished, failed };
    },
  };
}
