/**
 * Pre-renders the result's pictures (src/features/checkin/picture-svg.ts) into public/images/glasl/ as PNG, one per
 * language, kind of case and range: a fixed set, committed, served by the bot at PUBLIC_URL/images/glasl/, with no
 * person or result in any address. Headless Chromium draws the SVG (so the bot needs no image library at run time),
 * then each is stored as a palette PNG (scripts/png-palette.ts), small enough to go inline in a Teams card.
 *   npx tsx scripts/render-glasl-images.ts        (needs: apt-get install -y chromium)
 * CHROME_BIN overrides /usr/bin/chromium. No network: every request is refused.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { TRACKS } from '../src/features/checkin/model.js';
import { PICTURE_RANGES, pictureName } from '../src/features/checkin/picture.js';
import { PICTURE_HEIGHT, PICTURE_WIDTH, pictureSvg } from '../src/features/checkin/picture-svg.js';
import { createTranslator } from '../src/i18n/translator.js';
import { LOCALES } from '../src/i18n/translator.js';
import { toPalettePng } from './png-palette.js';

const OUT = 'public/images/glasl';

async function main(): Promise<void> {
  const translator = createTranslator({ dir: 'dialogs', strict: true });
  mkdirSync(OUT, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'bb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: PICTURE_WIDTH, height: PICTURE_HEIGHT },
    deviceScaleFactor: 1,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
  let count = 0;
  try {
    await context.route('**/*', (route) => route.abort());
    const tab = context.pages()[0] ?? (await context.newPage());
    for (const locale of LOCALES) {
      const rc = { t: translator.bind(locale), locale };
      for (const track of TRACKS) {
        const ranges = [null, ...PICTURE_RANGES.map(([from, to]) => ({ from, to }))];
        for (const range of ranges) {
          const name = pictureName(locale, track, range && { ...range, stage: range.from, phase: 'win-win' });
          if (!name) continue;
          await tab.setContent(`<!doctype html><body style="margin:0">${pictureSvg(rc, track, range)}</body>`);
          writeFileSync(join(OUT, name), toPalettePng(await tab.locator('svg').screenshot()));
          count += 1;
        }
      }
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${count} pictures in ${OUT}`);
}

await main();
