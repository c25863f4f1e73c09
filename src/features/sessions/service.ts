/**
 * Sessions as organisers change them (from the chat and the API alike): create, change, cancel; the reminders and
 * the end of each version of a session; telling everyone seated or waiting when it moves or is cancelled; offers of
 * freed seats with their deadline; attendance; retention. Messages go through the broadcaster (src/delivery), so
 * direct messages wait for quiet hours and every recipient has a delivery record.
 */
import { randomBytes } from 'node:crypto';
import type { FeatureDeps } from '../../core/feature-deps.js';
import { nextAllowed } from '../../lib/quiet-hours.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../lib/time.js';
import type { Locale, Platform } from '../../message/types.js';
import { SESSION_KINDS, sessionKeys } from './keys.js';
import { checkSession, createSessionRepo, type Session, type SessionInput, type SessionProblem } from './model.js';
import { createAttendance } from './attendance.js';
import { changeId, closeJobId, reminderId, reminderTime } from './reminders.js';
import { createRsvps, type Rsvp } from './rsvp.js';

export const SESSION_JOBS = {
  offerExpire: 'sessions.offer-expire',
  close: 'sessions.close',
  purge: 'sessions.purge',
} as const;

/** A one-person message: a freed seat offered, or an offer that lapsed. */
export interface Notice {
  session: string;
  person: string;
  platform: Platform;
  timeZone?: string;
  locale: Locale;
  what: 'offer' | 'lapsed' | 'seated';
}

/** Who made or changed a session. */
export interface Author {
  createdBy: string;
  locale: Locale;
  scope?: Session['scope'];
}

