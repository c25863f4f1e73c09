import { describe, expect, it } from 'vitest';
import { isQuiet, isTimeZone, nextAllowed, parseQuietHours } from '../../src/lib/quiet-hours.js';

const AMS = 'Europe/Amsterdam';
const at = (iso: string) => Date.parse(iso);
const defaults = parseQuietHours('21:00-08:00,weekend');

describe('quiet hours', () => {
  it('reads QUIET_HOURS and refuses what it cannot read', () => {
    expect(defaults).toEqual({ from: 21 * 60, to: 8 * 60, weekend: true });
    expect(parseQuietHours('off')).toBe('off');
    expect(parseQuietHours('weekend')).toEqual({ from: 0, to: 0, weekend: true });
    expect(parseQuietHours('22:30-07:15')).toEqual({ from: 22 * 60 + 30, to: 7 * 60 + 15, weekend: false });
    for (const bad of ['', '25:00-08:00', '21:00', '21:00-08:00,sunday', '21:00-08:00,21:00-08:00', 'off,weekend'])
      expect(parseQuietHours(bad)).toBeUndefined();
  });

  it('is quiet at night and at the weekend, in the person’s own zone', () => {
    const quiet = defaults!;
    expect(isQuiet(quiet, at('2026-12-02T20:59:00+01:00'), AMS)).toBe(false); // Wednesday evening
    expect(isQuiet(quiet, at('2026-12-02T21:00:00+01:00'), AMS)).toBe(true);
    expect(isQuiet(quiet, at('2026-12-03T07:59:00+01:00'), AMS)).toBe(true);
    expect(isQuiet(quiet, at('2026-12-03T08:00:00+01:00'), AMS)).toBe(false);
    expect(isQuiet(quiet, at('2026-12-05T12:00:00+01:00'), AMS)).toBe(true); // Saturday
    // 10:00 in Amsterdam is 04:00 in New York: quiet there.
    expect(isQuiet(quiet, at('2026-12-03T10:00:00+01:00'), 'America/New_York')).toBe(true);
    expect(isQuiet('off', at('2026-12-05T12:00:00+01:00'), AMS)).toBe(false);
  });

  it('waits for the next allowed moment: the morning, or Monday after a weekend', () => {
    const quiet = defaults!;
    expect(nextAllowed(quiet, at('2026-12-02T23:30:00+01:00'), AMS)).toBe(at('2026-12-03T08:00:00+01:00'));
    expect(nextAllowed(quiet, at('2026-12-04T22:00:00+01:00'), AMS)).toBe(at('2026-12-07T08:00:00+01:00'));
    expect(nextAllowed(quiet, at('2026-12-06T15:00:00+01:00'), AMS)).toBe(at('2026-12-07T08:00:00+01:00'));
    const allowed = at('2026-12-02T10:00:00+01:00');
    expect(nextAllowed(quiet, allowed, AMS)).toBe(allowed);
    // Across the change to summer time (29 March 2026): 08:00 is then UTC+2.
    expect(nextAllowed(quiet, at('2026-03-29T23:00:00+02:00'), AMS)).toBe(at('2026-03-30T08:00:00+02:00'));
    // Only the weekend: Saturday waits until Monday midnight.
    expect(nextAllowed(parseQuietHours('weekend') as never, at('2026-12-05T12:00:00+01:00'), AMS)).toBe(
      at('2026-12-07T00:00:00+01:00'),
    );
  });

  it('knows time zone names', () => {
    expect(isTimeZone('Europe/Amsterdam')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
