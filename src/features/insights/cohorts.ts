/**
 * Before and after a masterclass session. A person registered for a session who does a check-in before it gives a
 * "before" (the phase band); FOLLOWUP_WEEKS after a session they attended, they are offered a follow-up check-in,
 * whose result gives the "after". The two are linked by a random token per person and session (the person's own
 * data, deleted by "vergeet mij") and stored under that token only. Four weeks after the offer the cohort closes:
 * the pairs are counted into an outcome per group, and the tokens and pairs are deleted. The outcome is kept only
 * when at least k people answered both, and is deleted with the session when its retention ends. An organiser sees
 * a cohort only once it closed, so two looks a day apart cannot tell one person's answer.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lib/time.js';
import type { KeyValueStore } from '../../store/store.js';
import { sessionKeys } from '../sessions/keys.js';
import type { Session } from '../sessions/model.js';
import { type Band, BANDS } from './facts.js';
import { cohortKeys, insightsKeys } from './keys.js';
import { type Distribution, suppressMonth, type SuppressReason } from './suppression.js';

export interface Pair {
  before?: Band;
  after?: Band;
}

export const SHIFTS = ['better', 'same', 'worse', 'unclear'] as const;
export type Shift = (typeof SHIFTS)[number];

/** The counts of a closed cohort. */
export interface CohortOutcome {
  both: number;
  before: Record<string, number>;
  after: Record<string, number>;
  shift: Record<string, number>;
}

export type CohortView =
  | { status: 'open'; closesAt: number }
  | { status: 'suppressed'; reason: SuppressReason }
  | { status: 'shown'; both: number; before: Distribution; after: Distribution; shift: Distribution };

/** How long after the offer a follow-up check-in still counts. */
export const FOLLOWUP_WINDOW_MS = 28 * DAY_MS;
/** How long an accepted offer waits for its check-in. */
const AWAIT_MS = 14 * DAY_MS;

const ORDER: Record<Band, number> = { 'win-win': 0, 'win-lose': 1, 'lose-lose': 2, unknown: -1 };

export function shiftOf(pair: Required<Pair>): Shift {
  if (pair.before === 'unknown' || pair.after === 'unknown') return 'unclear';
  const d = ORDER[pair.after] - ORDER[pair.before];
  return d < 0 ? 'better' : d > 0 ? 'worse' : 'same';
}

/** Count pairs into an outcome (pairs without both answers do not count). */
export function countPairs(pairs: readonly Pair[]): CohortOutcome {
  const zero = (ids: readonly string[]) => Object.fromEntries(ids.map((id) => [id, 0])) as Record<string, number>;
  const out: CohortOutcome = { both: 0, before: zero(BANDS), after: zero(BANDS), shift: zero(SHIFTS) };
  for (const p of pairs) {
    if (!p.before || !p.after) continue;
    out.both += 1;
    out.before[p.before] = (out.before[p.before] ?? 0) + 1;
    out.after[p.after] = (out.after[p.after] ?? 0) + 1;
    const s = shiftOf({ before: p.before, after: p.after });
    out.shift[s] = (out.shift[s] ?? 0) + 1;
  }
  return out;
}

/** The published view of an outcome: nothing below k, each distribution suppressed as a month's would be. */
export function outcomeView(outcome: CohortOutcome | undefined, k: number): CohortView {
  if (!outcome || outcome.both < k) return { status: 'suppressed', reason: 'small_cell' };
  return {
    status: 'shown',
    both: outcome.both,
    before: suppressMonth(outcome.before, k, true),
    after: suppressMonth(outcome.after, k, true),
    shift: suppressMonth(outcome.shift, k, true),
  };
}

