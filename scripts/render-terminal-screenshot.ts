/**
 * What a person sees in the terminal chat: runs `npm run chat` in tmux (110 columns), types a whole check-in as a
 * person would, reads the screen with capture-pane, and draws the end of it (the result) in headless Chromium
 * into docs/screenshots/terminal-result.png. A temporary database, removed afterwards.
 *   npx tsx scripts/render-terminal-screenshot.ts      (needs: apt-get install -y tmux chromium)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

const OUT = 'docs/screenshots/terminal-result.png';
const SESSION = `bb-shot-${process.pid}`;
const ANSWERS = [
  'checkin',
  '1',
  '3',
  '2,5',
  '1',
  '5',
  '1',
  '1,5',
  '1,3,8',
  '4',
  'Volgende week met de wijkagent praten',
];

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

async function capture(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-terminal-'));
  const env = `DATABASE_PATH=${join(dir, 'bb.sqlite')} KEYS_DIR=${join(dir, 'keys')}`;
  tmux('new-session', '-d', '-s', SESSION, '-x', '110', '-y', '60', `${env} npx tsx src/main.ts chat; sleep 30`);
  try {
    await sleep(6000);
    for (const line of ANSWERS) {
      tmux('send-keys', '-t', SESSION, line, 'Enter');
      await sleep(1200);
    }
    await sleep(1500);
    return tmux('capture-pane', '-t', SESSION, '-p', '-S', '-200');
  } finally {
    tmux('kill-session', '-t', SESSION);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const screen = capture();
  const lines = (await screen).replace(/\s+$/, '').split('\n');
  const from = lines.findIndex((l) => l.startsWith('Dank je, al je antwoorden zijn binnen.'));
  const shown = lines.slice(Math.max(0, from - 10));
  const profile = mkdtempSync(join(tmpdir(), 'bb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 980, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
  try {
    await context.route('**/*', (route) => route.abort());
    const tab = context.pages()[0] ?? (await context.newPage());
    await tab.setContent(
      `<!doctype html><body style="margin:0;background:#1e1e1e"><pre id="shot" style="margin:0;padding:16px;color:#e6e6e6;font:14px/1.4 'DejaVu Sans Mono',monospace;width:fit-content">${escapeHtml(shown.join('\n'))}</pre></body>`,
    );
    await tab.locator('#shot').screenshot({ path: OUT });
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(OUT);
}

await main();
