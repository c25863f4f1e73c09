/**
 * "Ik doe mee", cancelling, and the waiting line, on the store's primitives only, so it holds across processes and
 * replicas: a seat is an increment of the session's counter with the seats as its cap (never oversold); the waiting
 * line is a sorted index by press time; a registration is a versioned record changed with compare-and-set, so a
 * double press (even on two replicas) changes nothing. A freed seat is not given back to the counter while people
 * wait: it stays held and is offered to the first person in line, with a deadline; a lapsed or declined offer goes
 * to the next person. Too close to the start for a deadline, the first in line gets the seat at once.
 *
 * Order of writes: the record says "joining" before the seat is taken, the index follows, then the record's final
 * state. A crash in between leaves a record that the person's next press completes from the indexes.
 */
import type { Locale, Platform } from '../../message/types.js';
import type { KeyValueStore } from '../../store/store.js';
import { sessionKeys } from './keys.js';
import type { Session, SessionRepo } from './model.js';

export type RsvpStatus = 'joining' | 'seated' | 'waiting' | 'offered';

/** One person's registration for one session. */
export interface Rsvp {
  session: string;
  status: RsvpStatus;
  /** When they pressed "ik doe mee". */
  pressedAt: number;
  /** Their place in line: the press time in ms × 1000 plus a ticket, so presses in one millisecond keep their order. */
  order: number;
  platform: Platform;
  timeZone?: string;
  locale: Locale;
  /** For an offer: accept before this. */
  offerExpiresAt?: number;
  updatedAt: number;
}

/** Who pressed. */
export interface Member {
  person: string;
  platform: Platform;
  timeZone?: string;
  locale: Locale;
}

export type JoinOutcome =
  | { kind: 'notFound' | 'cancelled' | 'closed' }
  | { kind: 'seated'; already: boolean }
  | { kind: 'waiting'; position: number; already: boolean }
  | { kind: 'offered'; until: number; already: boolean }
  | { kind: 'busy' };

export type LeaveOutcome = { kind: 'notRegistered' | 'started' } | { kind: 'left'; was: RsvpStatus };

export interface RsvpDeps {
  store: KeyValueStore;
  sessions: SessionRepo;
  now: () => number;
  /** How long a record is kept: until the session's end plus the retention period. */
  ttlFor(session: Session): number;
  /** When an offer made now can reach this person (quiet hours), and until when it stands; undefined: too late. */
  offerWindow(session: Session, rsvp: Rsvp): { deliverAt: number; until: number } | undefined;
  /** Tell the person about their offer (a direct message through the delivery ledger) and schedule its end. */
  offered(session: Session, person: string, rsvp: Rsvp): Promise<void>;
  /** Too close to the start for an offer: the first in line was given the seat; tell them. */
  seatedFromLine(session: Session, person: string, rsvp: Rsvp): Promise<void>;
  /** The offer's end is no longer needed (accepted, declined, forgotten). */
  offerSettled(session: Session, person: string, rsvp: Rsvp): Promise<void>;
}

/** A joining record older than this was left by a crash: the next press completes it. */
const STALE_JOINING_MS = 60_000;

