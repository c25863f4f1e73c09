/**
 * Check-in results under the person's pseudonym: choices and the diagnosis. A result is kept only when the
 * person chooses "Bewaar mijn uitslag" (then for RETENTION_DAYS); otherwise it expires after 24 hours, or is
 * deleted earlier when the person starts something else. The note is not part of the result: it has its own
 * sealed key and retention (notes.ts). The messages that showed a result are remembered sealed (they hold platform
 * ids) for RETENTION_DAYS after the result was made, even when the result itself went earlier: the messages stay on
 * the platform, so "vergeet mij" must still be able to delete them, or at least name them. Every key is tracked for
 * "vergeet mij". Anonymous counters (useful votes, safety routes shown) hold no person.
 */
import { randomBytes } from 'node:crypto';
import type { SentRef } from '../../message/types.js';
import type { Answer } from '../../dialog/types.js';
import { DAY_MS } from '../../lib/time.js';
import { checkinKeys as keys } from './keys.js';
import { type KeyValueStore, setTracked as setTrackedIn } from '../../store/store.js';
import type { Diagnosis } from './model.js';
import { USEFUL_VOTES, type UsefulVote } from './result.js';
import type { Sealer } from '../../crypto/sealer.js';

/** A note as stored (sealed): its words and when they were written (its own retention counts from then). */
interface StoredNote {
  text: string;
  at: number;
}

const MAX_LIST = 50;
/** A result nobody chose to keep lives at most this long. */
export const UNKEPT_RESULT_MS = DAY_MS;

export interface StoredResult {
  id: string;
  createdAt: number;
  expiresAt: number;
  dialogVersion: number;
  /** Choice ids per step; never free text (the note is kept apart, sealed, with its own retention). */
  answers: Record<string, Answer>;
  diagnosis: Diagnosis;
  /** The person pressed "keep". */
  kept: boolean;
}

interface ListEntry {
  id: string;
  createdAt: number;
  expiresAt: number;
}

export interface ResultsRepoOptions {
  retentionDays: number;
  /** How long a note is kept at most (never beyond its result). */
  noteRetentionDays: number;
  /** Seals the note: free text is never stored readable. */
  sealer: Sealer;
  /** Result ids; default 8 random URL-safe characters. */
  newId?: () => string;
}

export interface SaveInput {
  answers: Readonly<Record<string, Answer>>;
  diagnosis: Diagnosis;
  dialogVersion: number;
  now: number;
}

export interface ResultsRepo {
  readonly retentionMs: number;
  save(person: string, input: SaveInput): Promise<StoredResult>;
  get(person: string, resultId: string, now: number): Promise<StoredResult | undefined>;
  /** The person's results still within the retention period, newest first. */
  list(person: string, now: number): Promise<StoredResult[]>;
  /** "Bewaar mijn uitslag": kept until RETENTION_DAYS after it was made, with its bookkeeping. */
  markKept(person: string, resultId: string, now: number): Promise<StoredResult | undefined>;
  /**
   * The person starts something else: results they did not keep are deleted now. Returns their ids. The messages
   * that showed them stay remembered (sealed) until "vergeet mij" or RETENTION_DAYS, like those of expired results.
   */
  dropUnkept(person: string, now: number): Promise<string[]>;
  /** Remember a message that shows this result, so "forget" can delete it. */
  rememberSent(person: string, resultId: string, ref: SentRef, now: number): Promise<void>;
  /** Delete a result and its bookkeeping; returns the messages that showed it. */
  remove(person: string, resultId: string, now: number): Promise<{ removed: boolean; sent: SentRef[] }>;
  /** The messages that show one result. */
  sentFor(person: string, resultId: string): Promise<SentRef[]>;
  /** Every message that showed one of the person's results, also of results already gone (for "vergeet mij"). */
  sentMessages(person: string, now: number): Promise<SentRef[]>;
  /** The note with a result, while it is kept; undefined when none, expired or unreadable. */
  note(person: string, resultId: string, now: number): Promise<string | undefined>;
  /** Keep (or replace) the note of a result; false when the result is gone. */
  setNote(person: string, resultId: string, text: string, now: number): Promise<boolean>;
  /** Delete the note of a result; true when there was one. */
  removeNote(person: string, resultId: string): Promise<boolean>;
  /** Count a "was this useful?" vote once per result; false when already voted or the result is gone. */
  recordUseful(person: string, resultId: string, vote: string, now: number): Promise<boolean>;
  usefulCounts(): Promise<Record<UsefulVote, number>>;
  /** Count that the safety route was shown (no person, no answers). */
  countSafetyRoute(): Promise<void>;
  safetyRoutesShown(): Promise<number>;
}

