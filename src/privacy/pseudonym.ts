import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { UserRef } from '../core/types.js';

/** Turns a platform user into the keyed hash that every person-scoped key uses. */
export type Pseudonymizer = (user: Pick<UserRef, 'platform' | 'tenantId' | 'userId'>) => string;

/** HMAC-SHA256 over (platform, tenant, user), base64url, 128 bits: stable, not reversible without the key. */
export function createPseudonymizer(key: string): Pseudonymizer {
  return (user) => createHmac('sha256', key).update(`${user.platform}\u001f${user.tenantId}\u001f${user.userId}`).digest('base64url').slice(0, 22);
}

/**
 * The key from config, or in local mode one generated once and kept beside the database
 * (`<db dir>/pseudonym.key`, mode 0600), so pseudonyms survive a restart.
 */
export function resolvePseudonymKey(configured: string | undefined, databasePath: string): string {
  if (configured) return configured;
  const file = join(dirname(databasePath), 'pseudonym.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