export function createRsvps(deps: RsvpDeps) {
  const { store, sessions, now } = deps;
  const read = (id: string, person: string) => store.getVersioned<Rsvp>(sessionKeys.rsvp(id, person));
  const write = (session: Session, person: string, version: number, next: Rsvp | undefined) =>
    store.compareAndSet(sessionKeys.rsvp(session.id, person), version, next, next ? deps.ttlFor(session) : undefined);

  /** 1-based place in the waiting line: everyone with an earlier press time, then ties in index order. */
  async function position(id: string, person: string, score: number): Promise<number> {
    const before = await store.indexCount(sessionKeys.waiting(id), { max: score - 0.5 });
    const ties = await store.indexRange(sessionKeys.waiting(id), { min: score, max: score, limit: 1000 });
    const at = ties.entries.findIndex((e) => e.member === person);
    return before + (at < 0 ? ties.entries.length : at) + 1;
  }

  const describe = async (id: string, person: string, rsvp: Rsvp, already: boolean): Promise<JoinOutcome> => {
    if (rsvp.status === 'seated') return { kind: 'seated', already };
    if (rsvp.status === 'offered') return { kind: 'offered', until: rsvp.offerExpiresAt ?? 0, already };
    if (rsvp.status === 'waiting')
      return { kind: 'waiting', position: await position(id, person, rsvp.order), already };
    return { kind: 'busy' };
  };

  /** Whether registration is open now. */
  const closedReason = (session: Session | undefined, at: number): JoinOutcome | undefined => {
    if (!session) return { kind: 'notFound' };
    if (session.status === 'cancelled') return { kind: 'cancelled' };
    if (at > session.registrationDeadline || at >= session.startsAt) return { kind: 'closed' };
    return undefined;
  };

  async function join(sessionId: string, member: Member, pressedAt: number): Promise<JoinOutcome> {
    const session = await sessions.get(sessionId);
    const { person } = member;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { value, version } = await read(sessionId, person);
      if (!session || session.status === 'cancelled') return closedReason(session, now()) ?? { kind: 'notFound' };
      // Pressing again changes nothing: the answer is where they stand.
      if (value && value.status !== 'joining') return describe(sessionId, person, value, true);
      const refused = closedReason(session, now());
      if (refused || !session) return refused ?? { kind: 'notFound' };
      if (value && now() - value.updatedAt < STALE_JOINING_MS) return { kind: 'busy' };
      if (value && (await completeStale(session, person, value, version))) continue;
      const ticket = value ? undefined : await store.increment(sessionKeys.tickets(sessionId), 1);
      const joining: Rsvp = {
        session: sessionId,
        status: 'joining',
        pressedAt: value?.pressedAt ?? pressedAt,
        order: value?.order ?? pressedAt * 1000 + ((ticket?.value ?? 0) % 1000),
        platform: member.platform,
        locale: member.locale,
        updatedAt: now(),
        ...(member.timeZone ? { timeZone: member.timeZone } : {}),
      };
      // Indexed before anything is written: "vergeet mij" must find every record of the person.
      await store.track(person, sessionKeys.rsvp(sessionId, person));
      await store.track(person, sessionKeys.mine(person));
      if (!(await write(session, person, version, joining))) continue; // a second press of the same person
      const claimed = (await read(sessionId, person)).version;
      await store.indexAdd(sessionKeys.mine(person), sessionId, session.startsAt);
      const seat = await store.increment(sessionKeys.seats(sessionId), 1, { cap: session.seats });
      if (seat.applied) {
        await store.indexAdd(sessionKeys.seated(sessionId), person, joining.order);
        const seated: Rsvp = { ...joining, status: 'seated', updatedAt: now() };
        await write(session, person, claimed, seated);
        return { kind: 'seated', already: false };
      }
      await store.indexAdd(sessionKeys.waiting(sessionId), person, joining.order);
      await write(session, person, claimed, { ...joining, status: 'waiting', updatedAt: now() });
      // A seat freed while this press was under way is offered to the line now (the first may be this person).
      await fill(session);
      const after = await read(sessionId, person);
      if (after.value?.status === 'offered') {
        await accept(sessionId, person);
        return { kind: 'seated', already: false };
      }
      return after.value ? describe(sessionId, person, after.value, false) : { kind: 'busy' };
    }
    return { kind: 'busy' };
  }

  /** A joining record left by a crash: finish it from the indexes, or clear it to start again. True: read again. */
  async function completeStale(session: Session, person: string, value: Rsvp, version: number): Promise<boolean> {
    const seated = await store.indexRange(sessionKeys.seated(session.id), {
      min: value.order,
      max: value.order,
      limit: 1000,
    });
    if (seated.entries.some((e) => e.member === person)) {
      await write(session, person, version, { ...value, status: 'seated', updatedAt: now() });
      return true;
    }
    const waiting = await store.indexRange(sessionKeys.waiting(session.id), {
      min: value.order,
      max: value.order,
      limit: 1000,
    });
    if (waiting.entries.some((e) => e.member === person)) {
      await write(session, person, version, { ...value, status: 'waiting', updatedAt: now() });
      return true;
    }
    return false;
  }

  /** Take the first person in line (exactly one caller wins each), or undefined when nobody waits. */
  async function popWaiting(id: string): Promise<string | undefined> {
    for (;;) {
      const first = (await store.indexRange(sessionKeys.waiting(id), { limit: 1 })).entries[0];
      if (!first) return undefined;
      if (await store.indexRemove(sessionKeys.waiting(id), first.member)) return first.member;
    }
  }

  /**
   * A seat held in the counter goes to the line: offered to the first person waiting who can still be reached in
   * time; when nobody can, the seat is given back to the counter.
   */
  async function passOn(session: Session): Promise<boolean> {
    for (;;) {
      const current = (await sessions.get(session.id)) ?? session;
      const person = current.status === 'open' && now() < current.startsAt ? await popWaiting(session.id) : undefined;
      if (!person) {
        await store.increment(sessionKeys.seats(session.id), -1, { floor: 0 });
        return false;
      }
      const { value, version } = await read(session.id, person);
      if (value?.status !== 'waiting') continue; // they left at the same moment
      const window = deps.offerWindow(current, value);
      if (!window) {
        // Too close to the start for an offer with a deadline: the first in line simply gets the seat (and is told).
        const seated: Rsvp = { ...value, status: 'seated', updatedAt: now() };
        if (!(await write(current, person, version, seated))) continue;
        await store.indexAdd(sessionKeys.seated(session.id), person, value.order);
        await deps.seatedFromLine(current, person, seated);
        return true;
      }
      const offer: Rsvp = { ...value, status: 'offered', offerExpiresAt: window.until, updatedAt: now() };
      await store.indexAdd(sessionKeys.offers(session.id), person, window.until);
      if (!(await write(current, person, version, offer))) {
        await store.indexRemove(sessionKeys.offers(session.id), person);
        continue;
      }
      await deps.offered(current, person, offer);
      return true;
    }
  }

  /** Free seats (more seats, a seat freed during a press) go to the line while anyone waits. */
  async function fill(session: Session): Promise<void> {
    for (;;) {
      if ((await store.indexCount(sessionKeys.waiting(session.id))) === 0) return;
      const held = await store.increment(sessionKeys.seats(session.id), 1, { cap: session.seats });
      if (!held.applied) return;
      // Nobody was waiting after all (they left at the same moment): the seat went back.
      if (!(await passOn(session))) return;
    }
  }

  async function leave(sessionId: string, person: string): Promise<LeaveOutcome> {
    const session = await sessions.get(sessionId);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { value, version } = await read(sessionId, person);
      if (!value || !session) return { kind: 'notRegistered' };
      if (session.status === 'open' && now() >= session.startsAt && value.status === 'seated')
        return { kind: 'started' };
      if (!(await store.compareAndSet(sessionKeys.rsvp(sessionId, person), version, undefined))) continue;
      await release(session, person, value);
      return { kind: 'left', was: value.status };
    }
    return { kind: 'notRegistered' };
  }

  /** Undo what a removed record held: its index entries and, for a seat or an offer, the seat (to the line). */
  async function release(session: Session, person: string, was: Rsvp): Promise<void> {
    await store.indexRemove(sessionKeys.mine(person), session.id);
    if (was.status === 'waiting' || was.status === 'joining') {
      await store.indexRemove(sessionKeys.waiting(session.id), person);
      return;
    }
    const index = was.status === 'seated' ? sessionKeys.seated(session.id) : sessionKeys.offers(session.id);
    if (!(await store.indexRemove(index, person))) return;
    if (was.status === 'offered') await deps.offerSettled(session, person, was);
    if (session.status === 'open') await passOn(session);
    else await store.increment(sessionKeys.seats(session.id), -1, { floor: 0 });
  }

  /** Accept an offered seat before its deadline. */
  async function accept(sessionId: string, person: string): Promise<'seated' | 'expired' | 'notOffered'> {
    const session = await sessions.get(sessionId);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { value, version } = await read(sessionId, person);
      if (!session || !value) return 'notOffered';
      if (value.status === 'seated') return 'seated';
      if (value.status !== 'offered') return 'notOffered';
      if (now() > (value.offerExpiresAt ?? 0)) return 'expired';
      const { offerExpiresAt: _, ...rest } = value;
      if (!(await write(session, person, version, { ...rest, status: 'seated', updatedAt: now() }))) continue;
      await store.indexAdd(sessionKeys.seated(sessionId), person, value.order);
      await store.indexRemove(sessionKeys.offers(sessionId), person);
      await deps.offerSettled(session, person, value);
      return 'seated';
    }
    return 'notOffered';
  }

  /** An offer's deadline passed: the seat goes to the next person; true when this offer lapsed now. */
  async function expire(sessionId: string, person: string, until: number): Promise<boolean> {
    const session = await sessions.get(sessionId);
    const { value, version } = await read(sessionId, person);
    if (!session || value?.status !== 'offered' || value.offerExpiresAt !== until) return false;
    if (!(await store.compareAndSet(sessionKeys.rsvp(sessionId, person), version, undefined))) return false;
    await release(session, person, value);
    return true;
  }

  return { join, leave, accept, expire, fill, release, read, position };
}

export type Rsvps = ReturnType<typeof createRsvps>;
