/**
 * The picture of an insights card: horizontal bars, one per category, the groups of categories apart, drawn as a
 * small PNG (pngjs encodes it) (Slack and Teams show PNG, not SVG). A suppressed cell is a short hatched bar, so
 * it differs from a number by its pattern and not by colour alone. The picture has no words: the card always gives
 * every number in text next to it, and the alt text says so. Served at PUBLIC_URL/insights/chart/<random id>.png,
 * an address with no person and no group in it; the numbers behind it are the published ones only.
 */
import { PNG } from 'pngjs';
import type { Cell } from './suppression.js';

export const CHART_PATH = '/insights/chart';
export const CHART_WIDTH = 480;
const BAR = 14;
const GAP = 6;
const GROUP_GAP = 16;
const MARGIN = 12;
const INK: [number, number, number] = [31, 78, 121];
const HATCH: [number, number, number] = [90, 90, 90];

/** The rows of the picture: per group of categories, the cells in order. */
export type ChartRows = Cell[][];

/** The bars as a PNG: lengths relative to the largest shown number in the picture. */
export function chartPng(rows: ChartRows): Buffer {
  const groups = rows.filter((g) => g.length > 0);
  const bars = groups.reduce((n, g) => n + g.length, 0);
  const height = Math.max(1, MARGIN * 2 + bars * (BAR + GAP) + Math.max(0, groups.length - 1) * GROUP_GAP);
  const width = CHART_WIDTH;
  const png = new PNG({ width, height, colorType: 2, inputHasAlpha: false });
  const rgb = png.data.fill(255);
  const max = Math.max(1, ...groups.flat().map((c) => ('value' in c ? c.value : 0)));
  const span = width - MARGIN * 2;
  const paint = (x: number, y: number, [r, g, b]: [number, number, number]) => {
    const at = (y * width + x) * 4;
    rgb[at] = r;
    rgb[at + 1] = g;
    rgb[at + 2] = b;
  };
  let y = MARGIN;
  for (const group of groups) {
    for (const cell of group) {
      if ('value' in cell) {
        // A thin stub marks a 0, so every row shows something.
        const length = cell.value === 0 ? 2 : Math.max(3, Math.round((cell.value / max) * span));
        for (let dy = 0; dy < BAR; dy += 1) for (let dx = 0; dx < length; dx += 1) paint(MARGIN + dx, y + dy, INK);
      } else {
        const length = Math.round(span / 6);
        for (let dy = 0; dy < BAR; dy += 1)
          for (let dx = 0; dx < length; dx += 1) {
            const edge = dy === 0 || dy === BAR - 1 || dx === 0 || dx === length - 1;
            if (edge || (dx + dy) % 5 === 0) paint(MARGIN + dx, y + dy, HATCH);
          }
      }
      y += BAR + GAP;
    }
    y += GROUP_GAP;
  }
  return PNG.sync.write(png, { colorType: 2 });
}
