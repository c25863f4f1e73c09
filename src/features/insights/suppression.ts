/**
 * Small-cell suppression for organisers' insights: pure functions, no store. The month is the unit: every month
 * of an insight group is suppressed on its own, and a longer period only adds up what its months published, so
 * comparing two periods never tells more than the months already told.
 *
 * The rules, for one month (k = INSIGHTS_K, at least 3):
 * 1. A month with fewer than k check-ins shows nothing at all (its total included), and neither does a month
 *    without any: "hidden" must not tell a month with one check-in from a month with none.
 * 2. A cell of 1 to k-1 people is suppressed. A cell of 0 is shown: it names nobody.
 * 3. In a distribution whose cells add up to the total (track, phase: one per check-in), the suppressed cells
 *    together must be at least two cells and at least k people; until they are, the smallest shown cell that is
 *    not 0 is suppressed as well. So the total minus the shown cells only ever gives a sum of several cells of k
 *    or more people together, never one cell.
 * 4. In distributions where one check-in can count in several cells (roles, voices, modules, flags), a cell is
 *    also suppressed when the check-ins NOT in it are 1 to k-1 ("9 of 10 saw X" names the one who did not).
 * 5. Every suppressed cell of a month gets the same reason ("small_cell"): a reason per rule would tell which
 *    hidden cell is the small one and which was hidden to protect it, and with the total that pins both down.
 *
 * For a period of several whole months:
 * 6. Months with fewer than k check-ins are left out of the period (and named), so its total is the sum of the
 *    shown monthly totals.
 * 7. A cell is shown for the period only when it was shown in every month counted, as the sum of those months;
 *    otherwise it is suppressed ("month_suppressed"). Every number of a period is thus a sum of numbers already
 *    shown for single months, and what a period hides is a union of what its months hid.
 */
import { eachMonthOfInterval } from 'date-fns/eachMonthOfInterval';
import { format } from 'date-fns/format';
import { parse } from 'date-fns/parse';

export type SuppressReason = 'small_cell' | 'month_suppressed' | 'month_below_k';

export type Cell = { value: number } | { suppressed: true; reason: SuppressReason };

/** The counts of one distribution: category → check-ins. */
export type Counts = Readonly<Record<string, number>>;

export interface Distribution {
  /** True when every check-in is in exactly one category, so the cells add up to the total. */
  partition: boolean;
  cells: Record<string, Cell>;
}

export const isShown = (cell: Cell | undefined): cell is { value: number } => cell !== undefined && 'value' in cell;

const HIDDEN: Cell = { suppressed: true, reason: 'small_cell' };
const small = (n: number, k: number) => n > 0 && n < k;

/**
 * Suppress one distribution of one month (rules 2-5). `total` is the month's number of check-ins (for a partition
 * the sum of its cells); the caller has already hidden months below k (rule 1).
 */
export function suppressMonth(counts: Counts, k: number, partition: boolean, total?: number): Distribution {
  const cells: Record<string, Cell> = {};
  const entries = Object.entries(counts);
  for (const [id, value] of entries) {
    const smallRest = !partition && total !== undefined && small(total - value, k);
    cells[id] = small(value, k) || smallRest ? { ...HIDDEN } : { value };
  }
  if (!partition) return { partition, cells };
  const hidden = () => entries.filter(([id]) => !isShown(cells[id]));
  const hiddenSum = () => hidden().reduce((sum, [, value]) => sum + value, 0);
  while (hidden().length > 0 && (hidden().length < 2 || hiddenSum() < k)) {
    // The smallest shown cell above 0 (ties: the first in order); 0 cells add nothing to the hidden sum.
    let pick: string | undefined;
    for (const [id, value] of entries)
      if (isShown(cells[id]) && value > 0 && (pick === undefined || value < (counts[pick] as number))) pick = id;
    if (pick === undefined) break; // cannot happen while the total is at least k; kept for safety
    cells[pick] = { ...HIDDEN };
  }
  return { partition, cells };
}

/** One month's published view: its total and distributions, or nothing when the month has fewer than k. */
export interface MonthView {
  month: string;
  total: Cell;
  dims: Record<string, Distribution>;
}

export interface MonthData {
  month: string;
  total: number;
  dims: Record<string, { partition: boolean; counts: Counts }>;
}

/** Rules 1-5 for one month. */
export function monthView(data: MonthData, k: number): MonthView {
  const below = data.total < k;
  const dims: Record<string, Distribution> = {};
  for (const [dim, { partition, counts }] of Object.entries(data.dims)) {
    if (below) {
      const cells: Record<string, Cell> = {};
      for (const id of Object.keys(counts)) cells[id] = { suppressed: true, reason: 'month_below_k' };
      dims[dim] = { partition, cells };
    } else dims[dim] = suppressMonth(counts, k, partition, data.total);
  }
  return {
    month: data.month,
    total: below ? { suppressed: true, reason: 'month_below_k' } : { value: data.total },
    dims,
  };
}

export interface PeriodView {
  from: string;
  to: string;
  /** Months counted (their total was shown). */
  months: string[];
  /** Months left out: fewer than k check-ins. */
  left: string[];
  total: number;
  dims: Record<string, Distribution>;
}

/** Rules 6-7: a period from the views of its months (in any order). */
export function periodView(from: string, to: string, months: readonly MonthView[]): PeriodView {
  const counted = months.filter((m) => isShown(m.total)).sort((a, b) => a.month.localeCompare(b.month));
  const left = months
    .filter((m) => !isShown(m.total))
    .map((m) => m.month)
    .sort();
  const dims: Record<string, Distribution> = {};
  const dimNames = new Set(months.flatMap((m) => Object.keys(m.dims)));
  for (const dim of dimNames) {
    const partition = months.some((m) => m.dims[dim]?.partition === true);
    const ids = new Set(months.flatMap((m) => Object.keys(m.dims[dim]?.cells ?? {})));
    const cells: Record<string, Cell> = {};
    for (const id of ids) {
      let sum = 0;
      let shown = true;
      for (const m of counted) {
        const cell = m.dims[dim]?.cells[id];
        if (cell === undefined) continue; // not a category that month: 0
        if (isShown(cell)) sum += cell.value;
        else shown = false;
      }
      cells[id] = shown
        ? { value: sum }
        : { suppressed: true, reason: counted.length === 1 ? reasonIn(counted, dim, id) : 'month_suppressed' };
    }
    dims[dim] = { partition, cells };
  }
  const total = counted.reduce((sum, m) => sum + (isShown(m.total) ? m.total.value : 0), 0);
  return { from, to, months: counted.map((m) => m.month), left, total, dims };
}

/** For a period of one month, the month's own reason says more than "a month hid it". */
function reasonIn(counted: readonly MonthView[], dim: string, id: string): SuppressReason {
  const cell = counted[0]?.dims[dim]?.cells[id];
  return cell && !isShown(cell) ? cell.reason : 'month_suppressed';
}

/** YYYY-MM of every month from `from` to `to`, both included. */
export function monthsBetween(from: string, to: string): string[] {
  if (from > to) return [];
  return eachMonthOfInterval({ start: parseMonth(from), end: parseMonth(to) }).map((d) => format(d, 'yyyy-MM'));
}

/** The first day of a YYYY-MM month (a calendar date; no time zone involved). */
export const parseMonth = (month: string): Date => parse(month, 'yyyy-MM', new Date(2000, 0, 1));
