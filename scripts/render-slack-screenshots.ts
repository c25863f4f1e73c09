/**
 * What a council member sees in Slack: renders real bot messages (a check-in question, the result and its
 * explanation, a module card and the App Home) through the adapter's Block Kit renderer, then draws them with
 * slack-blocks-to-jsx (a look-alike renderer, not Slack's own) in headless Chromium into docs/screenshots/.
 *   npx tsx scripts/render-slack-screenshots.ts        (needs: apt-get install -y chromium fonts-noto-color-emoji)
 * CHROME_BIN overrides /usr/bin/chromium. No network: the result's picture (an image block, as PUBLIC_URL is set)
 * is answered from public/images; every other request is blocked.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { Message, type Block as JsxBlock } from 'slack-blocks-to-jsx';
import { buildHome } from '../adapters/slack/home.js';
import { renderMessage } from '../adapters/slack/render.js';
import { loadConfig } from '../src/config.js';
import { createCore } from '../src/app.js';
import { silentLogger } from '../src/logger.js';
import type { ActionPayload, Block, InboundEvent, OutboundMessage, TurnIO } from '../src/message/types.js';
import { openMemoryStore } from '../src/store/create-store.js';

const OUT = 'docs/screenshots';
/** The bot's public address in these pictures; its /images are answered from public/images. */
const PUBLIC_URL = 'https://bubbelbreker.gemeente.example';
const require = createRequire(import.meta.url);
const css = readFileSync(require.resolve('slack-blocks-to-jsx/dist/style.css'), 'utf8');
const LOGO = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="36" height="36"><rect width="36" height="36" rx="8" fill="#1d4e89"/><circle cx="14" cy="16" r="7" fill="none" stroke="#fff" stroke-width="2.5"/><circle cx="23" cy="21" r="6" fill="#fff" opacity=".85"/></svg>').toString('base64')}`;

type Question = Extract<Block, { type: 'single' | 'multi' | 'scale' | 'input' }>;

async function collectMessages() {
  const dir = mkdtempSync(join(tmpdir(), 'bb-shots-'));
  const config = loadConfig(
    {
      BOT_LOCAL_MODE: '1',
      LOG_LEVEL: 'silent',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      PSEUDONYM_KEY: 'screenshots-pseudonym-key-0123456789abcdef',
      DATA_KEY: 'd'.repeat(64),
      PUBLIC_URL,
    },
    {},
  );
  const core = await createCore(config, { log: silentLogger(), store: openMemoryStore() });
  let n = 0;
  const event = (rest: Partial<InboundEvent> & Pick<InboundEvent, 'kind'>): InboundEvent =>
    ({
      id: `shot-${++n}`,
      platform: 'slack',
      user: { platform: 'slack', tenantId: 'T0', userId: 'U0RAAD' },
      conversation: { platform: 'slack', tenantId: 'T0', conversationId: 'DU0RAAD', isDirect: true },
      receivedAt: Date.now(),
      ...rest,
    }) as InboundEvent;
  const said: OutboundMessage[] = [];
  const io: TurnIO = {
    send: async (m) => void said.push(m) as undefined,
    update: async (m) => void said.push(m),
    remove: async () => false,
  };
  const questionOf = (m: OutboundMessage | undefined) =>
    m?.blocks.find((b): b is Question => ['single', 'multi', 'scale', 'input'].includes(b.type));

  await core.receive(event({ kind: 'command', text: 'checkin' }), io);
  // The first check-in asks for consent: "Ja, ik doe mee".
  const consent = said
    .at(-1)!
    .blocks.flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
    .find((b) => b.route.feature === 'privacy' && b.route.verb === 'consent');
  if (consent)
    await core.receive(
      event({ kind: 'action', action: { route: consent.route } } as Partial<InboundEvent> & { kind: 'action' }),
      io,
    );
  const question = said.at(-1)!;
  let multi: OutboundMessage | undefined;
  for (let guard = 0; guard < 20; guard += 1) {
    const q = questionOf(said.at(-1));
    if (!q) break;
    if (q.type === 'multi' && !multi) multi = said.at(-1);
    const action: ActionPayload =
      q.type === 'single'
        ? { route: q.route, choice: q.choices[0]!.id }
        : q.type === 'multi'
          ? { route: q.route, values: [q.choices[0]!.id] }
          : q.type === 'scale'
            ? { route: q.route, choice: String(q.min) }
            : { route: q.route, text: 'Volgende keer eerst de buurt spreken.' };
    await core.receive(event({ kind: 'action', action } as Partial<InboundEvent> & { kind: 'action' }), io);
  }
  const result = [...said].reverse().find((m) => m.blocks.length > 3 && !questionOf(m))!;
  const explain = result.blocks
    .flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
    .find((b) => b.route.verb === 'explain')!;
  await core.receive(
    event({ kind: 'action', action: { route: explain.route } } as Partial<InboundEvent> & { kind: 'action' }),
    io,
  );
  const explained = said.at(-1)!;
  said.length = 0;
  await core.receive(event({ kind: 'command', text: 'leer m3' }), io);
  const module = said.at(-1)!;
  const home = await buildHome(
    { kind: 'home', id: 'shot-home', teamId: 'T0', userId: 'U0RAAD', channel: 'DU0RAAD' },
    { handle: core.pipeline.handle, translate: core.translator.t, defaultLocale: 'nl' },
  );
  await core.store.close();
  rmSync(dir, { recursive: true, force: true });
  const label = (key: string) => core.translator.t('nl', key);
  return {
    'slack-question': renderMessage(question, label).blocks,
    ...(multi ? { 'slack-question-multi': renderMessage(multi, label).blocks } : {}),
    'slack-result': renderMessage(result, label).blocks,
    'slack-result-explained': renderMessage(explained, label).blocks,
    'slack-module': renderMessage(module, label).blocks,
    'slack-home': home.blocks,
  };
}

function page(blocks: unknown[]): string {
  const body = renderToStaticMarkup(
    createElement(Message, {
      blocks: blocks as JsxBlock[],
      name: 'Bubbelbreker',
      logo: LOGO,
      time: new Date('2026-11-23T09:41:00+01:00'),
      theme: 'light',
    }),
  );
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><style>${css}</style><style>body{margin:0;background:#fff;font-family:Lato,"Noto Sans",Arial,sans-serif}#shot{width:720px;padding:16px}</style></head><body><div id="shot">${body}</div></body></html>`;
}

async function main(): Promise<void> {
  const messages = await collectMessages();
  mkdirSync(OUT, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'bb-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROME_BIN ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 760, height: 900 },
    deviceScaleFactor: 1,
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
  try {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:')) return route.continue();
      if (url.startsWith(`${PUBLIC_URL}/images/`))
        return route.fulfill({ contentType: 'image/png', body: readFileSync(`public${url.slice(PUBLIC_URL.length)}`) });
      return route.abort();
    });
    const tab = context.pages()[0] ?? (await context.newPage());
    for (const [name, blocks] of Object.entries(messages)) {
      await tab.setContent(page(blocks));
      await tab.locator('#shot').screenshot({ path: join(OUT, `${name}.png`) });
      console.log(`${OUT}/${name}.png`);
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

await main();
