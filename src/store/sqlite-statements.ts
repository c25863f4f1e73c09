/**
 * Every SQL statement of the SQLite store beyond keyv's plain values, prepared once per connection. The schema is in
 * sqlite-adapter.ts. A row whose `expires_at` is not after "now" is expired: never read, and removed by the purge.
 */
import type Database from 'better-sqlite3';

export interface KeyRow {
  key: string;
}
export interface ValueRow {
  key: string;
  value: string;
}
export interface CounterRow {
  value: number;
  expires_at: number | null;
}
export interface VersionedRow {
  value: string;
  version: number;
}
export interface PlainRow {
  value: string;
  expires_at: number | null;
}
export interface VersionedFullRow extends PlainRow {
  version: number;
}
/** Per keyed table (in KEYED_TABLES order) and for the index: 1 when it holds something under the key. */
export type FamilyRow = Record<`f${number}`, number> & { idx: number };
export interface MemberRow {
  member: string;
  score: number;
}

const LIVE = '(expires_at IS NULL OR expires_at > @now)';

/** What `rename` writes, worked out from the rows `seen` before the write (the rewrite is JavaScript). */
export interface RenameRows {
  from: string;
  to: string;
  now: number;
  /** keyv's text of the plain value and the version of the versioned value under `from` when they were read. */
  seen: { value?: string; version: number };
  /** The plain value's new text (undefined: dropped), and the versioned value's JSON. */
  value: string | undefined;
  versioned: string | undefined;
}
/** The tables that hold something under a key (kv_index under its name); `delete` and `forget` empty them all. */
const KEYED_TABLES = ['kv_values', 'kv_claims', 'kv_counters', 'kv_versioned'] as const;

