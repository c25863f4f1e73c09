/**
 * Small helpers every store back end shares: TTL checks and turning back-end failures into a StoreError.
 */
import type { Keyv } from 'keyv';
import { StoreError } from '../errors.js';
import type { KeyValueStore, RenameRewrite } from './store.js';

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

/** Pages of `list` and `indexRange`: 100 entries unless asked otherwise, never more than 1000. */
export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) {
    throw new RangeError('limit must be a whole number from 1 to 1000');
  }
  return limit;
}

/** The validated arguments of `increment`. */
export interface IncrementArgs {
  by: number;
  cap?: number;
  floor?: number;
  ttl?: number;
}

/**
 * Counters hold whole numbers within ±2^53 (exact in JavaScript, SQLite and Redis alike). `cap` and `floor` are any
 * numbers, `floor` not above `cap`.
 */
export function checkIncrement(
  by: number,
  options: { cap?: number; floor?: number; ttlMs?: number } = {},
): IncrementArgs {
  if (!Number.isSafeInteger(by)) throw new RangeError('by must be a whole number');
  const { cap, floor } = options;
  for (const [name, bound] of [
    ['cap', cap],
    ['floor', floor],
  ] as const) {
    if (bound !== undefined && (typeof bound !== 'number' || Number.isNaN(bound))) {
      throw new RangeError(`${name} must be a number`);
    }
  }
  if (cap !== undefined && floor !== undefined && floor > cap) throw new RangeError('floor must not be above cap');
  return { by, cap, floor, ttl: checkOptionalTtl(options.ttlMs) };
}

/**
 * Whether a step is allowed: only the direction of the step is checked, so a counter above its cap (the cap was
 * lowered) can still be brought down, and one below its floor brought up.
 */
export function stepAllowed(current: number, args: IncrementArgs): boolean {
  const next = current + args.by;
  if (args.by > 0 && args.cap !== undefined && next > args.cap) return false;
  if (args.by < 0 && args.floor !== undefined && next < args.floor) return false;
  return true;
}

/** A version passed to compareAndSet: 0 (absent) or a version getVersioned returned. */
export function checkVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 0) throw new RangeError('version must be a whole number ≥ 0');
  return version;
}

/** A score in a sorted index: any finite number. */
export function checkScore(score: number, name = 'score'): number {
  if (typeof score !== 'number' || !Number.isFinite(score)) throw new RangeError(`${name} must be a finite number`);
  return score;
}

/** A score range with its open ends filled in (±Infinity); NaN is refused. */
export function checkRange(range: { min?: number; max?: number } = {}): { min: number; max: number } {
  const min = range.min ?? Number.NEGATIVE_INFINITY;
  const max = range.max ?? Number.POSITIVE_INFINITY;
  if (typeof min !== 'number' || Number.isNaN(min)) throw new RangeError('min must be a number');
  if (typeof max !== 'number' || Number.isNaN(max)) throw new RangeError('max must be a number');
  return { min, max };
}

/** The `after` cursor of indexRange: a finite score and a member string. */
export function checkAfter(after: { score: number; member: string } | undefined): typeof after {
  if (after === undefined) return undefined;
  if (typeof after !== 'object' || after === null || typeof after.member !== 'string') {
    throw new RangeError('after must be { score, member } from a previous page');
  }
  checkScore(after.score, 'after.score');
  return { score: after.score, member: after.member };
}

/** A list cursor from memory or SQLite is the last key of the previous page, so it starts with the prefix. */
export function checkListCursor(prefix: string, cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (typeof cursor !== 'string' || !cursor.startsWith(prefix)) {
    throw new RangeError('cursor must come from a previous page of the same listing');
  }
  return cursor;
}

/** A value's JSON after `rename`'s rewrite (undefined: dropped); the same text when there is no rewrite. */
export function rewriteJson(json: string, rewrite: RenameRewrite | undefined): string | undefined {
  return rewrite ? JSON.stringify(rewrite(JSON.parse(json))) : json;
}

/** keyv's stored text of a plain value after `rewrite` (undefined: dropped), with the expiry keyv wrote into it. */
export async function rewriteKeyvText(
  keyv: Keyv,
  raw: string,
  rewrite: RenameRewrite | undefined,
): Promise<string | undefined> {
  if (!rewrite) return raw;
  const data = await keyv.deserializeData<unknown>(raw);
  const value = data ? rewrite(data.value) : undefined;
  if (value === undefined) return undefined;
  const text = await keyv.serializeData({ value, expires: data?.expires });
  return typeof text === 'string' ? text : JSON.stringify(text);
}
