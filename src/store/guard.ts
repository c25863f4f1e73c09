/**
 * Small helpers every store back end shares: TTL checks and turning back-end failures into a StoreError.
 */
import { StoreError } from '../errors.js';
import type { KeyValueStore } from './store.js';

/** A TTL must be a positive, finite number of milliseconds; fractions round up (Redis PX takes whole ms). */
export function checkTtl(ttlMs: number, name = 'ttlMs'): number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`${name} must be a positive number of milliseconds`);
  }
  return Math.ceil(ttlMs);
}

/** `checkTtl` for an optional TTL: undefined means "never expires". */
export function checkOptionalTtl(ttlMs: number | undefined): number | undefined {
  return ttlMs === undefined ? undefined : checkTtl(ttlMs);
}

/**
 * Run one store operation; anything it throws becomes a StoreError that names the back end and the operation.
 * The cause is kept, its message is not copied (it could hold a key, and keys hold pseudonyms).
 * RangeErrors from argument checks pass through: they are programming errors, not an unreachable store.
 */
export async function guarded<T>(kind: KeyValueStore['kind'], op: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreError || error instanceof RangeError) throw error;
    throw new StoreError(`${kind} store: ${op} failed`, { cause: error });
  }
}

/** The error every store throws when used after close(). */
export function closedError(kind: KeyValueStore['kind']): StoreError {
  return new StoreError(`${kind} store: used after close`);
}
