import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { UserRef } from '../core/types.js';
import { ConfigError } from '../errors.js';

/** The shortest key accepted: 32 characters, as for PSEUDONYM_KEY. */
const MIN_KEY_LENGTH = 32;

/** Turns a platform user into the keyed hash that every person-scoped key uses. */
export type Pseudonymizer = (user: Pick<UserRef, 'platform' | 'tenantId' | 'userId'>) => string;

/** HMAC-SHA256 over (platform, tenant, user), base64url, 128 bits: stable, not reversible without the key. */
export function createPseudonymizer(key: string): Pseudonymizer {
  return (user) =>
    createHmac('sha256', key)
      .update(`${user.platform}\u001f${user.tenantId}\u001f${user.userId}`)
      .digest('base64url')
      .slice(0, 22);
}

/**
 * The key from config, or in local mode one generated once and kept beside the database
 * (`<db dir>/pseudonym.key`, mode 0600), so pseudonyms survive a restart.
 */
export function resolvePseudonymKey(configured: string | undefined, databasePath: string): string {
  if (configured) return configured;
  const file = join(dirname(databasePath), 'pseudonym.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process started at the same moment and wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < MIN_KEY_LENGTH)
    throw new ConfigError([
      `PSEUDONYM_KEY: the generated key in ${file} is damaged (too short); remove the file to make a new one`,
    ]);
  return key;
}
