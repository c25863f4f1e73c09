/**
 * One round trip through the Agents Playground's real web UI in headless Chromium (Debian's package, driven by
 * playwright-core): a whole check-in, clicking and typing as a person would; takes two screenshots (a question and
 * the result card). With UPDATE_SCREENSHOTS=1 they replace docs/screenshots/teams-playground.png and teams-result.png;
 * otherwise they go to a temp folder, so a test run leaves the working tree as it was.
 * Without Chromium this skips with a loud warning — except under CI=true, where it must run (.ci/run installs it).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { startApp, type App } from '../../src/main.js';
import { silentLogger } from '../../src/logger.js';
import { startPlayground, type Playground } from '../../src/playground.js';
import { testConfig } from '../support/make-bot.js';
import { freePort } from './support/playground-client.js';

const CHROMIUM = process.env.CHROME_BIN ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI === 'true')
    throw new Error(
      `Chromium not found at ${CHROMIUM}; under CI=true the browser test must run (apt-get install -y chromium fonts-noto-color-emoji).`,
    );
  const bar = '!'.repeat(78);
  console.warn(
    `\n${bar}\n!!! CHROMIUM NOT FOUND at ${CHROMIUM}\n!!! The Agents Playground browser test is SKIPPED. Install it: apt-get install -y chromium fonts-noto-color-emoji\n${bar}\n`,
  );
}

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : tempDir('bb-screenshots-');
const SCREENSHOT = join(SCREENSHOTS, 'teams-playground.png');
const RESULT_SCREENSHOT = join(SCREENSHOTS, 'teams-result.png');

describe.skipIf(!hasChromium)('the Agents Playground web UI (headless Chromium)', () => {
  let app: App;
  let playground: Playground;
  let browser: BrowserContext;

  beforeAll(async () => {
    const port = await freePort();
    app = await startApp(testConfig({ PORT: String(port) }), { log: silentLogger() });
    playground = await startPlayground({
      botEndpoint: `http://127.0.0.1:${port}/api/messages`,
      port: await freePort(),
      logFile: join(tempDir('bb-playground-ui-'), 'playground.log'),
    });
    browser = await chromium.launchPersistentContext(tempDir('bb-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // Nothing leaves the machine: the UI's CDN fonts are refused and it falls back to local ones.
    await browser.route('**/*', (route) =>
      ['localhost', '127.0.0.1'].includes(new URL(route.request().url()).hostname) ? route.continue() : route.abort(),
    );
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    await app?.close();
  });

  it('a check-in in Dutch (the playground says en-US): one card per question, a result in layers; screenshots', async () => {
    const page = browser.pages()[0] ?? (await browser.newPage());
    try {
      await page.goto(playground.url);
      const compose = page.locator('[role="textbox"][contenteditable="true"]');
      await compose.waitFor({ timeout: 45_000 });
      const say = async (text: string) => {
        await compose.click();
        await page.keyboard.type(text);
        await page.keyboard.press('Enter');
      };
      const cards = page.locator('.fai-OutputCard');
      // On load the UI installs the app: the welcome comes first, in Dutch although the client is English.
      await cards.filter({ hasText: 'Hallo! Ik ben Bubbelbreker.' }).first().waitFor({ timeout: 15_000 });

      await say('checkin');
      // The consent card first: what is kept, for how long, and what Teams keeps itself.
      const consent = cards.filter({ hasText: 'Teams bewaart de chat zelf ook.' }).last();
      await consent.waitFor({ timeout: 10_000 });
      await consent.getByRole('button', { name: 'Ja, ik doe mee' }).click();
      const question = cards.filter({ hasText: 'Vraag 1 ·' }).last();
      await question.waitFor({ timeout: 10_000 });
      await question.getByRole('button', { name: 'Allebei' }).click();
      // Action.Execute: the card is replaced in place by the next question.
      const second = cards.filter({ hasText: 'Vraag 2 ·' }).last();
      await second.waitFor({ timeout: 10_000 });
      expect(await cards.filter({ hasText: 'Vraag 1 ·' }).count()).toBe(0);
      // The multi-choice question is printed once.
      expect((await second.innerText()).split('Wat zie je gebeuren? Kies alles wat past.')).toHaveLength(2);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: SCREENSHOT });

      // Typed where a choice is expected: one short pointer; the live card gets the hint; nothing is posted again.
      await say('hoe zit het met het azc?');
      await cards.filter({ hasText: 'Kies je antwoord op vraag 2 op de kaart hierboven.' }).last().waitFor();
      await cards.filter({ hasText: 'Kies een van de antwoorden hieronder.' }).last().waitFor();
      expect(await cards.filter({ hasText: 'Vraag 2 ·' }).count()).toBe(1);

      // The rest typed as numbers (the engine reads them on every platform); every answered card loses its buttons.
      for (const answer of ['2,5', '1', '5', '1', '1,5', '1,3,8', '4']) await say(answer);
      await cards.filter({ hasText: 'Tot slot (niet verplicht)' }).last().waitFor({ timeout: 15_000 });
      await say('Volgende week met de wijkagent praten');
      const result = cards.filter({ hasText: 'Jouw check-in: wat valt op' }).last();
      await result.waitFor({ timeout: 15_000 });
      await expect
        .poll(() =>
          result
            .locator('img')
            .first()
            .evaluate((img: HTMLImageElement) => img.naturalWidth),
        )
        .toBeGreaterThan(0);
      expect(await result.locator('img').first().getAttribute('alt')).toContain('escalatieladder van Glasl');
      // Tall enough for the whole card, so the screenshot shows it without the page's bars over it.
      await page.setViewportSize({ width: 1280, height: 2400 });
      await result.scrollIntoViewIfNeeded();
      await result.screenshot({ path: RESULT_SCREENSHOT });
      expect(existsSync(RESULT_SCREENSHOT)).toBe(true);
    } catch (error) {
      await page.screenshot({ path: join(tmpdir(), 'bb-playground-failure.png') }).catch(() => undefined);
      process.stderr.write(
        `\n----- Agents Playground log (last lines) -----\n${playground
          .readLog()
          .split('\n')
          .slice(-30)
          .map((l) => l.slice(0, 300))
          .join('\n')}\n`,
      );
      throw error;
    }
  }, 150_000);
});