export function createSessionService(deps: FeatureDeps, modules: ReadonlySet<string>) {
  const { store, config, queue, broadcasts, hash, now } = deps;
  const repo = createSessionRepo(store);
  // Read when used: the menus are built from a partial configuration that has no session settings.
  const retentionMs = () => config.sessions.retentionDays * DAY_MS;
  const endOf = (s: Session) => s.startsAt + s.durationMinutes * MINUTE_MS;
  const ttlFor = (s: Session) => Math.max(HOUR_MS, endOf(s) + retentionMs() - now());
  const offerJobId = (s: Session, person: string, until: number) =>
    `so.${s.id}.${hash('offer', s.id, person)}.${until}`;
  /** A short reference to a participant for organisers: never the pseudonym, never a platform id. */
  const refOf = (sessionId: string, person: string) => hash('participant', sessionId, person).slice(0, 10);

  /** A broadcast made once, even when two replicas try (the loser finds it there). */
  async function broadcastOnce(id: string, kind: string, sendAt: number, locale: Locale): Promise<void> {
    if (await broadcasts.get(id)) return;
    try {
      await broadcasts.create({ id, kind, sendAt, createdBy: 'sessions', locale });
    } catch (error) {
      if (!(await broadcasts.get(id))) throw error;
    }
  }

  async function notify(session: Session, person: string, rsvp: Rsvp, what: Notice['what']): Promise<void> {
    const id = `${session.id}.n${hash('notice', session.id, person, what, String(now()))}`;
    const key = sessionKeys.notice(id);
    const notice: Notice = { session: session.id, person, platform: rsvp.platform, locale: rsvp.locale, what };
    if (rsvp.timeZone) notice.timeZone = rsvp.timeZone;
    await store.track(person, key);
    await store.set(key, notice, 14 * DAY_MS);
    await broadcastOnce(id, SESSION_KINDS.notice, now(), rsvp.locale);
  }

  const rsvps = createRsvps({
    store,
    sessions: repo,
    now,
    ttlFor,
    offerWindow(session, rsvp) {
      // The deadline counts from when the message can arrive (after quiet hours), and ends at the start at last.
      const deliverAt = nextAllowed(config.quietHours, now(), rsvp.timeZone ?? config.timeZone);
      const until = Math.min(deliverAt + config.sessions.offerHours * HOUR_MS, session.startsAt);
      return until - deliverAt >= 30 * MINUTE_MS ? { deliverAt, until } : undefined;
    },
    async offered(session, person, rsvp) {
      const until = rsvp.offerExpiresAt as number;
      await queue.add({
        name: SESSION_JOBS.offerExpire,
        id: offerJobId(session, person, until),
        data: { s: session.id, p: person, u: until },
        runAt: until,
      });
      await notify(session, person, rsvp, 'offer');
    },
    seatedFromLine: (session, person, rsvp) => notify(session, person, rsvp, 'seated'),
    async offerSettled(session, person, rsvp) {
      if (rsvp.offerExpiresAt !== undefined) await queue.remove(offerJobId(session, person, rsvp.offerExpiresAt));
    },
  });

  /** Reminders and the end of this version of the session. */
  async function schedule(session: Session): Promise<void> {
    if (session.status !== 'open') return;
    for (const [i, offset] of config.sessions.reminderOffsetsMs.entries()) {
      const at = reminderTime(session.startsAt, offset, config.quietHours, config.timeZone);
      if (at > now())
        await broadcastOnce(reminderId(session.id, session.sequence, i), SESSION_KINDS.reminder, at, session.locale);
    }
    await queue.add({
      name: SESSION_JOBS.close,
      id: closeJobId(session.id, session.sequence),
      data: { s: session.id, q: session.sequence },
      runAt: endOf(session),
    });
  }

  async function unschedule(session: Session): Promise<void> {
    for (const i of config.sessions.reminderOffsetsMs.keys())
      await broadcasts.cancel(reminderId(session.id, session.sequence, i));
    await queue.remove(closeJobId(session.id, session.sequence));
  }

  async function create(
    input: SessionInput,
    author: Author,
  ): Promise<{ session: Session } | { error: SessionProblem }> {
    const checked = checkSession(input, undefined, { now: now(), modules });
    if ('error' in checked) return checked;
    const at = now();
    const session: Session = {
      ...checked.ok,
      id: randomBytes(9).toString('base64url'),
      status: 'open',
      sequence: 0,
      createdBy: author.createdBy,
      locale: author.locale,
      createdAt: at,
      updatedAt: at,
      ...(author.scope ? { scope: author.scope } : {}),
    };
    await repo.create(session, ttlFor(session));
    await schedule(session);
    return { session };
  }

  type UpdateResult = { session: Session; moved: boolean } | { error: SessionProblem } | 'notFound' | 'cancelled';

  async function update(id: string, input: SessionInput): Promise<UpdateResult> {
    const current = await repo.get(id);
    if (!current) return 'notFound';
    if (current.status === 'cancelled') return 'cancelled';
    const held = await store.counter(sessionKeys.seats(id));
    const checked = checkSession(input, current, { now: now(), modules, seated: held });
    if ('error' in checked) return checked;
    const ok = checked.ok;
    const moved =
      ok.startsAt !== current.startsAt ||
      ok.durationMinutes !== current.durationMinutes ||
      ok.place !== current.place ||
      ok.url !== current.url;
    const visible = moved || ok.title !== current.title;
    const next = await repo.update(
      id,
      (c) => {
        const { module: _m, place: _p, url: _u, ...rest } = c;
        return { ...rest, ...ok, sequence: visible ? c.sequence + 1 : c.sequence, updatedAt: now() };
      },
      ttlFor({ ...current, ...ok }),
    );
    if (!next) return 'notFound';
    if (next.sequence !== current.sequence) {
      await unschedule(current);
      await schedule(next);
    }
    // Everyone seated, offered or waiting hears of a new time or place, with the updated calendar entry.
    if (moved) await broadcastOnce(changeId(id, next.sequence), SESSION_KINDS.change, now(), next.locale);
    if (next.seats > current.seats) await rsvps.fill(next);
    return { session: next, moved };
  }

  async function cancel(id: string): Promise<Session | undefined> {
    const current = await repo.get(id);
    if (!current) return undefined;
    if (current.status === 'cancelled') return current;
    const next = await repo.update(
      id,
      (c) => (c.status === 'cancelled' ? c : { ...c, status: 'cancelled', sequence: c.sequence + 1, updatedAt: now() }),
      ttlFor(current),
    );
    if (!next) return undefined;
    await unschedule(current);
    await broadcastOnce(changeId(id, next.sequence), SESSION_KINDS.change, now(), next.locale);
    return next;
  }

  /** Everyone of one index of a session, page by page. */
  async function* members(index: string): AsyncGenerator<{ member: string; score: number }> {
    let after: { member: string; score: number } | undefined;
    for (;;) {
      const page = await store.indexRange(index, { limit: 500, ...(after ? { after } : {}) });
      yield* page.entries;
      if (!page.cursor) return;
      after = page.cursor;
    }
  }

  async function counts(id: string) {
    const [seated, offered, waiting] = await Promise.all([
      store.indexCount(sessionKeys.seated(id)),
      store.indexCount(sessionKeys.offers(id)),
      store.indexCount(sessionKeys.waiting(id)),
    ]);
    return { seated, offered, waiting };
  }

  /** A person's sessions (ids), from their own index. */
  async function sessionsOf(person: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const e of members(sessionKeys.mine(person))) ids.push(e.member);
    return ids;
  }

  /** Before "vergeet mij": free the person's seats (to the line) and take them out of every shared index. */
  async function forgetPerson(person: string): Promise<void> {
    for (const id of await sessionsOf(person)) {
      const session = await repo.get(id);
      const { value, version } = await rsvps.read(id, person);
      if (session && value && (await store.compareAndSet(sessionKeys.rsvp(id, person), version, undefined))) {
        if (session.status === 'open' && now() < session.startsAt) await rsvps.release(session, person, value);
        // A pending offer's expiry job carries the pseudonym: it goes with the person.
        if (value.offerExpiresAt !== undefined) await queue.remove(offerJobId(session, person, value.offerExpiresAt));
      }
      for (const index of [sessionKeys.seated(id), sessionKeys.waiting(id), sessionKeys.offers(id)])
        await store.indexRemove(index, person);
      await store.indexRemove(sessionKeys.attendance(id), person);
    }
  }

  /**
   * A PSEUDONYM_KEY rotation moves the person to `to`: their seat, place in line, offer and attendance are renamed in
   * the session's indexes in place (never counted twice, never lost), and an offer's deadline job, which carries the
   * pseudonym, is planned for `to`. Their registrations and list move with their keys afterwards.
   */
  async function rekeyPerson(from: string, to: string): Promise<void> {
    for (const id of await sessionsOf(from)) {
      const indexes = [
        sessionKeys.seated(id),
        sessionKeys.waiting(id),
        sessionKeys.offers(id),
        sessionKeys.attendance(id),
      ];
      for (const index of indexes) await store.indexRenameMember(index, from, to);
      const session = await repo.get(id);
      const { value } = await rsvps.read(id, from);
      if (!session || value?.status !== 'offered' || value.offerExpiresAt === undefined) continue;
      const until = value.offerExpiresAt;
      // The new job first: a crash in between leaves the old one, which finds no offer under `from` and does nothing.
      await queue.add({
        name: SESSION_JOBS.offerExpire,
        id: offerJobId(session, to, until),
        data: { s: id, p: to, u: until },
        runAt: until,
      });
      await queue.remove(offerJobId(session, from, until));
    }
  }

  /** Sessions whose retention ended: the session, its counter and its indexes (people's records expire alone). */
  async function purge(): Promise<number> {
    const before = now() - retentionMs() - DAY_MS;
    let purged = 0;
    for (;;) {
      const page = await store.indexRange(sessionKeys.byStart, { max: before, limit: 100 });
      if (page.entries.length === 0) return purged;
      for (const { member: id } of page.entries) {
        // People's own lists name the session too: take it out there first (those lists do not expire).
        for (const index of [sessionKeys.seated(id), sessionKeys.waiting(id), sessionKeys.offers(id)])
          for await (const { member: person } of members(index)) await store.indexRemove(sessionKeys.mine(person), id);
        for (const key of [
          sessionKeys.seats(id),
          sessionKeys.tickets(id),
          sessionKeys.seated(id),
          sessionKeys.waiting(id),
          sessionKeys.offers(id),
          sessionKeys.attendance(id),
          sessionKeys.session(id),
        ])
          await store.delete(key);
        await store.indexRemove(sessionKeys.byStart, id);
        purged += 1;
      }
    }
  }

  const attendance = createAttendance({ store, repo, rsvps, now, ttlFor, endOf, refOf, members });

  return {
    ...attendance,
    repo,
    rsvps,
    create,
    update,
    cancel,
    counts,
    sessionsOf,
    forgetPerson,
    rekeyPerson,
    purge,
    notify,
    members,
    refOf,
    endOf,
  };
}

export type SessionService = ReturnType<typeof createSessionService>;
