/**
 * Small-cell suppression as properties: whatever the counts and k, no published number, total, or difference of
 * sums names a group of fewer than k people — within a month, and between two periods of whole months.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BANDS, countFacts, type Fact } from '../../../src/features/insights/facts.js';
import { outcomeView } from '../../../src/features/insights/cohorts.js';
import {
  type Cell,
  isShown,
  type MonthView,
  monthView,
  periodView,
  suppressMonth,
} from '../../../src/features/insights/suppression.js';
import { FLAGS, ROLES, TRACKS, VOICES } from '../../../src/features/checkin/model.js';

const kArb = fc.integer({ min: 3, max: 10 });
const countsArb = fc
  .array(fc.integer({ min: 0, max: 40 }), { minLength: 2, maxLength: 7 })
  .map((values) => Object.fromEntries(values.map((v, i) => [`c${i}`, v])));

/** What someone can work out from one published partition: the hidden cells and their sum. */
function hiddenOf(counts: Record<string, number>, cells: Record<string, Cell>) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const shown = Object.values(cells).reduce((sum, c) => sum + (isShown(c) ? c.value : 0), 0);
  const hidden = Object.keys(cells).filter((id) => !isShown(cells[id]));
  return { total, residual: total - shown, hidden };
}

/** Every value a hidden cell can take, given the total and the shown cells (hidden cells are never 0). */
function feasibleValues(residual: number, hiddenCount: number): Set<number> {
  const values = new Set<number>();
  for (let v = 1; v <= residual - (hiddenCount - 1); v += 1) values.add(v);
  return values;
}

