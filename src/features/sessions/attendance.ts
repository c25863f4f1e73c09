/**
 * Attendance: at the end of a session everyone with a seat counts as attended (a record per person: the session,
 * its module, the platform, attended or not — nothing of a check-in), until an organiser marks otherwise. Organisers
 * see participants by a code per person and session, never a name or a platform id.
 */
import type { Platform } from '../../message/types.js';
import type { KeyValueStore } from '../../store/store.js';
import { sessionKeys } from './keys.js';
import type { Session, SessionRepo } from './model.js';
import type { Rsvps } from './rsvp.js';

/** One person's attendance of a session; nothing of a check-in. */
export interface AttendanceRecord {
  session: string;
  module?: string;
  platform: Platform;
  attended: boolean;
  /** The session's end. */
  at: number;
}

interface AttendanceDeps {
  store: KeyValueStore;
  repo: SessionRepo;
  rsvps: Rsvps;
  now: () => number;
  ttlFor(session: Session): number;
  endOf(session: Session): number;
  refOf(sessionId: string, person: string): string;
  members(index: string): AsyncGenerator<{ member: string; score: number }>;
}

export function createAttendance(deps: AttendanceDeps) {
  const { store, repo, rsvps, now, ttlFor, endOf, refOf, members } = deps;

  /** The end of a session: everyone seated counts as attended, unless an organiser marks otherwise later. */
  async function close(sessionId: string, sequence: number): Promise<void> {
    const session = await repo.get(sessionId);
    if (session?.status !== 'open' || session.sequence !== sequence) return;
    for await (const { member: person } of members(sessionKeys.seated(sessionId))) {
      const key = sessionKeys.attended(sessionId, person);
      const rsvp = (await rsvps.read(sessionId, person)).value;
      await store.track(person, key);
      if ((await store.get(key)) !== undefined) continue;
      const record: AttendanceRecord = {
        session: sessionId,
        platform: rsvp?.platform ?? 'console',
        attended: true,
        at: endOf(session),
        ...(session.module ? { module: session.module } : {}),
      };
      await store.set(key, record, ttlFor(session));
      await store.indexAdd(sessionKeys.attendance(sessionId), person, 1);
    }
    await repo.update(sessionId, (c) => ({ ...c, closedAt: c.closedAt ?? now() }), ttlFor(session));
  }

  /** Mark a participant (by reference) as attended or absent; only after the end. */
  async function mark(sessionId: string, ref: string, attended: boolean): Promise<'ok' | 'notEnded' | 'notFound'> {
    const session = await repo.get(sessionId);
    if (!session) return 'notFound';
    if (!session.closedAt) return 'notEnded';
    for await (const { member: person } of members(sessionKeys.attendance(sessionId))) {
      if (refOf(sessionId, person) !== ref) continue;
      const key = sessionKeys.attended(sessionId, person);
      const record = await store.get<AttendanceRecord>(key);
      if (record) await store.set(key, { ...record, attended }, ttlFor(session));
      await store.indexAdd(sessionKeys.attendance(sessionId), person, attended ? 1 : 0);
      return 'ok';
    }
    return 'notFound';
  }

  /** The organiser's list: references, never who. */
  async function participants(sessionId: string) {
    const attendance = new Map<string, boolean>();
    for await (const e of members(sessionKeys.attendance(sessionId))) attendance.set(e.member, e.score === 1);
    const seated = [];
    for await (const e of members(sessionKeys.seated(sessionId)))
      seated.push({
        ref: refOf(sessionId, e.member),
        since: Math.floor(e.score / 1000),
        ...(attendance.has(e.member) ? { attended: attendance.get(e.member) as boolean } : {}),
      });
    const offered = [];
    for await (const e of members(sessionKeys.offers(sessionId)))
      offered.push({ ref: refOf(sessionId, e.member), until: e.score });
    const waiting = [];
    for await (const e of members(sessionKeys.waiting(sessionId)))
      waiting.push({
        ref: refOf(sessionId, e.member),
        position: waiting.length + 1,
        since: Math.floor(e.score / 1000),
      });
    return { seated, offered, waiting };
  }

  return { close, mark, participants };
}
