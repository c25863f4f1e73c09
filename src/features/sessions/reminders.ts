/**
 * When reminders go out. A reminder is due `offset` before the start; in quiet hours it moves — later, when that
 * still leaves at least half the offset before the start (a 2-hour reminder at 07:30 goes at 08:00), else earlier,
 * to the same time of day on the last allowed day (a reminder a day before a Monday-morning session goes on Friday,
 * not on Sunday), else to the last allowed moment before it. Wall-clock times go through @date-fns/tz.
 */
import { TZDate } from '@date-fns/tz';
import { subDays } from 'date-fns/subDays';
import { isQuiet, nextAllowed, type QuietHours } from '../../lib/quiet-hours.js';
import { MINUTE_MS } from '../../lib/time.js';

/** The moment to remind of a session starting at `startsAt`, `offset` ms before, outside quiet hours. */
export function reminderTime(startsAt: number, offset: number, quiet: QuietHours | 'off', timeZone: string): number {
  const due = startsAt - offset;
  if (!isQuiet(quiet, due, timeZone)) return due;
  const later = nextAllowed(quiet, due, timeZone);
  if (later < startsAt && startsAt - later >= offset / 2) return later;
  const local = new TZDate(due, timeZone);
  for (let days = 1; days <= 7; days += 1) {
    const candidate = subDays(local, days).getTime();
    if (!isQuiet(quiet, candidate, timeZone)) return candidate;
  }
  // Every day is quiet at that time of day: the last allowed minute before it.
  for (let at = due - MINUTE_MS; at > due - 8 * 24 * 60 * MINUTE_MS; at -= 15 * MINUTE_MS)
    if (!isQuiet(quiet, at, timeZone)) return at;
  return due;
}

/** The broadcast id of one reminder of one version of a session (a moved session gets new ones). */
export const reminderId = (sessionId: string, sequence: number, index: number) => `${sessionId}.r${sequence}-${index}`;

/** The broadcast id of the message that tells everyone a session changed (one per version). */
export const changeId = (sessionId: string, sequence: number) => `${sessionId}.c${sequence}`;

/** The queue job that records attendance once a version of a session has ended. */
export const closeJobId = (sessionId: string, sequence: number) => `sc.${sessionId}.${sequence}`;
