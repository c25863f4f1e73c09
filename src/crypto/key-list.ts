/**
 * A key setting as a list of versioned keys, newest first (`v2:<key>,v1:<key>`; a bare key counts as `v1`), the form
 * PSEUDONYM_KEY and DATA_KEY share so either can be rotated. Each kind reads its own entries; errors name the
 * reason, never the key.
 */
export function parseKeyList<T extends { version: string }>(spec: string, readEntry: (entry: string) => T): T[] {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('no key given');
  const keys = entries.map(readEntry);
  if (new Set(keys.map((k) => k.version)).size !== keys.length) throw new Error('a key version is given twice');
  return keys;
}
