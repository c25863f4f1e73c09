/** Durations in milliseconds, so no file spells out `24 * 60 * 60 * 1000` again. */
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Days as milliseconds (retention periods are configured in days). */
export const days = (count: number): number => count * DAY_MS;
