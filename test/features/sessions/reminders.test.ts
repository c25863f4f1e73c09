import { describe, expect, it } from 'vitest';
import { parseOffsets } from '../../../src/config.js';
import { parseQuietHours } from '../../../src/lib/quiet-hours.js';
import { reminderTime } from '../../../src/features/sessions/reminders.js';

const quiet = parseQuietHours('21:00-08:00,weekend')!;
const zone = 'Europe/Amsterdam';
const local = (iso: string) =>
  new Intl.DateTimeFormat('nl-NL', { weekday: 'long', hour: '2-digit', minute: '2-digit', timeZone: zone }).format(
    Date.parse(iso),
  );
const at = (ms: number) =>
  new Intl.DateTimeFormat('nl-NL', { weekday: 'long', hour: '2-digit', minute: '2-digit', timeZone: zone }).format(ms);
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('when reminders go out', () => {
  it('reminds a day before a Monday-morning session on Friday, not on Sunday', () => {
    // Monday 7 December 2026, 09:30 in Amsterdam (08:30 UTC).
    const monday = Date.parse('2026-12-07T08:30:00Z');
    expect(local('2026-12-07T08:30:00Z')).toBe('maandag 09:30');
    expect(at(reminderTime(monday, DAY, quiet, zone))).toBe('vrijdag 09:30');
  });

  it('moves a two-hour reminder that falls before 08:00 to 08:00 the same morning', () => {
    const monday = Date.parse('2026-12-07T08:30:00Z');
    expect(at(reminderTime(monday, 2 * HOUR, quiet, zone))).toBe('maandag 08:00');
  });

  it('keeps a reminder that falls outside quiet hours, and uses the summer offset in summer', () => {
    // Thursday 11 June 2026, 14:00 in Amsterdam is 12:00 UTC (CEST).
    const thursday = Date.parse('2026-06-11T12:00:00Z');
    expect(reminderTime(thursday, DAY, quiet, zone)).toBe(thursday - DAY);
    expect(at(reminderTime(thursday, DAY, quiet, zone))).toBe('woensdag 14:00');
  });

  it('moves a reminder the evening before a late session to that morning, when that still leaves half the offset', () => {
    // Tuesday 8 December, 22:30: a day before is Monday 22:30 (quiet); Tuesday 08:00 still leaves 14.5 hours.
    const tuesday = Date.parse('2026-12-08T21:30:00Z');
    expect(at(reminderTime(tuesday, DAY, quiet, zone))).toBe('dinsdag 08:00');
  });

  it('uses the last allowed minute when the same time of day is quiet on every day before', () => {
    // Monday 07:30, three hours before is 04:30: quiet every night, and 08:00 is after the start.
    const monday = Date.parse('2026-12-07T06:30:00Z');
    expect(at(reminderTime(monday, 3 * HOUR, quiet, zone))).toBe('vrijdag 20:59');
  });

  it('reads SESSION_REMINDERS: durations, largest first; off; and refuses the rest', () => {
    expect(parseOffsets('2h,1d,30m')).toEqual([DAY, 2 * HOUR, 30 * 60_000]);
    expect(parseOffsets('off')).toEqual([]);
    for (const bad of ['', '1w', '0h', 'soon', '1d,,2h', '1d,2h,3h,4h,5h,6h'])
      expect(parseOffsets(bad), bad).toBeUndefined();
  });
});