describe('suppression of one month', () => {
  it('a partition shows only 0 or at least k, and what the total minus the shown cells gives is never one cell or fewer than k people', () => {
    fc.assert(
      fc.property(countsArb, kArb, (counts, k) => {
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        fc.pre(total >= k);
        const { cells } = suppressMonth(counts, k, true);
        for (const [id, cell] of Object.entries(cells)) {
          if (isShown(cell)) {
            expect(cell.value).toBe(counts[id]);
            expect(cell.value === 0 || cell.value >= k).toBe(true);
          } else expect(counts[id]).toBeGreaterThan(0);
        }
        const { residual, hidden } = hiddenOf(counts, cells);
        if (hidden.length > 0) {
          expect(hidden.length).toBeGreaterThanOrEqual(2);
          expect(residual).toBeGreaterThanOrEqual(k);
          // No hidden cell can be pinned down: each could take at least two values.
          expect(feasibleValues(residual, hidden.length).size).toBeGreaterThanOrEqual(2);
          for (const id of hidden) expect(feasibleValues(residual, hidden.length).has(counts[id] as number)).toBe(true);
        }
        // Every cell of 1 to k-1 is hidden.
        for (const [id, v] of Object.entries(counts)) if (v > 0 && v < k) expect(isShown(cells[id])).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('every hidden cell of a distribution carries the same reason, so the reasons tell nothing about which is small', () => {
    fc.assert(
      fc.property(countsArb, kArb, fc.boolean(), (counts, k, partition) => {
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        fc.pre(total >= k);
        const { cells } = suppressMonth(counts, k, partition, total);
        const reasons = new Set(Object.values(cells).flatMap((c) => (isShown(c) ? [] : [c.reason])));
        expect(reasons.size).toBeLessThanOrEqual(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('a distribution with several answers per check-in hides the cells of 1 to k-1 and those 1 to k-1 short of everyone', () => {
    fc.assert(
      fc.property(countsArb, kArb, fc.integer({ min: 0, max: 30 }), (counts, k, extra) => {
        // With several answers per check-in, a cell is at most the number of check-ins.
        const total = Math.max(k, ...Object.values(counts)) + extra;
        const { cells } = suppressMonth(counts, k, false, total);
        for (const [id, v] of Object.entries(counts)) {
          const smallRest = total - v > 0 && total - v < k;
          expect(isShown(cells[id])).toBe(!((v > 0 && v < k) || smallRest));
          // What a shown cell says about the people NOT in it is about nobody or about at least k people.
          if (isShown(cells[id])) expect(total - v === 0 || total - v >= k).toBe(true);
        }
      }),
    );
  });

  it('"9 of 10 saw it" is hidden: it would name the one who did not', () => {
    const { cells } = suppressMonth({ saw: 9, other: 5 }, 5, false, 10);
    expect(isShown(cells.saw)).toBe(false);
    expect(cells.other).toEqual({ value: 5 });
  });

  it('a small cell and the cell hidden to protect it cannot be told apart (the total would pin both down)', () => {
    const { cells } = suppressMonth({ a: 1, b: 5, c: 20 }, 5, true, 26);
    expect(cells.a).toEqual(cells.b);
    expect(cells.c).toEqual({ value: 20 });
  });

  it('a month without check-ins is hidden like a month with a few, so "hidden" never means "someone did one"', () => {
    const empty = monthView(countFacts('2026-01', [], ['m1']), 5);
    const one = monthView(
      countFacts(
        '2026-01',
        [{ track: 'conflict', phase: 'win-win', roles: [], voices: [], flags: [], modules: [] }],
        ['m1'],
      ),
      5,
    );
    expect(empty.total).toEqual(one.total);
    expect(isShown(empty.total)).toBe(false);
  });

  it('a month with fewer than k check-ins shows nothing, its total included', () => {
    fc.assert(
      fc.property(kArb, fc.array(factArb, { minLength: 1, maxLength: 9 }), (k, facts) => {
        fc.pre(facts.length < k);
        const view = monthView(countFacts('2026-01', facts, ['m1']), k);
        expect(isShown(view.total)).toBe(false);
        for (const dim of Object.values(view.dims))
          for (const cell of Object.values(dim.cells)) expect(isShown(cell)).toBe(false);
      }),
    );
  });
});

const factArb: fc.Arbitrary<Fact> = fc.record({
  track: fc.constantFrom(...TRACKS),
  phase: fc.constantFrom(...BANDS),
  roles: fc.subarray([...ROLES]),
  voices: fc.subarray([...VOICES]),
  flags: fc.subarray([...FLAGS]),
  modules: fc.subarray(['m1', 'm2', 'm3', 'm4']),
});

/** A group's months: facts per month, some months small, some large. */
const monthsArb = fc.array(fc.array(factArb, { maxLength: 40 }), { minLength: 1, maxLength: 6 });

function views(months: Fact[][], k: number): MonthView[] {
  return months.map((facts, i) => monthView(countFacts(`2026-0${i + 1}`, facts, ['m1', 'm2', 'm3', 'm4']), k));
}

describe('suppression over several whole months', () => {
  it('every number of a period is a sum of numbers its months showed, so periods add nothing to what months tell', () => {
    fc.assert(
      fc.property(monthsArb, kArb, (months, k) => {
        const mv = views(months, k);
        const period = periodView(mv[0]!.month, mv.at(-1)!.month, mv);
        const counted = mv.filter((m) => isShown(m.total));
        expect(period.months).toEqual(counted.map((m) => m.month));
        expect(period.left).toEqual(mv.filter((m) => !isShown(m.total)).map((m) => m.month));
        expect(period.total).toBe(counted.reduce((s, m) => s + (isShown(m.total) ? m.total.value : 0), 0));
        for (const [dim, dist] of Object.entries(period.dims))
          for (const [id, cell] of Object.entries(dist.cells)) {
            const monthly = counted.map((m) => m.dims[dim]!.cells[id]!);
            if (isShown(cell)) {
              expect(monthly.every(isShown)).toBe(true);
              expect(cell.value).toBe(monthly.reduce((s, c) => s + (isShown(c) ? c.value : 0), 0));
              expect(cell.value === 0 || cell.value >= k).toBe(true);
            } else expect(monthly.some((c) => !isShown(c))).toBe(true);
          }
      }),
      { numRuns: 300 },
    );
  });

  it('in a period, the total minus the shown track or phase cells is never one cell or fewer than k people', () => {
    fc.assert(
      fc.property(monthsArb, kArb, (months, k) => {
        const mv = views(months, k);
        const period = periodView(mv[0]!.month, mv.at(-1)!.month, mv);
        for (const dim of ['track', 'phase']) {
          const cells = period.dims[dim]!.cells;
          const shown = Object.values(cells).reduce((s, c) => s + (isShown(c) ? c.value : 0), 0);
          const hidden = Object.values(cells).filter((c) => !isShown(c)).length;
          if (hidden > 0) {
            expect(hidden).toBeGreaterThanOrEqual(2);
            expect(period.total - shown).toBeGreaterThanOrEqual(k);
          } else expect(shown).toBe(period.total);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the difference between two overlapping periods is a number the month itself showed (0 or at least k)', () => {
    fc.assert(
      fc.property(monthsArb, kArb, (months, k) => {
        fc.pre(months.length >= 2);
        const mv = views(months, k);
        const long = periodView(mv[0]!.month, mv.at(-1)!.month, mv);
        const short = periodView(mv[0]!.month, mv.at(-2)!.month, mv.slice(0, -1));
        const last = mv.at(-1)!;
        const lastTotal = isShown(last.total) ? last.total.value : 0;
        expect(long.total - short.total).toBe(lastTotal);
        expect(lastTotal === 0 || lastTotal >= k).toBe(true);
        for (const [dim, dist] of Object.entries(long.dims))
          for (const [id, cell] of Object.entries(dist.cells)) {
            const before = short.dims[dim]!.cells[id]!;
            if (!isShown(cell) || !isShown(before)) continue;
            const diff = cell.value - before.value;
            expect(diff === 0 || diff >= k).toBe(true);
            if (isShown(last.total)) expect(last.dims[dim]!.cells[id]).toEqual({ value: diff });
          }
      }),
      { numRuns: 300 },
    );
  });
});

describe('a cohort before and after', () => {
  it('shows nothing below k people who answered both, and suppresses its distributions like a month', () => {
    fc.assert(
      fc.property(kArb, fc.integer({ min: 0, max: 30 }), countsArb, (k, both, counts) => {
        const outcome = { both, before: counts, after: counts, shift: counts };
        const view = outcomeView(outcome, k);
        if (both < k) expect(view).toEqual({ status: 'suppressed', reason: 'small_cell' });
        else {
          expect(view.status).toBe('shown');
          if (view.status === 'shown')
            for (const cell of Object.values(view.shift.cells))
              if (isShown(cell)) expect(cell.value === 0 || cell.value >= k).toBe(true);
        }
      }),
    );
  });
});
