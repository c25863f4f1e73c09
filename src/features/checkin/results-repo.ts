/**
 * Check-in results kept under the person's pseudonym, each with the retention period (RETENTION_DAYS, see
 * docs/privacy.md): choices and the diagnosis, the note only when written. Every key is tracked for "vergeet mij".
 * Anonymous counters (useful votes, safety routes shown) hold no person.
 */
import { randomBytes } from 'node:crypto';
import type { SentRef } from '../../message/types.js';
import type { Answer } from '../../dialog/types.js';
import { DAY_MS } from '../../lib/time.js';
import { checkinKeys as keys } from './keys.js';
import type { KeyValueStore } from '../../store/store.js';
import type { Diagnosis } from './model.js';
import { USEFUL_VOTES, type UsefulVote } from './result.js';

/** The only free-text answer that may be kept: the optional note, when the person wrote one. */
const NOTE_STEP = 'note';
const MAX_LIST = 50;

export interface StoredResult {
  id: string;
  createdAt: number;
  expiresAt: number;
  dialogVersion: number;
  /** Choice ids per step; `note` only when written. */
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
  markKept(person: string, resultId: string, now: number): Promise<StoredResult | undefined>;
  /** Remember a message that shows this result, so "forget" can delete it. */
  rememberSent(person: string, resultId: string, ref: SentRef, now: number): Promise<void>;
  /** Delete a result and its bookkeeping; returns the messages that showed it. */
  remove(person: string, resultId: string, now: number): Promise<{ removed: boolean; sent: SentRef[] }>;
  /** Every message that shows one of the person's results (for "vergeet mij"). */
  sentMessages(person: string, now: number): Promise<SentRef[]>;
  /** Count a "was this useful?" vote once per result; false when already voted or the result is gone. */
  recordUseful(person: string, resultId: string, vote: string, now: number): Promise<boolean>;
  usefulCounts(): Promise<Record<UsefulVote, number>>;
  /** Count that the safety route was shown (no person, no answers). */
  countSafetyRoute(): Promise<void>;
  safetyRoutesShown(): Promise<number>;
}

/** Keep choices; keep the note only when it has text; drop any other free text. */
export function minimiseAnswers(answers: Readonly<Record<string, Answer>>): Record<string, Answer> {
  const kept: Record<string, Answer> = {};
  for (const [step, answer] of Object.entries(answers)) {
    if (typeof answer === 'string' || typeof answer === 'number') kept[step] = answer;
    else if (Array.isArray(answer)) kept[step] = answer.filter((id) => typeof id === 'string');
    else if (
      step === NOTE_STEP &&
      answer !== null &&
      typeof answer === 'object' &&
      typeof answer.text === 'string' &&
      answer.text.trim() !== ''
    )
      kept[step] = { text: answer.text.trim() };
  }
  return kept;
}

const defaultId = (): string => randomBytes(6).toString('base64url');

export function createResultsRepo(store: KeyValueStore, options: ResultsRepoOptions): ResultsRepo {
  const retentionMs = options.retentionDays * DAY_MS;
  const newId = options.newId ?? defaultId;

  async function setTracked<T>(person: string, key: string, value: T, ttlMs: number): Promise<void> {
    // Index first: a crash between the two writes must never leave person data that "vergeet mij" cannot find.
    await store.track(person, key);
    await store.set(key, value, ttlMs);
  }

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
        expiresAt: input.now + retentionMs,
        dialogVersion: input.dialogVersion,
        answers: minimiseAnswers(input.answers),
        diagnosis: input.diagnosis,
        kept: false,
      };
      await setTracked(person, keys.result(person, result.id), result, retentionMs);
      const list = (await readList(person, input.now)).filter((e) => e.id !== result.id);
      list.push({ id: result.id, createdAt: result.createdAt, expiresAt: result.expiresAt });
      await writeList(person, list.slice(-MAX_LIST), input.now);
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
      const kept = { ...result, kept: true };
      await setTracked(person, keys.result(person, resultId), kept, result.expiresAt - now);
      return kept;
    },

    async rememberSent(person, resultId, ref, now) {
      const result = await get(person, resultId, now);
      if (!result) return;
      const key = keys.sentForResult(person, resultId);
      const refs = (await store.get<SentRef[]>(key)) ?? [];
      await setTracked(person, key, [...refs, ref], result.expiresAt - now);
    },

    async sentMessages(person, now) {
      const lists = await Promise.all(
        (await readList(person, now)).map(
          async (e) => (await store.get<SentRef[]>(keys.sentForResult(person, e.id))) ?? [],
        ),
      );
      return lists.flat();
    },

    async remove(person, resultId, now) {
      const sent = (await store.get<SentRef[]>(keys.sentForResult(person, resultId))) ?? [];
      const removed = await store.delete(keys.result(person, resultId));
      await store.delete(keys.sentForResult(person, resultId));
      await store.delete(keys.usefulVoted(person, resultId));
      await writeList(
        person,
        (await readList(person, now)).filter((e) => e.id !== resultId),
        now,
      );
      return { removed, sent };
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
