/**
 * Encryption at rest for what must not be readable without a key: how to reach a person or a channel (platform
 * ids, conversation references) and adapters' tokens. AES-256-GCM through node:crypto, a random 96-bit IV per
 * value, and the store key as additional authenticated data, so a sealed value copied under another key does not
 * open. Keys are versioned (`v2:<hex>,v1:<hex>`, newest first): values are sealed with the newest and opened with
 * the version they name, so a key can be rotated while older values are still read.
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { BotError } from '../errors.js';
import { parseKeyList } from './key-list.js';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_HEX = /^[0-9a-fA-F]{64}$/;
const VERSION = /^v[1-9][0-9]{0,3}$/;
/**
 * IVs are drawn from a pool of random bytes refilled 4 KiB at a time: every event seals its inbox record, and one
 * call into the system's random source per 341 values costs far less than one per value. Each IV is still 96
 * fresh random bits, used once.
 */
const IV_POOL_BYTES = IV_BYTES * 341;
/** What a sealed value looks like: its key's version, a dot, and at least an IV and a tag in base64url. */
const SEALED_FORM = /^v[1-9][0-9]{0,3}\.[A-Za-z0-9_-]{38,}$/;

/** One data key and its version name. */
export interface DataKey {
  version: string;
  key: Buffer;
}

/** A sealed value could not be opened: another key, a damaged value, or one moved to another store key. */
export class SealError extends BotError {
  constructor(message: string) {
    super('DATA_INVALID', message);
  }
}

/**
 * Read a key list: `v2:<64 hex>,v1:<64 hex>` (newest first), or one bare key, which counts as `v1`. Throws with
 * the reason, never the key.
 */
export function parseDataKeys(spec: string): DataKey[] {
  return parseKeyList(spec, (entry) => {
    const [version, hex] = entry.includes(':') ? (entry.split(':', 2) as [string, string]) : ['v1', entry];
    if (!VERSION.test(version)) throw new Error('a key version must look like v1, v2, …');
    if (!KEY_HEX.test(hex)) throw new Error('a key must be 64 hexadecimal characters (openssl rand -hex 32)');
    return { version, key: Buffer.from(hex, 'hex') };
  });
}

/**
 * Whether a stored value has the form of a sealed one (a string `v<n>.<base64url>`), for code that handles values
 * it does not know (a PSEUDONYM_KEY rotation moving a person's keys): such a value only opens under its own key.
 */
export function looksSealed(value: unknown): value is string {
  return typeof value === 'string' && SEALED_FORM.test(value);
}

/** Seals JSON values under the newest key; opens values of any key it holds. */
export interface Sealer {
  seal(value: unknown, context: string): string;
  /** The value, or a SealError when it cannot be opened. */
  open<T>(sealed: string, context: string): T;
  /**
   * The value, or undefined when there is none to open: not a string, or sealed with a key no longer held, or
   * damaged. For values that are as good as gone when unreadable.
   */
  tryOpen<T>(sealed: unknown, context: string): T | undefined;
  /** The version a sealed value was made with, so callers can re-seal values of an old key when they touch them. */
  versionOf(sealed: string): string | undefined;
  readonly currentVersion: string;
}

export function createSealer(keys: readonly DataKey[]): Sealer {
  const [current] = keys;
  if (!current) throw new Error('a sealer needs at least one key');
  const byVersion = new Map(keys.map((k) => [k.version, k.key]));
  const pool = Buffer.alloc(IV_POOL_BYTES);
  let taken = IV_POOL_BYTES;
  const nextIv = (): Buffer => {
    if (taken === IV_POOL_BYTES) {
      randomFillSync(pool);
      taken = 0;
    }
    taken += IV_BYTES;
    // A view, not a copy: `seal` uses it at once, before the pool can be refilled.
    return pool.subarray(taken - IV_BYTES, taken);
  };
  const sealer: Sealer = {
    currentVersion: current.version,
    seal(value, context) {
      const iv = nextIv();
      const cipher = createCipheriv(ALGORITHM, current.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return `${current.version}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open<T>(sealed: string, context: string): T {
      const dot = sealed.indexOf('.');
      const key = dot > 0 ? byVersion.get(sealed.slice(0, dot)) : undefined;
      if (!key) throw new SealError('sealed with a key that is not configured');
      const raw = Buffer.from(sealed.slice(dot + 1), 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new SealError('sealed value is damaged');
      try {
        const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
        return JSON.parse(plain.toString('utf8')) as T;
      } catch {
        throw new SealError('sealed value does not open with its key');
      }
    },
    tryOpen<T>(sealed: unknown, context: string): T | undefined {
      if (typeof sealed !== 'string') return undefined;
      try {
        return sealer.open<T>(sealed, context);
      } catch (error) {
        if (error instanceof SealError) return undefined;
        throw error;
      }
    },
    versionOf(sealed) {
      const dot = sealed.indexOf('.');
      return dot > 0 ? sealed.slice(0, dot) : undefined;
    },
  };
  return sealer;
}