export function createCohorts(deps: {
  store: KeyValueStore;
  config: Pick<Config, 'insights' | 'sessions'>;
  now: () => number;
}) {
  const { store, config, now } = deps;
  const session = async (id: string) => (await store.getVersioned<Session>(sessionKeys.session(id))).value;
  const endOf = (s: Session) => s.startsAt + s.durationMinutes * MINUTE_MS;
  const retentionEnd = (s: Session) => endOf(s) + config.sessions.retentionDays * DAY_MS;
  const offerAt = (s: Session) => endOf(s) + config.insights.followupWeeks * 7 * DAY_MS;
  /** When the cohort closes: four weeks after the follow-up is offered. */
  const closesAt = (s: Session) => offerAt(s) + FOLLOWUP_WINDOW_MS;
  const ttl = (s: Session) => Math.max(HOUR_MS, retentionEnd(s) - now());
  const isClosed = async (id: string) => (await store.get(cohortKeys.closed(id))) !== undefined;

  /** Register the session's cohort (for closing and deleting it later); harmless again. */
  async function register(s: Session, group?: string): Promise<void> {
    await store.indexAdd(insightsKeys.cohorts, s.id, retentionEnd(s));
    if (group) await store.indexAdd(insightsKeys.cohortGroups(s.id), group, 0);
  }

  /** The person's token for a session, made on first use (person data). */
  async function tokenOf(person: string, s: Session): Promise<string> {
    const key = insightsKeys.link(s.id, person);
    await store.track(person, key);
    const existing = await store.get<string>(key);
    if (existing) return existing;
    const token = randomBytes(12).toString('base64url');
    await store.set(key, token, ttl(s));
    return token;
  }

  async function write(person: string, s: Session, group: string, change: (p: Pair) => Pair): Promise<void> {
    const token = await tokenOf(person, s);
    const key = insightsKeys.pair(s.id, group, token);
    await store.track(person, key);
    const current = (await store.get<Pair>(key)) ?? {};
    await store.set(key, change(current), ttl(s));
    await store.indexAdd(insightsKeys.cohort(s.id, group), token, 0);
    await register(s, group);
  }

  /** A check-in before sessions the person registered for: the "before" of each (the latest counts). */
  async function recordBefore(person: string, group: string, band: Band): Promise<number> {
    let count = 0;
    const page = await store.indexRange(sessionKeys.mine(person), { min: now(), limit: 100 });
    for (const { member: id } of page.entries) {
      const s = await session(id);
      if (s?.status !== 'open' || s.startsAt <= now()) continue;
      await write(person, s, group, (p) => ({ ...p, before: band }));
      count += 1;
    }
    return count;
  }

  /** The person pressed "doe de check-in" under a follow-up offer. */
  async function accept(person: string, sessionId: string): Promise<'ok' | 'closed' | 'gone'> {
    const s = await session(sessionId);
    if (!s) return 'gone';
    if (now() >= closesAt(s) || (await isClosed(sessionId))) return 'closed';
    await store.track(person, insightsKeys.awaiting(person));
    await store.set(insightsKeys.awaiting(person), { s: sessionId }, AWAIT_MS);
    return 'ok';
  }

  /** After a check-in: when the person accepted a follow-up, its "after". True when it counted. */
  async function recordAfter(person: string, group: string, band: Band): Promise<boolean> {
    const awaiting = await store.get<{ s: string }>(insightsKeys.awaiting(person));
    if (!awaiting) return false;
    await store.delete(insightsKeys.awaiting(person));
    const s = await session(awaiting.s);
    if (!s || now() >= closesAt(s) || (await isClosed(s.id))) return false;
    await write(person, s, group, (p) => ({ ...p, after: band }));
    return true;
  }

  async function* members(index: string) {
    let after: { member: string; score: number } | undefined;
    for (;;) {
      const page = await store.indexRange(index, { limit: 500, ...(after ? { after } : {}) });
      yield* page.entries;
      if (!page.cursor) return;
      after = page.cursor;
    }
  }

  /** Close a cohort: count its pairs per group, keep the counts only when at least k answered both, drop tokens. */
  async function close(id: string): Promise<void> {
    const s = await session(id);
    if (!s) return;
    for await (const { member: group } of members(insightsKeys.cohortGroups(id))) {
      const pairs: Pair[] = [];
      const index = insightsKeys.cohort(id, group);
      for await (const { member: token } of members(index)) {
        const pair = await store.get<Pair>(insightsKeys.pair(id, group, token));
        if (pair) pairs.push(pair);
        await store.delete(insightsKeys.pair(id, group, token));
      }
      await store.delete(index);
      const outcome = countPairs(pairs);
      if (outcome.both >= config.insights.k) await store.set(cohortKeys.shift(id, group), outcome, ttl(s));
    }
    // The links are person data; with the pairs gone they point nowhere, so they go too.
    let cursor: string | undefined;
    do {
      const page = await store.list<string>(`insights:link:${id}:`, { limit: 500, ...(cursor ? { cursor } : {}) });
      for (const { key } of page.entries) await store.delete(key);
      cursor = page.cursor;
    } while (cursor);
    await store.set(cohortKeys.closed(id), 1, ttl(s));
  }

  /** What an organiser of `group` may see of a session's cohort. */
  async function view(id: string, group: string): Promise<CohortView | undefined> {
    const s = await session(id);
    if (!s) return undefined;
    if (!(await isClosed(id))) return { status: 'open', closesAt: closesAt(s) };
    return outcomeView(await store.get<CohortOutcome>(cohortKeys.shift(id, group)), config.insights.k);
  }

  /** Before "vergeet mij": take the person's tokens out of the cohorts (their links and pairs go with their keys). */
  async function forgetPerson(person: string): Promise<number> {
    let removed = 0;
    for (const key of await store.keysOf(person)) {
      const match = /^insights:pair:([^:]+):(.+):([^:]+)$/.exec(key);
      if (!match) continue;
      const [, id, group, token] = match as unknown as [string, string, string, string];
      if (await store.indexRemove(insightsKeys.cohort(id, group), token)) removed += 1;
    }
    return removed;
  }

  /** The daily work: close cohorts whose follow-up period ended; delete those whose session's retention ended. */
  async function sweep(): Promise<{ closed: number; deleted: number }> {
    let closed = 0;
    let deleted = 0;
    for await (const { member: id, score: end } of members(insightsKeys.cohorts)) {
      const s = await session(id);
      if (!s || end <= now()) {
        for await (const { member: group } of members(insightsKeys.cohortGroups(id))) {
          await store.delete(insightsKeys.cohort(id, group));
          await store.delete(cohortKeys.shift(id, group));
        }
        await store.delete(insightsKeys.cohortGroups(id));
        await store.delete(cohortKeys.closed(id));
        await store.indexRemove(insightsKeys.cohorts, id);
        deleted += 1;
      } else if (now() >= closesAt(s) && !(await isClosed(id))) {
        await close(id);
        closed += 1;
      }
    }
    return { closed, deleted };
  }

  return { recordBefore, accept, recordAfter, close, view, forgetPerson, sweep, register, offerAt, closesAt, session };
}

export type Cohorts = ReturnType<typeof createCohorts>;
