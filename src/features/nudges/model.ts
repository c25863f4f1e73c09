/**
 * Recurring check-in nudges: an invitation to do a check-in, weekly, every two weeks or monthly, to one person (who
 * set it for themselves), to a channel, or to the subscribers of a topic (who opted in) — never to anyone else.
 * The next moment is computed on the wall clock of the nudge's time zone with date-fns and @date-fns/tz, so daylight
 * saving time and month lengths are the libraries' (31 January + 1 month is 28 or 29 February). Each nudge has one
 * queue job at its next moment; the job sends through the broadcaster (quiet hours for direct messages) and plans
 * the next one, so it survives restarts and runs once across replicas.
 */
import { TZDate } from '@date-fns/tz';
import { addMonths } from 'date-fns/addMonths';
import { addWeeks } from 'date-fns/addWeeks';
import type { Address } from '../../outbound/address-book.js';
import type { Locale, Platform } from '../../message/types.js';

export const NUDGES_FEATURE = 'nudges';
export const NUDGE_KIND = 'nudge';
export const NUDGE_JOB = 'nudges.fire';
export const EVERY = ['week', '2weeks', 'month'] as const;
export type Every = (typeof EVERY)[number];

/** Who a nudge is for. */
export type NudgeTarget =
  | { kind: 'person'; address: Address }
  | { kind: 'channel'; address: Address }
  | { kind: 'topic'; topic: string; platform: Platform; tenant: string };

export interface Nudge {
  id: string;
  target: NudgeTarget;
  every: Every;
  /** ms since epoch: the next nudge. */
  next: number;
  timeZone: string;
  locale: Locale;
  /** A pseudonym (the person themself, or the organiser). */
  createdBy: string;
  /** The workspace or tenant (keyed hash), for the organiser's list. */
  tenant: string;
  /** No nudge before this (the person paused them). */
  snoozedUntil?: number;
  createdAt: number;
}

export const nudgeKeys = {
  nudge: (id: string) => `nudges:n:${id}`,
  /** Every nudge by its next moment. */
  all: 'nudges:all',
} as const;

/** The moment one period after `from`, on the same wall-clock time in `timeZone`. */
export function advance(from: number, every: Every, timeZone: string): number {
  const local = new TZDate(from, timeZone);
  if (every === 'month') return addMonths(local, 1).getTime();
  return addWeeks(local, every === 'week' ? 1 : 2).getTime();
}

/** The first nudge: one period from now, at `hour`:00 on that day in `timeZone`. */
export function firstNudge(now: number, every: Every, timeZone: string, hour = 10): number {
  const next = new TZDate(advance(now, every, timeZone), timeZone);
  return new TZDate(next.getFullYear(), next.getMonth(), next.getDate(), hour, 0, timeZone).getTime();
}

/** The next moment after `now` on the nudge's schedule (skipping moments missed while the bot was down). */
export function nextAfter(nudge: Pick<Nudge, 'next' | 'every' | 'timeZone'>, now: number): number {
  let next = advance(nudge.next, nudge.every, nudge.timeZone);
  while (next <= now) next = advance(next, nudge.every, nudge.timeZone);
  return next;
}

/** The queue job of one moment of one nudge. */
export const fireJobId = (id: string, at: number) => `nf.${id}.${at}`;
