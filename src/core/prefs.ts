import type { Locale } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';
import { coreKeys } from './keys.js';

/** Preferences a person chose; kept for the retention period and tracked for "vergeet mij". */
export interface Prefs {
  locale?: Locale;
}

export function loadPrefs(store: KeyValueStore, person: string): Promise<Prefs | undefined> {
  return store.get<Prefs>(coreKeys.prefs(person));
}

/** Store the person's preferences with the retention period. */
export async function savePrefs(
  store: KeyValueStore,
  person: string,
  prefs: Prefs,
  retentionMs: number,
): Promise<void> {
  const key = coreKeys.prefs(person);
  // Index first: a crash between the two writes must never leave person data that "vergeet mij" cannot find.
  await store.track(person, key);
  await store.set(key, prefs, retentionMs);
}
