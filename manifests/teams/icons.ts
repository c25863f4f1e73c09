/**
 * Draw the two Teams icons with pngjs (run once: `npx tsx manifests/teams/icons.ts`; the PNGs are committed).
 *   color.png   192×192: a white speech bubble with a break in it on the accent colour, full bleed.
 *   outline.png  32×32: the same bubble in white on a transparent background (Teams' rule for outline icons).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import { TEAMS_MANIFEST_DIR } from './render.js';

const ACCENT = [0x1f, 0x5f, 0x8b] as const;

/** Coverage of the bubble at (x, y) in a unit square, 0..1, with 4×4 supersampling for smooth edges. */
function bubble(x: number, y: number): boolean {
  // The body: a rounded ellipse; the tail: a triangle at the lower left; the break: a diagonal gap.
  const inBody = ((x - 0.5) / 0.38) ** 2 + ((y - 0.44) / 0.3) ** 2 <= 1;
  const inTail = y >= 0.62 && y <= 0.86 && x >= 0.22 && x <= 0.42 && x - 0.22 <= (0.86 - y) * 0.85;
  const inGap = Math.abs(x - 0.5 + (y - 0.44) * 0.6) < 0.035 && y > 0.16 && y < 0.72;
  return (inBody || inTail) && !inGap;
}

function draw(size: number, background: readonly [number, number, number] | undefined, inset: number): PNG {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const u = ((px + (sx + 0.5) / 4) / size - inset) / (1 - 2 * inset);
          const v = ((py + (sy + 0.5) / 4) / size - inset) / (1 - 2 * inset);
          if (u >= 0 && u <= 1 && v >= 0 && v <= 1 && bubble(u, v)) hits++;
        }
      const coverage = hits / 16;
      const i = (py * size + px) * 4;
      if (background) {
        for (let c = 0; c < 3; c++) png.data[i + c] = Math.round(background[c]! * (1 - coverage) + 255 * coverage);
        png.data[i + 3] = 255;
      } else {
        png.data[i] = png.data[i + 1] = png.data[i + 2] = 255;
        png.data[i + 3] = Math.round(255 * coverage);
      }
    }
  }
  return png;
}

export function writeTeamsIcons(dir = TEAMS_MANIFEST_DIR): void {
  writeFileSync(join(dir, 'color.png'), PNG.sync.write(draw(192, ACCENT, 0.12)));
  writeFileSync(join(dir, 'outline.png'), PNG.sync.write(draw(32, undefined, 0.02)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) writeTeamsIcons();
