import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { AddressBook } from '../outbound/address-book.js';
import type { Deliver } from '../outbound/deliver.js';
import type { KeyValueStore } from '../store/store.js';

/** What a feature factory may use at start-up and later, outside a turn (jobs, schedules, HTTP requests). */
export interface FeatureDeps {
  config: Config;
  log: Logger;
  store: KeyValueStore;
  /** Write first to a person or channel on any platform. */
  deliver: Deliver;
  addresses: AddressBook;
}
