/**
 * Helpers of the SQLite store tests: a temp database path, and counting rows through a connection of its own, so
 * the store under test cannot hide anything (an uncommitted batch is invisible there).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type Table =
  | 'kv_values'
  | 'kv_claims'
  | 'kv_counters'
  | 'kv_versioned'
  | 'kv_index'
  | 'kv_person_keys'
  | 'kv_probe';

/** Rows in `table`, counted by a separate read-only connection. */
export function countRows(path: string, table: Table): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The keys in kv_values, seen by a separate connection. */
export function committedKeys(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT key FROM kv_values ORDER BY key').all() as { key: string }[]).map((r) => r.key);
  } finally {
    db.close();
  }
}

/** A fresh temp folder and a database path inside a folder that does not exist yet (the store must create it). */
export function tempDbPath(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bb-sqlite-'));
  return { dir, path: join(dir, 'nested', 'data', 'store.sqlite') };
}
