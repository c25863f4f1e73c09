import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { KeyedHash } from '../crypto/pseudonym.js';
import type { Sealer } from '../crypto/sealer.js';
import type { Broadcaster } from '../delivery/broadcaster.js';
import type { Locale, Translate } from '../message/types.js';
import type { AddressBook } from '../outbound/address-book.js';
import type { Deliver } from '../outbound/deliver.js';
import type { JobQueue } from '../queue/queue.js';
import type { KeyValueStore } from '../store/store.js';

/** What a feature factory may use at start-up and later, outside a turn (jobs, schedules, HTTP requests). */
export interface FeatureDeps {
  config: Config;
  log: Logger;
  store: KeyValueStore;
  /** Write first to a person or channel on any platform. */
  deliver: Deliver;
  addresses: AddressBook;
  /** Keyed hashes (and pseudonyms: a person's is the hash of platform, tenant and user). */
  hash: KeyedHash;
  /** Seals what must stay readable but never be stored in plaintext (platform ids an organiser typed). */
  sealer: Sealer;
  /** The durable job queue; a feature registers its workers in `start`. */
  queue: JobQueue;
  /** Delivery at scale with a per-recipient ledger (announcements, reminders). */
  broadcasts: Broadcaster;
  now: () => number;
  /** Texts in a language, outside a turn (messages from jobs). */
  translate: (locale: Locale) => Translate;
}
