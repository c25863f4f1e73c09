/**
 * Insights of one group over whole months that have ended: the facts counted per month, suppressed per month,
 * then added up for the period (suppression.ts). The month under way is never shown (its numbers still change, so
 * two looks a day apart would tell one person's check-in), nor months past the 24 before it (their facts expire).
 */
import { addMonths } from 'date-fns/addMonths';
import { format } from 'date-fns/format';
import type { KeyValueStore } from '../../store/store.js';
import { countFacts, monthOf, readFacts } from './facts.js';
import { MONTH_PATTERN } from './groups.js';
import { monthsBetween, monthView, type PeriodView, parseMonth, periodView } from './suppression.js';

/** How many whole months back a query may reach. */
export const MAX_MONTHS_BACK = 24;

/** The months that may be asked for at `now`: the 24 whole months before the current one. */
export function askableMonths(now: number, timeZone: string): { first: string; last: string } {
  const current = monthOf(now, timeZone);
  return { first: shiftMonth(current, -MAX_MONTHS_BACK), last: shiftMonth(current, -1) };
}

/** YYYY-MM moved by `by` months. */
export function shiftMonth(month: string, by: number): string {
  return format(addMonths(parseMonth(month), by), 'yyyy-MM');
}

export type PeriodProblem = { field: 'from' | 'to'; reason: string };

/** Check a period against what may be asked; the first problem, naming the field. */
export function checkPeriod(
  from: string | undefined,
  to: string | undefined,
  now: number,
  timeZone: string,
): { from: string; to: string } | PeriodProblem {
  const { first, last } = askableMonths(now, timeZone);
  if (!from || !MONTH_PATTERN.test(from)) return { field: 'from', reason: 'must be a month as YYYY-MM' };
  if (!to || !MONTH_PATTERN.test(to)) return { field: 'to', reason: 'must be a month as YYYY-MM' };
  if (to > last) return { field: 'to', reason: `must be a month that has ended (at the latest ${last})` };
  if (from < first) return { field: 'from', reason: `must be at most ${MAX_MONTHS_BACK} months back (${first})` };
  if (from > to) return { field: 'from', reason: 'must not be after to' };
  return { from, to };
}

export interface ReportDeps {
  store: KeyValueStore;
  k: number;
  moduleIds: readonly string[];
}

/** The published view of a group over whole months `from`..`to` (already checked). */
export async function buildReport(deps: ReportDeps, group: string, from: string, to: string): Promise<PeriodView> {
  const months = [];
  for (const month of monthsBetween(from, to)) {
    const facts = await readFacts(deps.store, group, month);
    months.push(monthView(countFacts(month, facts, deps.moduleIds), deps.k));
  }
  return periodView(from, to, months);
}
