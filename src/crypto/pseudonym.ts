import { createHmac } from 'node:crypto';
import type { UserRef } from '../message/types.js';
import { parseKeyList } from './key-list.js';

type UserIds = Pick<UserRef, 'platform' | 'tenantId' | 'userId'>;

/** Turns a platform user into the keyed hash that every person-scoped key uses (under the current key). */
export interface Pseudonymizer {
  (user: UserIds): string;
  /** The person's pseudonym under every configured key, current first (for a key rotation). */
  candidates?(user: UserIds): string[];
}

/** One pseudonym key and its version name. */
export interface PseudonymKey {
  version: string;
  key: string;
}

const MIN_KEY_LENGTH = 32;
const VERSIONED = /^(v[1-9][0-9]{0,3}):(.*)$/;

/**
 * Read PSEUDONYM_KEY: `v2:<key>,v1:<key>` (current first), or one bare key, which counts as `v1`. Each key has at
 * least 32 characters. Throws with the reason, never the key.
 */
export function parsePseudonymKeys(spec: string): PseudonymKey[] {
  return parseKeyList(spec, (entry) => {
    const match = VERSIONED.exec(entry);
    const [version, key] = match ? [match[1] as string, match[2] as string] : ['v1', entry];
    if (key.length < MIN_KEY_LENGTH) throw new Error('a key must be at least 32 characters (openssl rand -hex 32)');
    return { version, key };
  });
}

/** A keyed hash of several parts: the same parts give the same hash; without the key nobody can link it back. */
export type KeyedHash = (...parts: string[]) => string;

const SEPARATOR = '\u001f';
/** Pseudonyms kept per process before the table starts over. */
const KNOWN_PEOPLE = 10_000;

/** HMAC-SHA256 over the parts, base64url, 128 bits: stable, not reversible without the key. */
export function createKeyedHash(key: string): KeyedHash {
  return (...parts) => createHmac('sha256', key).update(parts.join(SEPARATOR)).digest('base64url').slice(0, 22);
}

/**
 * The person's pseudonym: the keyed hash of (platform, tenant, user). Other keyed hashes (channels, event ids)
 * start with a purpose word, so no hash of another kind can ever equal a pseudonym.
 */
export function createPseudonymizer(keys: string | readonly PseudonymKey[]): Pseudonymizer {
  const list = typeof keys === 'string' ? [{ version: 'v1', key: keys }] : keys;
  const [current, ...older] = list;
  if (!current) throw new Error('a pseudonymizer needs at least one key');
  const hash = createKeyedHash(current.key);
  const olderHashes = older.map((k) => createKeyedHash(k.key));
  // Every event computes its person's pseudonym; the people active now are few, so keep theirs (in memory only).
  const known = new Map<string, string>();
  const pseudonymize: Pseudonymizer = (user) => {
    const id = `${user.platform}${SEPARATOR}${user.tenantId}${SEPARATOR}${user.userId}`;
    let pseudonym = known.get(id);
    if (pseudonym === undefined) {
      pseudonym = hash(user.platform, user.tenantId, user.userId);
      if (known.size >= KNOWN_PEOPLE) known.clear();
      known.set(id, pseudonym);
    }
    return pseudonym;
  };
  if (olderHashes.length > 0) {
    pseudonymize.candidates = (user) => [
      pseudonymize(user),
      ...olderHashes.map((h) => h(user.platform, user.tenantId, user.userId)),
    ];
  }
  return pseudonymize;
}

/** The pseudonym a person's data is kept under: the current one (after moving older data there). */
export type PersonResolver = (user: UserIds) => Promise<string>;

/**
 * Moves everything kept under an older key's pseudonym `from` to the current pseudonym `to` (src/core/rekey.ts);
 * safe to call again, also for a move that was cut short.
 */
export type PersonMover = (from: string, to: string) => Promise<void>;

/**
 * During a key rotation a person whose data is still under an older key's pseudonym is moved to the current one
 * before anything else happens (`move`), so their turn sees their data under the current pseudonym, which the
 * resolver always returns. Data of people who are not active again stays where it is until its retention ends.
 * With one key this is the pseudonymizer itself, without a store read.
 */
export function createPersonResolver(
  pseudonymize: Pseudonymizer,
  store: { keysOf(person: string): Promise<string[]> },
  move: PersonMover,
): PersonResolver {
  const candidates = pseudonymize.candidates;
  if (!candidates) return async (user) => pseudonymize(user);
  // People already looked up (and moved) in this process: nothing is written under an older key any more, so one
  // look per person and process is enough, not one per event for as long as the old key stays configured.
  const settled = new Set<string>();
  return async (user) => {
    const [current, ...older] = candidates(user) as [string, ...string[]];
    if (settled.has(current)) return current;
    for (const pseudonym of older) if ((await store.keysOf(pseudonym)).length > 0) await move(pseudonym, current);
    if (settled.size >= KNOWN_PEOPLE) settled.clear();
    settled.add(current);
    return current;
  };
}
