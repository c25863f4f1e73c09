/**
 * `list` on Redis: SCAN with MATCH on the escaped prefix, then MGET. SCAN visits the whole keyspace in no set order
 * and only promises that a key existing throughout is returned at least once, so pages come in no order, can hold
 * more or fewer than `limit` entries (COUNT is a hint), and a key can come up twice.
 */
import type { Keyv } from 'keyv';
import type { RedisClient } from './redis-connections.js';
import type { ListPage } from './store.js';

/** SCAN calls one page may make before it returns what it has (a sparse prefix in a big keyspace). */
const MAX_SCANS_PER_PAGE = 10;

/** Escape Redis glob characters, so a prefix matches only itself: `*`, `?`, `[`, `]` and `\`. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** A list cursor on Redis is SCAN's (a positive decimal number); '0' would start over, so it is never handed out. */
export function checkScanCursor(cursor: string | undefined): string {
  if (cursor === undefined) return '0';
  if (typeof cursor !== 'string' || !/^[1-9][0-9]*$/.test(cursor)) {
    throw new RangeError('cursor must come from a previous page of the same listing');
  }
  return cursor;
}

/** One page of live plain values stored under `valuePrefix + prefix`; keys come back without `valuePrefix`. */
export async function scanPage<T>(input: {
  client: RedisClient;
  keyv: Keyv;
  valuePrefix: string;
  prefix: string;
  cursor: string;
  limit: number;
}): Promise<ListPage<T>> {
  const { client, keyv, valuePrefix, limit } = input;
  const match = `${escapeGlob(valuePrefix + input.prefix)}*`;
  let cursor = input.cursor;
  const found = new Set<string>();
  for (let scans = 0; scans < MAX_SCANS_PER_PAGE && found.size < limit; scans++) {
    const reply = await client.scan(cursor, { MATCH: match, COUNT: limit });
    for (const key of reply.keys) found.add(key);
    cursor = reply.cursor;
    if (cursor === '0') break;
  }
  const keys = [...found];
  const raws = keys.length > 0 ? await client.mGet(keys) : [];
  const entries: { key: string; value: T }[] = [];
  for (const [i, raw] of raws.entries()) {
    // Gone between SCAN and MGET (deleted or expired): not live, so not listed.
    if (raw == null) continue;
    const data = await keyv.deserializeData<T>(raw);
    if (!data || (typeof data.expires === 'number' && data.expires <= Date.now())) continue;
    entries.push({ key: (keys[i] ?? '').slice(valuePrefix.length), value: data.value as T });
  }
  return cursor === '0' ? { entries } : { entries, cursor };
}