/** Keep choices; drop every free text (the note is kept apart, sealed, by notes.ts). */
export function minimiseAnswers(answers: Readonly<Record<string, Answer>>): Record<string, Answer> {
  const kept: Record<string, Answer> = {};
  for (const [step, answer] of Object.entries(answers)) {
    if (typeof answer === 'string' || typeof answer === 'number') kept[step] = answer;
    else if (Array.isArray(answer)) kept[step] = answer.filter((id) => typeof id === 'string');
  }
  return kept;
}

const defaultId = (): string => randomBytes(6).toString('base64url');

export function createResultsRepo(store: KeyValueStore, options: ResultsRepoOptions): ResultsRepo {
  const retentionMs = options.retentionDays * DAY_MS;
  const noteRetentionMs = options.noteRetentionDays * DAY_MS;
  const newId = options.newId ?? defaultId;
  const { sealer } = options;

  /** Sealed with a key no longer held: unreadable, so as good as gone. */
  async function readNote(person: string, resultId: string): Promise<StoredNote | undefined> {
    const key = keys.note(person, resultId);
    return sealer.tryOpen<StoredNote>(await store.get(key), key);
  }

  /** The messages that showed a result: sealed, since they hold platform ids (workspace, chat, Teams serviceUrl). */
  async function readSent(key: string): Promise<SentRef[]> {
    const stored = await store.get<unknown>(key);
    // Written unsealed by an older version: still read, so "vergeet mij" finds those messages; sealed when touched.
    if (Array.isArray(stored)) return stored as SentRef[];
    return sealer.tryOpen<SentRef[]>(stored, key) ?? [];
  }

  /** Delete a result with its note, vote and list entry; `withSent` also forgets the messages that showed it. */
  async function drop(person: string, resultId: string, now: number, withSent: boolean) {
    const sent = withSent ? await readSent(keys.sentForResult(person, resultId)) : [];
    const removed = await store.delete(keys.result(person, resultId));
    await store.delete(keys.note(person, resultId));
    if (withSent) await store.delete(keys.sentForResult(person, resultId));
    await store.delete(keys.usefulVoted(person, resultId));
    await writeList(
      person,
      (await readList(person, now)).filter((e) => e.id !== resultId),
      now,
    );
    return { removed, sent };
  }

  /** Its own retention from when it was written, never beyond the result; the store purges it then. */
  async function writeNote(person: string, result: StoredResult, note: StoredNote, now: number): Promise<void> {
    const key = keys.note(person, result.id);
    const until = Math.min(note.at + noteRetentionMs, result.expiresAt);
    if (until <= now) {
      await store.delete(key);
      return;
    }
    await setTracked(person, key, sealer.seal(note, key), until - now);
  }

  const setTracked = <T>(person: string, key: string, value: T, ttlMs: number) =>
    setTrackedIn(store, person, key, value, ttlMs);

  async function readList(person: string, now: number): Promise<ListEntry[]> {
    const list = (await store.get<ListEntry[]>(keys.resultList(person))) ?? [];
    return list.filter((e) => e.expiresAt > now);
  }

  async function writeList(person: string, list: ListEntry[], now: number): Promise<void> {
    const key = keys.resultList(person);
    if (list.length === 0) {
      await store.delete(key);
      return;
    }
    // The list lives as long as its newest entry.
    await setTracked(person, key, list, Math.max(...list.map((e) => e.expiresAt)) - now);
  }

  async function get(person: string, resultId: string, now: number): Promise<StoredResult | undefined> {
    const result = await store.get<StoredResult>(keys.result(person, resultId));
    return result && result.expiresAt > now ? result : undefined;
  }

  /** An atomic increment: two replicas counting at the same instant both count. */
  async function bump(name: string): Promise<void> {
    await store.increment(keys.counter(name), 1);
  }

  return {
    retentionMs,

    async save(person, input) {
      const result: StoredResult = {
        id: newId(),
        createdAt: input.now,
        expiresAt: input.now + Math.min(UNKEPT_RESULT_MS, retentionMs),
        dialogVersion: input.dialogVersion,
        answers: minimiseAnswers(input.answers),
        diagnosis: input.diagnosis,
        kept: false,
      };
      const list = (await readList(person, input.now)).filter((e) => e.id !== result.id);
      list.push({ id: result.id, createdAt: result.createdAt, expiresAt: result.expiresAt });
      // The result and its list entry in one commit.
      await Promise.all([
        setTracked(person, keys.result(person, result.id), result, result.expiresAt - input.now),
        writeList(person, list.slice(-MAX_LIST), input.now),
      ]);
      return result;
    },

    get,

    async list(person, now) {
      const entries = await readList(person, now);
      const results = await Promise.all(entries.map((e) => get(person, e.id, now)));
      return results.filter((r): r is StoredResult => r !== undefined).sort((a, b) => b.createdAt - a.createdAt);
    },

    async markKept(person, resultId, now) {
      const result = await get(person, resultId, now);
      if (!result) return undefined;
      const kept = { ...result, kept: true, expiresAt: Math.max(result.expiresAt, result.createdAt + retentionMs) };
      const ttl = kept.expiresAt - now;
      await setTracked(person, keys.result(person, resultId), kept, ttl);
      // Its bookkeeping lives as long as the result: the messages that show it (sealed, also when an older version
      // wrote them readable and for 24 hours only), the list entry.
      const sentKey = keys.sentForResult(person, resultId);
      const sent = await readSent(sentKey);
      if (sent.length > 0) await setTracked(person, sentKey, sealer.seal(sent, sentKey), ttl);
      const list = (await readList(person, now)).map((e) =>
        e.id === resultId ? { ...e, expiresAt: kept.expiresAt } : e,
      );
      await writeList(person, list, now);
      // The note keeps its own, shorter retention: it may now outlive the first 24 hours, not its own days.
      const note = await readNote(person, resultId);
      if (note) await writeNote(person, kept, note, now);
      return kept;
    },

    async dropUnkept(person, now) {
      const dropped: string[] = [];
      for (const entry of await readList(person, now)) {
        const result = await get(person, entry.id, now);
        if (result?.kept) continue;
        await drop(person, entry.id, now, false);
        dropped.push(entry.id);
      }
      // Erased, not only unlinked: out of the database journal too.
      if (dropped.length > 0) await store.checkpoint?.();
      return dropped;
    },

    async rememberSent(person, resultId, ref, now) {
      const result = await get(person, resultId, now);
      if (!result) return;
      const key = keys.sentForResult(person, resultId);
      const refs = [...(await readSent(key)), ref];
      // As long as a kept result at most: the message outlives an unkept result on the platform.
      const until = Math.max(result.expiresAt, result.createdAt + retentionMs);
      await setTracked(person, key, sealer.seal(refs, key), until - now);
    },

    sentFor: (person, resultId) => readSent(keys.sentForResult(person, resultId)),

    async sentMessages(person) {
      // From the person index, not the result list: results dropped or expired leave their messages behind.
      const prefix = keys.sentForResult(person, '');
      const sentKeys = (await store.keysOf(person)).filter((key) => key.startsWith(prefix));
      return (await Promise.all(sentKeys.map(readSent))).flat();
    },

    remove: (person, resultId, now) => drop(person, resultId, now, true),

    async note(person, resultId, now) {
      if (!(await get(person, resultId, now))) return undefined;
      const note = await readNote(person, resultId);
      return note && note.at + noteRetentionMs > now ? note.text : undefined;
    },

    async setNote(person, resultId, text, now) {
      const result = await get(person, resultId, now);
      if (!result) return false;
      await writeNote(person, result, { text: text.trim(), at: now }, now);
      return true;
    },

    async removeNote(person, resultId) {
      const removed = await store.delete(keys.note(person, resultId));
      // Erased, not only unlinked: out of the database journal too.
      if (removed) await store.checkpoint?.();
      return removed;
    },

    async recordUseful(person, resultId, vote, now) {
      if (!(USEFUL_VOTES as readonly string[]).includes(vote)) return false;
      const result = await get(person, resultId, now);
      if (!result) return false;
      const key = keys.usefulVoted(person, resultId);
      if (!(await store.claim(key, Math.max(1, result.expiresAt - now)))) return false;
      await store.track(person, key);
      await bump(`useful:${vote}`);
      return true;
    },

    async usefulCounts() {
      const counts = await Promise.all(
        USEFUL_VOTES.map(async (vote) => [vote, await store.counter(keys.counter(`useful:${vote}`))] as const),
      );
      return Object.fromEntries(counts) as Record<UsefulVote, number>;
    },

    async countSafetyRoute() {
      await bump('safetyRouteShown');
    },

    async safetyRoutesShown() {
      return store.counter(keys.counter('safetyRouteShown'));
    },
  };
}
