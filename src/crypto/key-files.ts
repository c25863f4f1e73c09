/**
 * Keys for local mode. Outside local mode PSEUDONYM_KEY and DATA_KEY come from the environment (a secret store).
 * In local mode each is generated once into KEYS_DIR (default `./.keys/`, git-ignored), with mode 0600 — never
 * beside the database, so a copy of the data folder alone cannot be linked back to people or decrypted.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { parsePseudonymKeys, type PseudonymKey } from './pseudonym.js';
import { parseDataKeys, type DataKey } from './sealer.js';

/** The shortest pseudonym key accepted: 32 characters, as for PSEUDONYM_KEY. */
const MIN_PSEUDONYM_KEY_LENGTH = 32;

export interface KeySources {
  pseudonymKey?: string;
  dataKey?: string;
  keysDir: string;
  databasePath: string;
}

export interface ResolvedKeys {
  /** The current pseudonym key (keyed hashes of channels, events and the like use it). */
  pseudonymKey: string;
  /** Every pseudonym key, current first: a person's data under an older one is still found. */
  pseudonymKeys: PseudonymKey[];
  dataKeys: DataKey[];
}

/** Read a key file, or create it with `make()` (two processes starting at once share the first one written). */
function keyFile(file: string, make: () => string): string {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, `${make()}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

/** Earlier versions kept the generated pseudonym key beside the database: move it once, so pseudonyms stay. */
function moveLegacyPseudonymKey(databasePath: string, target: string): void {
  const legacy = join(dirname(databasePath), 'pseudonym.key');
  if (existsSync(target) || !existsSync(legacy)) return;
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  try {
    renameSync(legacy, target);
  } catch (error) {
    // Another file system: copy, then remove the old one.
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    writeFileSync(target, readFileSync(legacy), { mode: 0o600, flag: 'wx' });
    renameSync(legacy, `${legacy}.moved`);
  }
  chmodSync(target, 0o600);
}

/** The configured keys, or in local mode the generated ones. Damaged key files stop start-up with the file named. */
export function resolveKeys(sources: KeySources): ResolvedKeys {
  const keysDir = resolve(sources.keysDir);
  if (sources.databasePath !== ':memory:' && keysDir === resolve(dirname(sources.databasePath))) {
    throw new ConfigError(['KEYS_DIR: must not be the database folder: keys are kept apart from the data']);
  }
  let pseudonymKeys: PseudonymKey[];
  if (sources.pseudonymKey) {
    try {
      pseudonymKeys = parsePseudonymKeys(sources.pseudonymKey);
    } catch (error) {
      throw new ConfigError([`PSEUDONYM_KEY: ${(error as Error).message}`]);
    }
  } else {
    const file = join(keysDir, 'pseudonym.key');
    moveLegacyPseudonymKey(sources.databasePath, file);
    const generated = keyFile(file, () => randomBytes(32).toString('hex'));
    if (generated.length < MIN_PSEUDONYM_KEY_LENGTH) {
      throw new ConfigError([`PSEUDONYM_KEY: the generated key in ${file} is damaged (too short); remove the file`]);
    }
    pseudonymKeys = [{ version: 'v1', key: generated }];
  }
  const pseudonymKey = (pseudonymKeys[0] as PseudonymKey).key;
  const dataFile = join(keysDir, 'data.key');
  const dataSpec = sources.dataKey ?? keyFile(dataFile, () => randomBytes(32).toString('hex'));
  try {
    return { pseudonymKey, pseudonymKeys, dataKeys: parseDataKeys(dataSpec) };
  } catch (error) {
    const where = sources.dataKey ? 'DATA_KEY' : `DATA_KEY: the generated key in ${dataFile}`;
    throw new ConfigError([`${where}: ${(error as Error).message}`]);
  }
}
