/**
 * A masterclass session: title, module, start (a moment; shown in Europe/Amsterdam or the person's zone), place or
 * online link, seats (14 by default) and a registration deadline. The record is versioned and changed with
 * compare-and-set; its `sequence` counts the changes a calendar must see (the .ics SEQUENCE).
 */
import type { Locale, Platform } from '../../message/types.js';
import type { KeyValueStore } from '../../store/store.js';
import { updateWithRetry } from '../../store/update-with-retry.js';
import { sessionKeys } from './keys.js';

export const DEFAULT_SEATS = 14;
export const MAX_SEATS = 200;
export const DEFAULT_DURATION_MINUTES = 180;
export const MAX_TITLE = 150;
export const MAX_PLACE = 200;

export type SessionStatus = 'open' | 'cancelled';

export interface Session {
  id: string;
  title: string;
  /** A module id of the catalogue (`m1`). */
  module?: string;
  /** ms since epoch. */
  startsAt: number;
  durationMinutes: number;
  place?: string;
  url?: string;
  seats: number;
  /** ms since epoch; never after the start. */
  registrationDeadline: number;
  status: SessionStatus;
  /** Changes a calendar must see; starts at 0. */
  sequence: number;
  /** A pseudonym, or `api`. */
  createdBy: string;
  /** Made in the chat: the organiser's workspace or tenant (keyed hash); absent from the API (everyone). */
  scope?: { platform: Platform; tenant: string };
  locale: Locale;
  createdAt: number;
  updatedAt: number;
  /** The end was processed: attendance records exist. */
  closedAt?: number;
}

/** What an organiser may set. */
export interface SessionInput {
  title?: string;
  module?: string;
  startsAt?: number;
  durationMinutes?: number;
  place?: string;
  url?: string;
  seats?: number;
  registrationDeadline?: number;
}

/** Why input was refused: the field and a reason (a text key under `sessions.errors`). */
export interface SessionProblem {
  field: keyof SessionInput;
  reason: 'required' | 'tooLong' | 'past' | 'seats' | 'deadlineAfterStart' | 'url' | 'module' | 'duration' | 'seated';
}

/** The reasons in English, for the API (`startsAt: must not be in the past`). */
export const PROBLEM_TEXT: Record<SessionProblem['reason'], string> = {
  required: 'is required',
  tooLong: 'is too long',
  past: 'must not be in the past',
  seats: `must be a whole number from 1 to ${MAX_SEATS}`,
  deadlineAfterStart: 'must not be after the start',
  url: 'must be an http(s) URL',
  module: 'no such module',
  duration: 'must be a whole number of minutes from 15 to 720',
  seated: 'is lower than the number of people who have a seat',
};

/**
 * The session after applying `input` to `current` (absent: a new one), or the first problem. A time in the past is
 * refused only when it is set now, so a session that started can still get a new place.
 */
export function checkSession(
  input: SessionInput,
  current: Pick<Session, keyof SessionInput> | undefined,
  options: { now: number; modules: ReadonlySet<string>; seated?: number },
):
  | {
      ok: Required<Pick<Session, 'title' | 'startsAt' | 'seats' | 'registrationDeadline' | 'durationMinutes'>> &
        Pick<Session, 'module' | 'place' | 'url'>;
    }
  | { error: SessionProblem } {
  const merged = { ...current, ...input };
  const problem = (field: SessionProblem['field'], reason: SessionProblem['reason']) => ({
    error: { field, reason },
  });
  const title = merged.title?.trim() ?? '';
  if (title === '') return problem('title', 'required');
  if (title.length > MAX_TITLE) return problem('title', 'tooLong');
  if (merged.startsAt === undefined || !Number.isFinite(merged.startsAt)) return problem('startsAt', 'required');
  if (input.startsAt !== undefined && merged.startsAt <= options.now) return problem('startsAt', 'past');
  const seats = merged.seats ?? DEFAULT_SEATS;
  if (!Number.isInteger(seats) || seats < 1 || seats > MAX_SEATS) return problem('seats', 'seats');
  if (options.seated !== undefined && seats < options.seated) return problem('seats', 'seated');
  const duration = merged.durationMinutes ?? DEFAULT_DURATION_MINUTES;
  if (!Number.isInteger(duration) || duration < 15 || duration > 720) return problem('durationMinutes', 'duration');
  const place = merged.place?.trim() || undefined;
  if (place && place.length > MAX_PLACE) return problem('place', 'tooLong');
  const url = merged.url?.trim() || undefined;
  if (url && (!/^https?:\/\/\S+$/i.test(url) || url.length > 500 || !URL.canParse(url))) return problem('url', 'url');
  const module = merged.module?.trim() || undefined;
  if (module && !options.modules.has(module)) return problem('module', 'module');
  // A deadline set with a new start follows it; one set on its own must fit the start.
  const deadline =
    input.registrationDeadline ??
    (input.startsAt !== undefined && current?.registrationDeadline === current?.startsAt
      ? merged.startsAt
      : (current?.registrationDeadline ?? merged.startsAt));
  if (deadline > merged.startsAt) return problem('registrationDeadline', 'deadlineAfterStart');
  if (input.registrationDeadline !== undefined && deadline < options.now - 60_000)
    return problem('registrationDeadline', 'past');
  return {
    ok: {
      title,
      startsAt: merged.startsAt,
      seats,
      registrationDeadline: deadline,
      durationMinutes: duration,
      ...(module ? { module } : {}),
      ...(place ? { place } : {}),
      ...(url ? { url } : {}),
    },
  };
}

/** Sessions in the store. */
export interface SessionRepo {
  get(id: string): Promise<Session | undefined>;
  /** Write a new session (fails when the id exists). */
  create(session: Session, ttlMs: number): Promise<void>;
  /** Change a session with compare-and-set; `fn` may run more than once. Returns the stored session. */
  update(id: string, fn: (current: Session) => Session, ttlMs: number): Promise<Session | undefined>;
  /** Sessions by start within a range, oldest first. */
  between(from: number, to: number, limit?: number): Promise<Session[]>;
}

export function createSessionRepo(store: KeyValueStore): SessionRepo {
  return {
    get: async (id) => (await store.getVersioned<Session>(sessionKeys.session(id))).value,
    async create(session, ttlMs) {
      if (!(await store.compareAndSet(sessionKeys.session(session.id), 0, session, ttlMs)))
        throw new Error('a session with this id exists');
      await store.indexAdd(sessionKeys.byStart, session.id, session.startsAt);
    },
    async update(id, fn, ttlMs) {
      const next = await updateWithRetry<Session>(
        store,
        sessionKeys.session(id),
        (current) => (current ? fn(current) : undefined),
        ttlMs,
      );
      if (next) await store.indexAdd(sessionKeys.byStart, id, next.startsAt);
      return next;
    },
    async between(from, to, limit = 50) {
      const page = await store.indexRange(sessionKeys.byStart, { min: from, max: to, limit });
      const found = await Promise.all(
        page.entries.map((e) => store.getVersioned<Session>(sessionKeys.session(e.member))),
      );
      return found.flatMap((f) => (f.value ? [f.value] : []));
    },
  };
}
