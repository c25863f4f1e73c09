import { createHmac } from 'node:crypto';
import type { UserRef } from '../message/types.js';

/** Turns a platform user into the keyed hash that every person-scoped key uses. */
export type Pseudonymizer = (user: Pick<UserRef, 'platform' | 'tenantId' | 'userId'>) => string;

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
export function createPseudonymizer(key: string): Pseudonymizer {
  const hash = createKeyedHash(key);
  // Every event computes its person's pseudonym; the people active now are few, so keep theirs (in memory only).
  const known = new Map<string, string>();
  return (user) => {
    const id = `${user.platform}${SEPARATOR}${user.tenantId}${SEPARATOR}${user.userId}`;
    let pseudonym = known.get(id);
    if (pseudonym === undefined) {
      pseudonym = hash(user.platform, user.tenantId, user.userId);
      if (known.size >= KNOWN_PEOPLE) known.clear();
      known.set(id, pseudonym);
    }
    return pseudonym;
  };
}