/** Prepare the store's statements on `db`; the orphan purge keeps person-index rows younger than `orphanGraceMs`. */
export function prepareStatements(db: Database.Database, orphanGraceMs: number) {
  const listFrom = (bounded: boolean, after: boolean) =>
    db.prepare<{ from: string; to?: string; now: number; limit: number }, ValueRow>(
      `SELECT key, value FROM kv_values WHERE key ${after ? '>' : '>='} @from ${bounded ? 'AND key < @to' : ''}
         AND ${LIVE} ORDER BY key LIMIT @limit`,
    );
  const range = (after: boolean) =>
    db.prepare<{ name: string; min: number; max: number; score?: number; member?: string; limit: number }, MemberRow>(
      `SELECT member, score FROM kv_index WHERE name = @name AND score >= @min AND score <= @max
         ${after ? 'AND (score, member) > (@score, @member)' : ''} ORDER BY score, member LIMIT @limit`,
    );
  const statements = {
    // One statement: a new claim inserts; a held claim is only taken over once its TTL has run out.
    claim: db.prepare<[string, number, number]>(
      `INSERT INTO kv_claims (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE kv_claims.expires_at <= ?`,
    ),
    counter: db.prepare<{ key: string; now: number }, CounterRow>(
      `SELECT value, expires_at FROM kv_counters WHERE key = @key AND ${LIVE}`,
    ),
    putCounter: db.prepare<[string, number, number | null]>(
      `INSERT INTO kv_counters (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    versioned: db.prepare<{ key: string; now: number }, VersionedRow>(
      `SELECT value, version FROM kv_versioned WHERE key = @key AND ${LIVE}`,
    ),
    putVersioned: db.prepare<[string, string, number, number | null]>(
      `INSERT INTO kv_versioned (key, value, version, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version,
         expires_at = excluded.expires_at`,
    ),
    // The store-wide version sequence: one row, counted up in the write transaction, so no version is handed out twice.
    nextVersion: db.prepare<[], { value: number }>(
      `INSERT INTO kv_sequence (name, value) VALUES ('version', 1)
       ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
    ),
    listFrom: listFrom(false, false),
    listAfter: listFrom(false, true),
    listFromBounded: listFrom(true, false),
    listAfterBounded: listFrom(true, true),
    indexAdd: db.prepare<[string, string, number]>(
      `INSERT INTO kv_index (name, member, score) VALUES (?, ?, ?)
       ON CONFLICT (name, member) DO UPDATE SET score = excluded.score`,
    ),
    indexRemove: db.prepare<[string, string]>('DELETE FROM kv_index WHERE name = ? AND member = ?'),
    range: range(false),
    rangeAfter: range(true),
    count: db.prepare<{ name: string; min: number; max: number }, { n: number }>(
      'SELECT count(*) AS n FROM kv_index WHERE name = @name AND score >= @min AND score <= @max',
    ),
    // Live rows only: `delete` says whether anything live was there, and an expired row counts as absent.
    deleteKeyed: KEYED_TABLES.map((table) =>
      db.prepare<{ key: string; now: number }, { live: number }>(
        `DELETE FROM ${table} WHERE key = @key RETURNING (expires_at IS NULL OR expires_at > @now) AS live`,
      ),
    ),
    deleteIndex: db.prepare<[string]>('DELETE FROM kv_index WHERE name = ?'),
    // Which families hold something under a key: one statement, where a DELETE per family would be five. Most keys
    // live in one family (an inbox record is deleted on every event), so `deleteEverywhere` deletes only there.
    familiesOf: db.prepare<{ key: string }, FamilyRow>(
      `SELECT ${KEYED_TABLES.map((table, n) => `EXISTS (SELECT 1 FROM ${table} WHERE key = @key) AS f${n}`).join(', ')},
         EXISTS (SELECT 1 FROM kv_index WHERE name = @key) AS idx`,
    ),
    deleteVersioned: db.prepare<[string]>('DELETE FROM kv_versioned WHERE key = ?'),
    // Upsert rather than OR IGNORE: tracking again refreshes tracked_at, which the orphan purge looks at.
    track: db.prepare<[string, string, number]>(
      `INSERT INTO kv_person_keys (person, key, tracked_at) VALUES (?, ?, ?)
       ON CONFLICT (person, key) DO UPDATE SET tracked_at = excluded.tracked_at`,
    ),
    keysOf: db.prepare<[string], KeyRow>('SELECT key FROM kv_person_keys WHERE person = ? ORDER BY key'),
    forgetKeyed: KEYED_TABLES.map((table) =>
      db.prepare<[string]>(`DELETE FROM ${table} WHERE key IN (SELECT key FROM kv_person_keys WHERE person = ?)`),
    ),
    forgetIndexes: db.prepare<[string]>(
      'DELETE FROM kv_index WHERE name IN (SELECT key FROM kv_person_keys WHERE person = ?)',
    ),
    forgetPerson: db.prepare<[string]>('DELETE FROM kv_person_keys WHERE person = ?'),
    purgeFamilies: KEYED_TABLES.map((table) =>
      db.prepare<[number]>(`DELETE FROM ${table} WHERE expires_at IS NOT NULL AND expires_at <= ?`),
    ),
    // A person-index row whose key holds nothing in any family any more.
    purgeOrphans: db.prepare<[number]>(
      `DELETE FROM kv_person_keys WHERE tracked_at <= ?
         ${KEYED_TABLES.map((t) => `AND NOT EXISTS (SELECT 1 FROM ${t} x WHERE x.key = kv_person_keys.key)`).join(' ')}
         AND NOT EXISTS (SELECT 1 FROM kv_index i WHERE i.name = kv_person_keys.key)`,
    ),
    probe: db.prepare<[number]>(
      'INSERT INTO kv_probe (id, written_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at',
    ),
    ping: db.prepare<[], { ok: number }>('SELECT 1 AS ok'),
    untrack: db.prepare<[string, string]>('DELETE FROM kv_person_keys WHERE person = ? AND key = ?'),
    valueRow: db.prepare<{ key: string; now: number }, PlainRow>(
      `SELECT value, expires_at FROM kv_values WHERE key = @key AND ${LIVE}`,
    ),
    versionedRow: db.prepare<{ key: string; now: number }, VersionedFullRow>(
      `SELECT value, version, expires_at FROM kv_versioned WHERE key = @key AND ${LIVE}`,
    ),
    claimRow: db.prepare<{ key: string; now: number }, { expires_at: number }>(
      'SELECT expires_at FROM kv_claims WHERE key = @key AND expires_at > @now',
    ),
    putValue: db.prepare<[string, string, number | null]>(
      `INSERT INTO kv_values (key, value, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    putClaim: db.prepare<[string, number]>(
      `INSERT INTO kv_claims (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at`,
    ),
    deleteValue: db.prepare<[string]>('DELETE FROM kv_values WHERE key = ?'),
    // Members `to` has already keep their score.
    mergeIndex: db.prepare<{ from: string; to: string }>(
      `INSERT INTO kv_index (name, member, score) SELECT @to, member, score FROM kv_index WHERE name = @from
       ON CONFLICT (name, member) DO NOTHING`,
    ),
    anyMember: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM kv_index WHERE name = ? LIMIT 1'),
    memberScore: db.prepare<[string, string], { score: number }>(
      'SELECT score FROM kv_index WHERE name = ? AND member = ?',
    ),
    addMemberIfAbsent: db.prepare<[string, string, number]>(
      'INSERT INTO kv_index (name, member, score) VALUES (?, ?, ?) ON CONFLICT (name, member) DO NOTHING',
    ),
  };
  const version = (): number => statements.nextVersion.get()?.value ?? 0;

  /** `rename` in place: the rewritten values replace the old ones with the expiry they had. */
  function rewriteInPlace(a: RenameRows, value?: PlainRow, versioned?: VersionedFullRow): void {
    if (value && a.value !== value.value) {
      if (a.value === undefined) statements.deleteValue.run(a.from);
      else statements.putValue.run(a.from, a.value, value.expires_at);
    }
    if (versioned && a.versioned !== versioned.value) {
      if (a.versioned === undefined) statements.deleteVersioned.run(a.from);
      else statements.putVersioned.run(a.from, a.versioned, version(), versioned.expires_at);
    }
  }

  /** Each family of `from` goes to `to` unless `to` holds something live there; then `from` is emptied. */
  function moveRows(a: RenameRows, value?: PlainRow, versioned?: VersionedFullRow): boolean {
    const at = (key: string) => ({ key, now: a.now });
    if (value && a.value !== undefined && !statements.valueRow.get(at(a.to)))
      statements.putValue.run(a.to, a.value, value.expires_at);
    if (versioned && a.versioned !== undefined && !statements.versionedRow.get(at(a.to)))
      statements.putVersioned.run(a.to, a.versioned, version(), versioned.expires_at);
    const claim = statements.claimRow.get(at(a.from));
    if (claim && !statements.claimRow.get(at(a.to))) statements.putClaim.run(a.to, claim.expires_at);
    const counter = statements.counter.get(at(a.from));
    if (counter && !statements.counter.get(at(a.to)))
      statements.putCounter.run(a.to, counter.value, counter.expires_at);
    statements.mergeIndex.run({ from: a.from, to: a.to });
    return deleteEverywhere(a.from, a.now);
  }

  /** Delete everything under `key` in every family; true when any of it was live (an index counts when not empty). */
  function deleteEverywhere(key: string, now: number): boolean {
    const held = statements.familiesOf.get({ key });
    if (!held) return false;
    let live = false;
    statements.deleteKeyed.forEach((statement, n) => {
      if (held[`f${n}`] === 1) live = statement.get({ key, now })?.live === 1 || live;
    });
    return (held.idx === 1 && statements.deleteIndex.run(key).changes > 0) || live;
  }

  return {
    ...statements,
    deleteEverywhere,
    // Inside the loop turn's transaction these run as a SAVEPOINT: all of one forget or purge, or nothing of it.
    /** Every family of every key the person tracked (an index by its name), then the person's index rows. */
    forget: db.transaction((person: string): number => {
      for (const statement of statements.forgetKeyed) statement.run(person);
      statements.forgetIndexes.run(person);
      return statements.forgetPerson.run(person).changes;
    }),
    /**
     * Everything under one key to another (or its values rewritten in place), after checking that the values are
     * still the ones the rewrite saw: undefined when they changed since (the caller reads again).
     */
    rename: db.transaction((a: RenameRows): boolean | undefined => {
      const value = statements.valueRow.get({ key: a.from, now: a.now });
      const versioned = statements.versionedRow.get({ key: a.from, now: a.now });
      if (value?.value !== a.seen.value || (versioned?.version ?? 0) !== a.seen.version) return undefined;
      if (a.from !== a.to) return moveRows(a, value, versioned);
      rewriteInPlace(a, value, versioned);
      const at = { key: a.from, now: a.now };
      const others = statements.claimRow.get(at) ?? statements.counter.get(at) ?? statements.anyMember.get(a.from);
      return value !== undefined || versioned !== undefined || others !== undefined;
    }),
    /** A member's new name with its score; a member already under that name keeps its own. */
    renameMember: db.transaction((index: string, member: string, to: string): boolean => {
      const row = statements.memberScore.get(index, member);
      if (!row) return false;
      statements.addMemberIfAbsent.run(index, to, row.score);
      if (member !== to) statements.indexRemove.run(index, member);
      return true;
    }),
    /** Expired rows of every family, and person-index rows whose key holds nothing any more. */
    purge: db.transaction((now: number): number => {
      let removed = 0;
      for (const statement of statements.purgeFamilies) removed += statement.run(now).changes;
      return removed + statements.purgeOrphans.run(now - orphanGraceMs).changes;
    }),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
