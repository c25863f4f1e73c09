/**
 * Read-modify-write of a CAS-managed key: read the versioned value, compute the next one, write it only if nobody
 * wrote in between, and try again (a bounded number of times) when somebody did. Works on every back end, across
 * processes, because compareAndSet is atomic there.
 */
import { StoreError } from '../errors.js';
import type { KeyValueStore } from './store.js';

/** How often updateWithRetry tries before it gives up; enough for a handful of replicas racing on one key. */
export const DEFAULT_UPDATE_ATTEMPTS = 10;

/**
 * Apply `fn` to the current value of `key` (undefined when absent) and store its result (undefined deletes), retrying
 * on a conflicting write. Resolves with what was stored. `fn` may run several times, so it must not have side effects.
 * Throws a StoreError with code STORE_CONFLICT after `attempts` conflicts in a row.
 */
export async function updateWithRetry<T>(
  store: Pick<KeyValueStore, 'getVersioned' | 'compareAndSet'>,
  key: string,
  fn: (current: T | undefined) => T | undefined | Promise<T | undefined>,
  ttlMs?: number,
  attempts = DEFAULT_UPDATE_ATTEMPTS,
): Promise<T | undefined> {
  if (!Number.isSafeInteger(attempts) || attempts < 1) throw new RangeError('attempts must be a whole number ≥ 1');
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.getVersioned<T>(key);
    const next = await fn(current.value);
    if (await store.compareAndSet(key, current.version, next, ttlMs)) return next;
  }
  // The message names no key: keys hold pseudonyms.
  throw new StoreError(`store: update gave up after ${attempts} conflicting writes`, { code: 'STORE_CONFLICT' });
}
