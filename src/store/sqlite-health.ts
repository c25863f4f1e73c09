/**
 * Readiness of the SQLite store for writes: a database opened read-only is not writable; a probe row must be
 * written and committed (that is what fails on a full disk, a read-only file or an I/O error); and the file system
 * holding the database must keep `minFreeBytes` free, so /readyz turns red before the disk is actually full.
 * The reason names the condition and SQLite's error code, never a path, a key or a message text.
 */
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { StoreHealth } from './store.js';

export interface SqliteHealthInput {
  db: Database.Database;
  /** The database path as opened (`:memory:` has no file system to check). */
  path: string;
  minFreeBytes: number;
  /** Write the probe row through the store's batch; resolves once committed. */
  probe: () => Promise<unknown>;
}

const MiB = 1024 * 1024;

/** Check the three conditions in turn; the first that fails is the reason. Never throws. */
export async function checkSqliteHealth(input: SqliteHealthInput): Promise<StoreHealth> {
  if (input.db.readonly) return { writable: false, reason: 'database is read-only' };
  try {
    await input.probe();
  } catch (error) {
    const code = sqliteCode(error);
    if (code?.startsWith('SQLITE_READONLY')) return { writable: false, reason: `database is read-only (${code})` };
    return { writable: false, reason: `write probe failed${code ? ` (${code})` : ''}` };
  }
  if (input.path === ':memory:') return { writable: true };
  try {
    const fs = await statfs(dirname(resolve(input.path)));
    const free = Number(fs.bavail) * Number(fs.bsize);
    if (free < input.minFreeBytes) {
      const shown = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
      return { writable: false, reason: `low disk space: ${shown(free)} free, ${shown(input.minFreeBytes)} needed` };
    }
  } catch (error) {
    return {
      writable: false,
      reason: `cannot check free disk space (${(error as { code?: string }).code ?? 'error'})`,
    };
  }
  return { writable: true };
}

/** SQLite's error code (SQLITE_FULL, SQLITE_READONLY_…) of an error or of the first cause that has one. */
function sqliteCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return undefined;
}
