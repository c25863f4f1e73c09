/**
 * The insights card (a picture where the platform shows one, text bars everywhere, every number in words) and the
 * CSV export. Only published cells appear; a suppressed cell says "verborgen" and why. No free text, ever: every
 * label is a fixed text of the bot or a module title from the catalogue.
 */
import type { Block, Locale, Translate } from '../../message/types.js';
import { DIMENSION_NAMES, type Dimension } from './facts.js';
import { type Cell, isShown, type PeriodView, type SuppressReason } from './suppression.js';

export interface RenderDeps {
  t: Translate;
  locale: Locale;
  k: number;
  moduleTitle(id: string): string | undefined;
}

/** The words for a category. */
export function labelOf(r: RenderDeps, dim: Dimension | 'shift', id: string): string {
  switch (dim) {
    case 'track':
      return r.t(`result.trackPlain.${id}`);
    case 'phase':
    case 'shift':
      return r.t(`insights.category.${id}`);
    case 'roles':
      return r.t(`checkin.roles.choices.${id}`);
    case 'voices':
      return r.t(`checkin.voices.choices.${id}`);
    case 'flags':
      return r.t(`insights.flags.${id}`);
    default:
      return r.moduleTitle(id) ?? id;
  }
}

/** "verborgen: minder dan 5 mensen" and the like. */
export const reasonText = (r: RenderDeps, reason: SuppressReason) => r.t(`insights.reason.${reason}`, { k: r.k });

/** A month as words ("oktober 2026"). */
export function monthName(locale: Locale, month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(Date.UTC(y, m - 1, 15));
}

export const periodName = (r: RenderDeps, view: Pick<PeriodView, 'from' | 'to'>) =>
  view.from === view.to
    ? monthName(r.locale, view.from)
    : r.t('insights.card.range', { from: monthName(r.locale, view.from), to: monthName(r.locale, view.to) });

/** Text bars: the number first (screen readers hear it first), then a bar of up to 12 blocks. */
function barLine(r: RenderDeps, cell: Cell, max: number): string {
  if (!isShown(cell)) return reasonText(r, cell.reason);
  const length = cell.value === 0 ? 0 : Math.max(1, Math.round((cell.value / Math.max(1, max)) * 12));
  return length > 0 ? `${cell.value}  ${'▇'.repeat(length)}` : String(cell.value);
}

/** One distribution as a facts block (label: number and bar). */
export function distributionBlocks(
  r: RenderDeps,
  dim: Dimension | 'shift',
  cells: Record<string, Cell>,
  title: string,
): Block[] {
  const entries = Object.entries(cells);
  const max = Math.max(0, ...entries.map(([, c]) => (isShown(c) ? c.value : 0)));
  return [
    { type: 'text', text: title },
    {
      type: 'facts',
      facts: entries.map(([id, cell]) => ({ label: labelOf(r, dim, id), value: barLine(r, cell, max) })),
    },
  ];
}

/** The card's body for a period: summary, the picture (when given), every distribution in text. */
export function reportBlocks(r: RenderDeps, view: PeriodView, picture?: Block): Block[] {
  const blocks: Block[] = [{ type: 'heading', text: r.t('insights.card.title', { period: periodName(r, view) }) }];
  blocks.push({ type: 'text', text: r.t('insights.card.summary', { count: view.total, k: r.k }) });
  if (view.left.length > 0)
    blocks.push({
      type: 'text',
      text: r.t('insights.card.left', {
        count: view.left.length,
        months: view.left.map((m) => monthName(r.locale, m)).join(', '),
        k: r.k,
      }),
      tone: 'muted',
    });
  if (view.total === 0) {
    blocks.push({ type: 'text', text: r.t('insights.card.empty') });
    return blocks;
  }
  if (picture) blocks.push(picture);
  for (const dim of DIMENSION_NAMES) {
    const dist = view.dims[dim];
    if (dist) blocks.push(...distributionBlocks(r, dim, dist.cells, r.t(`insights.dim.${dim}`)));
  }
  blocks.push({ type: 'text', text: r.t('insights.card.rules', { k: r.k }), tone: 'muted' });
  return blocks;
}

/** The rows of the picture, in the order of the text. */
export function chartRows(view: PeriodView): Cell[][] {
  return DIMENSION_NAMES.map((dim) => Object.values(view.dims[dim]?.cells ?? {}));
}

const csvField = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * The CSV export: one row per cell — dimension, category id, label, count or empty, suppressed, reason — after a
 * row for the number of check-ins. Suppressed cells have no count. Labels that start like a formula are quoted
 * with a leading apostrophe, so a spreadsheet does not run them.
 */
export function reportCsv(r: RenderDeps, view: PeriodView): string {
  const safe = (text: string) => csvField(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
  const rows = [['dimension', 'category', 'label', 'count', 'suppressed', 'reason'].join(',')];
  rows.push(['total', 'checkins', safe(r.t('insights.csv.total')), String(view.total), 'false', ''].join(','));
  for (const dim of DIMENSION_NAMES)
    for (const [id, cell] of Object.entries(view.dims[dim]?.cells ?? {}))
      rows.push(
        [
          dim,
          safe(id),
          safe(labelOf(r, dim, id)),
          isShown(cell) ? String(cell.value) : '',
          isShown(cell) ? 'false' : 'true',
          isShown(cell) ? '' : cell.reason,
        ].join(','),
      );
  return `${rows.join('\r\n')}\r\n`;
}

/** The JSON of the API: a number per shown cell, `{ suppressed: true, reason }` for the others. */
export function reportJson(view: PeriodView, group: string, k: number) {
  const cell = (c: Cell) => (isShown(c) ? c.value : { suppressed: true, reason: c.reason });
  const dims: Record<string, Record<string, unknown>> = {};
  for (const dim of DIMENSION_NAMES)
    dims[dim] = Object.fromEntries(Object.entries(view.dims[dim]?.cells ?? {}).map(([id, c]) => [id, cell(c)]));
  return {
    group,
    from: view.from,
    to: view.to,
    k,
    months: view.months,
    monthsLeftOut: view.left.map((month) => ({ month, suppressed: true, reason: 'month_below_k' })),
    checkins: view.total,
    ...dims,
  };
}
