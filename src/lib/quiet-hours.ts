/**
 * Quiet hours for direct messages (QUIET_HOURS): a daily range such as `21:00-08:00` (it may cross midnight),
 * optionally the whole weekend, read in the person's own time zone. A direct message that falls inside waits for the
 * next allowed moment. Wall-clock times go through @date-fns/tz, so daylight saving time is never hand-computed.
 */
import { TZDate } from '@date-fns/tz';

/** A parsed QUIET_HOURS value. `from === to` means no daily range (only the weekend, if set). */
export interface QuietHours {
  /** Minutes after midnight at which the quiet range starts. */
  from: number;
  /** Minutes after midnight at which it ends (may be earlier than `from`: the range crosses midnight). */
  to: number;
  /** Saturday and Sunday are quiet all day. */
  weekend: boolean;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `off` → 'off'; `21:00-08:00`, `21:00-08:00,weekend`, `weekend` → the range; anything else → undefined. */
export function parseQuietHours(text: string): QuietHours | 'off' | undefined {
  const parts = text
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  if (parts.length === 1 && parts[0] === 'off') return 'off';
  let range: { from: number; to: number } | undefined;
  let weekend = false;
  for (const part of parts) {
    if (part === 'weekend' && !weekend) {
      weekend = true;
      continue;
    }
    const [a, b, ...rest] = part.split('-');
    const from = a && TIME.exec(a);
    const to = b && TIME.exec(b);
    if (range || rest.length > 0 || !from || !to) return undefined;
    range = { from: Number(from[1]) * 60 + Number(from[2]), to: Number(to[1]) * 60 + Number(to[2]) };
  }
  if (!range && !weekend) return undefined;
  return { from: range?.from ?? 0, to: range?.to ?? 0, weekend };
}

/** True for a time zone name the runtime knows (`Europe/Amsterdam`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Whether `at` (ms since epoch) falls in quiet hours in `timeZone`. */
export function isQuiet(quiet: QuietHours | 'off', at: number, timeZone: string): boolean {
  if (quiet === 'off') return false;
  const local = new TZDate(at, timeZone);
  const day = local.getDay();
  if (quiet.weekend && (day === 0 || day === 6)) return true;
  if (quiet.from === quiet.to) return false;
  const minute = local.getHours() * 60 + local.getMinutes();
  return quiet.from < quiet.to ? minute >= quiet.from && minute < quiet.to : minute >= quiet.from || minute < quiet.to;
}

/**
 * The first moment at or after `at` outside quiet hours in `timeZone`: `at` itself when it is allowed, else the end
 * of the daily range or the Monday after a quiet weekend, whichever comes first and is allowed.
 */
export function nextAllowed(quiet: QuietHours | 'off', at: number, timeZone: string): number {
  if (!isQuiet(quiet, at, timeZone)) return at;
  if (quiet === 'off') return at;
  const start = new TZDate(at, timeZone);
  const candidates: number[] = [];
  for (let day = 0; day <= 8; day += 1) {
    const y = start.getFullYear();
    const m = start.getMonth();
    const d = start.getDate() + day;
    // The end of the daily range, and midnight (the end of a weekend), on each of the coming days.
    candidates.push(new TZDate(y, m, d, Math.floor(quiet.to / 60), quiet.to % 60, timeZone).getTime());
    candidates.push(new TZDate(y, m, d, 0, 0, timeZone).getTime());
  }
  candidates.sort((a, b) => a - b);
  for (const candidate of candidates) if (candidate > at && !isQuiet(quiet, candidate, timeZone)) return candidate;
  return at;
}
