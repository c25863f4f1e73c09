/**
 * The delivery ledger: one record per recipient of a broadcast (announcement, later reminder), kept with the store's
 * primitives. The record (compare-and-set) is the truth; a sorted index per broadcast holds every recipient with
 * its status as the score, so the counts an organiser sees are counts of records. A status moves in the record
 * first and the index follows; a crash in between is repaired by the next run of that recipient's job.
 */
import type { KeyedHash } from '../crypto/pseudonym.js';
import { type Address, addressKey } from '../outbound/address-book.js';
import type { KeyValueStore } from '../store/store.js';

/** Where one recipient's delivery stands. `pending` covers waiting, retrying and in flight. */
export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'blocked';
export const STATUSES: readonly DeliveryStatus[] = ['pending', 'sent', 'failed', 'blocked'];
const SCORE: Record<DeliveryStatus, number> = { pending: 0, sent: 1, failed: 2, blocked: 3 };

/** One recipient of one broadcast. */
export interface RecipientRecord {
  address: Address;
  status: DeliveryStatus;
  /** Calls made to the platform so far (a 429 included; a send our own limiter held back is none). */
  attempts: number;
  /** The last outcome: ok, rate_limited, platform_error, quiet_hours, blocked, unknown, unreadable, no-adapter. */
  lastStatus?: string;
  /** Which part of the audience named this recipient (for the report: a channel the organiser named). */
  label?: string;
  /** The person's time zone, for quiet hours. */
  timeZone?: string;
  updatedAt: number;
}

/** A recipient as an audience names it. */
export interface Recipient {
  address: Address;
  label?: string;
  timeZone?: string;
}

export type Counts = Record<DeliveryStatus, number> & { total: number };

export const deliveryKeys = {
  broadcast: (id: string) => `delivery:b:${id}`,
  recipient: (id: string, rid: string) => `delivery:r:${id}:${rid}`,
  statusIndex: (id: string) => `delivery:s:${id}`,
  /** A person's deliveries (`<broadcast>|<recipient>`), for "vergeet mij"; tracked as person data. */
  person: (person: string) => `delivery:p:${person}`,
  /** Every broadcast by its send time, for listing and retention. */
  timeline: 'delivery:timeline',
} as const;

export interface Ledger {
  /** The recipient id: the same address gives the same id, so an audience that names someone twice sends once. */
  recipientId(address: Address): string;
  /** Add a recipient (again is harmless); returns its id and whether it was new. */
  add(broadcastId: string, recipient: Recipient, now: number): Promise<{ rid: string; created: boolean }>;
  get(broadcastId: string, rid: string): Promise<{ record?: RecipientRecord; version: number }>;
  /** Write the next state of a record read at `version`; false when somebody else wrote first. */
  write(broadcastId: string, rid: string, version: number, next: RecipientRecord): Promise<boolean>;
  /** Put the index in line with a record (after a crash between the two writes). */
  index(broadcastId: string, rid: string, status: DeliveryStatus): Promise<void>;
  counts(broadcastId: string): Promise<Counts>;
  /** Recipients with a final failure (failed or blocked), up to `limit`. */
  failures(broadcastId: string, limit: number): Promise<RecipientRecord[]>;
  /** Every recipient id with this status, page by page. */
  ids(broadcastId: string, status: DeliveryStatus): AsyncGenerator<string>;
  /** Delete a recipient's record and its index entries. */
  remove(broadcastId: string, rid: string, address: Address): Promise<void>;
}

export function createLedger(store: KeyValueStore, hash: KeyedHash): Ledger {
  const ledger: Ledger = {
    recipientId: (address) => hash('delivery', addressKey(address)),

    async add(broadcastId, recipient, now) {
      const rid = ledger.recipientId(recipient.address);
      const key = deliveryKeys.recipient(broadcastId, rid);
      const { address } = recipient;
      if (address.kind === 'person') {
        // Indexed before the write: "vergeet mij" must find every record and queued message to the person. The
        // three go together (one write batch on SQLite); the record waits for all of them.
        await Promise.all([
          store.track(address.person, deliveryKeys.person(address.person)),
          store.track(address.person, key),
          store.indexAdd(deliveryKeys.person(address.person), `${broadcastId}|${rid}`, now),
        ]);
      }
      const record: RecipientRecord = {
        address,
        status: 'pending',
        attempts: 0,
        updatedAt: now,
        ...(recipient.label ? { label: recipient.label } : {}),
        ...(recipient.timeZone ? { timeZone: recipient.timeZone } : {}),
      };
      const created = await store.compareAndSet(key, 0, record);
      const status = created
        ? 'pending'
        : ((await store.getVersioned<RecipientRecord>(key)).value?.status ?? 'pending');
      await store.indexAdd(deliveryKeys.statusIndex(broadcastId), rid, SCORE[status]);
      return { rid, created };
    },

    async get(broadcastId, rid) {
      const { value, version } = await store.getVersioned<RecipientRecord>(deliveryKeys.recipient(broadcastId, rid));
      return value ? { record: value, version } : { version };
    },

    async write(broadcastId, rid, version, next) {
      const written = await store.compareAndSet(deliveryKeys.recipient(broadcastId, rid), version, next);
      if (written) await ledger.index(broadcastId, rid, next.status);
      return written;
    },

    index: (broadcastId, rid, status) => store.indexAdd(deliveryKeys.statusIndex(broadcastId), rid, SCORE[status]),

    async counts(broadcastId) {
      const index = deliveryKeys.statusIndex(broadcastId);
      const [pending, sent, failed, blocked] = await Promise.all(
        STATUSES.map((s) => store.indexCount(index, { min: SCORE[s], max: SCORE[s] })),
      );
      const counts = {
        pending: pending ?? 0,
        sent: sent ?? 0,
        failed: failed ?? 0,
        blocked: blocked ?? 0,
      } satisfies Record<DeliveryStatus, number>;
      return { ...counts, total: counts.pending + counts.sent + counts.failed + counts.blocked };
    },

    async failures(broadcastId, limit) {
      const page = await store.indexRange(deliveryKeys.statusIndex(broadcastId), {
        min: SCORE.failed,
        max: SCORE.blocked,
        limit: Math.min(limit, 1000),
      });
      const records = await Promise.all(page.entries.map((e) => ledger.get(broadcastId, e.member)));
      return records.flatMap((r) => (r.record ? [r.record] : []));
    },

    async *ids(broadcastId, status) {
      let after: { member: string; score: number } | undefined;
      for (;;) {
        const page = await store.indexRange(deliveryKeys.statusIndex(broadcastId), {
          min: SCORE[status],
          max: SCORE[status],
          limit: 500,
          ...(after ? { after } : {}),
        });
        for (const entry of page.entries) yield entry.member;
        if (!page.cursor) return;
        after = page.cursor;
      }
    },

    async remove(broadcastId, rid, address) {
      await store.indexRemove(deliveryKeys.statusIndex(broadcastId), rid);
      if (address.kind === 'person')
        await store.indexRemove(deliveryKeys.person(address.person), `${broadcastId}|${rid}`);
      await store.delete(deliveryKeys.recipient(broadcastId, rid));
    },
  };
  return ledger;
}
