import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { CHART_WIDTH, chartPng } from '../../../src/features/insights/chart.js';

// Margin 12, bars 14 high with 6 between: the first bar's middle row is y = 12 + 7.
const rowOf = (bar: number) => 12 + bar * 20 + 7;
const ink = (png: PNG, x: number, y: number) => {
  const at = (y * png.width + x) * 4;
  return [png.data[at], png.data[at + 1], png.data[at + 2]];
};
const barLength = (png: PNG, y: number) => {
  let x = 12;
  while (x < png.width && ink(png, x, y).join() !== '255,255,255') x += 1;
  return x - 12;
};

describe('the insights chart', () => {
  it('is a PNG with bars in proportion to the shown numbers, and a hatched stub for a suppressed cell', () => {
    const png = PNG.sync.read(chartPng([[{ value: 20 }, { value: 10 }, { suppressed: true, reason: 'small_cell' }]]));
    expect(png.width).toBe(CHART_WIDTH);
    const longest = barLength(png, rowOf(0));
    expect(longest).toBe(CHART_WIDTH - 24);
    expect(Math.abs(barLength(png, rowOf(1)) - longest / 2)).toBeLessThanOrEqual(1);
    // The suppressed bar: its outline is drawn, its inside is hatched (not filled), so it differs by pattern.
    const y = rowOf(2);
    const inside = Array.from({ length: 20 }, (_, i) => ink(png, 14 + i, y).join());
    expect(inside).toContain('255,255,255');
    expect(inside.some((c) => c !== '255,255,255')).toBe(true);
  });
});
