/**
 * One round trip through the Agents Playground's real web UI in headless Chromium (Debian's package, driven by
 * playwright-core): answer one check-in question by clicking the card, and save docs/screenshots/teams-playground.png.
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

const SCREENSHOT = 'docs/screenshots/teams-playground.png';

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

  it('answers one check-in question by clicking the card and saves a screenshot', async () => {
    const page = browser.pages()[0] ?? (await browser.newPage());
    try {
      await page.goto(playground.url);
      const compose = page.locator('[role="textbox"][contenteditable="true"]');
      await compose.waitFor({ timeout: 45_000 });
      // On load the UI installs the app: the welcome card comes first.
      await page.locator('.fai-OutputCard', { hasText: 'Bubbelbreker' }).first().waitFor({ timeout: 15_000 });

      await compose.click();
      await page.keyboard.type('taal nl');
      await page.keyboard.press('Enter');
      await page.locator('.fai-OutputCard', { hasText: 'Nederlands' }).first().waitFor({ timeout: 10_000 });

      await compose.click();
      await page.keyboard.type('checkin');
      await page.keyboard.press('Enter');
      const question = page.locator('.fai-OutputCard').filter({ hasText: 'Vraag 1 van' }).last();
      await question.waitFor({ timeout: 10_000 });

      await question.getByRole('button', { name: 'Allebei' }).click();
      // Action.Execute: the card is replaced in place by the next question.
      await page.locator('.fai-OutputCard').filter({ hasText: 'Vraag 2 van' }).last().waitFor({ timeout: 10_000 });
      expect(await page.locator('.fai-OutputCard').filter({ hasText: 'Vraag 1 van' }).count()).toBe(0);

      mkdirSync('docs/screenshots', { recursive: true });
      await page.screenshot({ path: SCREENSHOT });
      expect(existsSync(SCREENSHOT)).toBe(true);
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
  }, 90_000);
});
