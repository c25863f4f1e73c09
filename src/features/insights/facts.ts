/**
 * The anonymous facts behind the insights: what a check-in result showed, recorded when it is shown. A fact holds
 * the track, the phase band, the roles seen, the missing voices, the flags and the modules suggested — no person,
 * no time but the month, no free text. One fact per person per group per month: a second check-in in the same
 * month replaces the first (through a short-lived link in the person's own data), so a month counts people.
 */
import { randomBytes } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { DAY_MS } from '../../lib/time.js';
import type { KeyValueStore } from '../../store/store.js';
import { FLAGS, PHASES, ROLES, TRACKS, VOICES, type Diagnosis } from '../checkin/model.js';
import { insightsKeys } from './keys.js';
import type { MonthData } from './suppression.js';

export const BANDS = [...PHASES, 'unknown'] as const;
export type Band = (typeof BANDS)[number];

export interface Fact {
  track: string;
  phase: Band;
  roles: string[];
  voices: string[];
  flags: string[];
  modules: string[];
}

/** What the check-in hands over when it shows a result. */
export interface ShownResult {
  diagnosis: Diagnosis;
  /** Module ids suggested with the result. */
  modules: readonly string[];
}

/**
 * Facts are kept 800 days from the first day of their month: past the 24 whole months a query may ask for, so no
 * month shrinks while it can be asked.
 */
export const FACT_RETENTION_MS = 800 * DAY_MS;

/** When every fact of `month` expires: FACT_RETENTION_MS after the month's first day (UTC), the same for all. */
export function factExpiry(month: string): number {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Date.UTC(y, m - 1, 1) + FACT_RETENTION_MS;
}

/** The month of `at` in `timeZone`, as YYYY-MM. */
export function monthOf(at: number, timeZone: string): string {
  const d = new TZDate(at, timeZone);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
}

export const bandOf = (diagnosis: Diagnosis): Band => diagnosis.glasl?.phase ?? 'unknown';

/** The fact of a shown result: only ids from fixed lists, so no free text can slip in. */
export function factOf(shown: ShownResult): Fact {
  const d = shown.diagnosis;
  const only = (all: readonly string[], ids: readonly string[]) => all.filter((id) => ids.includes(id));
  return {
    track: (TRACKS as readonly string[]).includes(d.track) ? d.track : 'unclear',
    phase: bandOf(d),
    roles: only(ROLES, d.roles ?? []),
    voices: only(VOICES, d.missingVoices ?? []),
    flags: FLAGS.filter((f) => d.flags?.[f] === true),
    modules: [...new Set(shown.modules.filter((id) => /^[A-Za-z0-9_-]{1,40}$/.test(id)))],
  };
}

/** Record the fact of a shown result, replacing the person's earlier fact of this month in this group. */
export async function recordFact(
  store: KeyValueStore,
  input: { person: string; group: string; month: string; fact: Fact; now: number },
): Promise<void> {
  const { person, group, month, fact, now } = input;
  const mine = insightsKeys.mine(person, group, month);
  const earlier = await store.get<{ id: string }>(mine);
  const id = randomBytes(12).toString('base64url');
  // One commit for all of it (SQLite), the person's link indexed first.
  await Promise.all([
    store.track(person, mine),
    earlier ? store.delete(insightsKeys.fact(group, month, earlier.id)) : undefined,
    // Every fact of a month expires at the same moment: an expiry counted from now would record when it was made.
    store.set(insightsKeys.fact(group, month, id), fact, Math.max(1, factExpiry(month) - now)),
    // The link lasts only while a replacement can happen (this month), then the fact stands alone.
    store.set(mine, { id }, 32 * DAY_MS),
  ]);
}

/** The dimensions shown, and whether each is a partition (one category per check-in). */
export const DIMENSIONS = {
  track: { partition: true, ids: TRACKS as readonly string[] },
  phase: { partition: true, ids: BANDS as readonly string[] },
  roles: { partition: false, ids: ROLES as readonly string[] },
  voices: { partition: false, ids: VOICES as readonly string[] },
  modules: { partition: false, ids: [] as readonly string[] },
  flags: { partition: false, ids: FLAGS as readonly string[] },
} as const;
export type Dimension = keyof typeof DIMENSIONS;
export const DIMENSION_NAMES = Object.keys(DIMENSIONS) as Dimension[];

/** Count facts into one month's data; `moduleIds`: the catalogue's modules, shown even at 0. */
export function countFacts(month: string, facts: readonly Fact[], moduleIds: readonly string[]): MonthData {
  const dims: MonthData['dims'] = {};
  for (const dim of DIMENSION_NAMES) {
    const spec = DIMENSIONS[dim];
    const counts: Record<string, number> = {};
    for (const id of dim === 'modules' ? moduleIds : spec.ids) counts[id] = 0;
    for (const fact of facts) {
      const values = dim === 'track' ? [fact.track] : dim === 'phase' ? [fact.phase] : (fact[dim] ?? []);
      for (const id of values) counts[id] = (counts[id] ?? 0) + 1;
    }
    dims[dim] = { partition: spec.partition, counts };
  }
  return { month, total: facts.length, dims };
}

/** Every fact of a group in a month (a Redis listing may repeat a key: counted once). */
export async function readFacts(store: KeyValueStore, group: string, month: string): Promise<Fact[]> {
  const byKey = new Map<string, Fact>();
  let cursor: string | undefined;
  do {
    const page = await store.list<Fact>(insightsKeys.facts(group, month), {
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    for (const { key, value } of page.entries) byKey.set(key, value);
    cursor = page.cursor;
  } while (cursor);
  return [...byKey.values()];
}
