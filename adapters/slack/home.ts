import { randomUUID } from 'node:crypto';
import type { HomeView, KnownBlock } from '@slack/types';
import {
  type Block,
  commandRoute,
  type InboundEvent,
  type InboundSink,
  type Locale,
  type OutboundMessage,
  type Route,
  type TurnIO,
} from '../../src/core/index.js';
import { ActionIds, LIMITS, renderBlocks } from './render.js';
import type { HomeRequest, Translate } from './types.js';

/** How many blocks each captured part of the App Home may take (the view holds 100). */
const PART_BLOCKS = 35;

/** Shortcuts that run a command by name, so a click works like typing it; the language one passes the choice. */
const command = (name: string): Route => commandRoute(name);
const switchLanguage = (to: Locale): Route => commandRoute('language', to);

export interface HomeDeps {
  /** The core's turn runner: the Home tab runs commands through it and keeps what they would have said. */
  handle: InboundSink;
  translate: Translate;
  /** The deployment's language, for when the core said nothing (Dutch first: Slack's own locale does not count). */
  defaultLocale: Locale;
}

/**
 * The App Home tab: shortcuts, the person's results and the modules — the last two are what the core answers to
 * "mijn resultaten" and "leer", captured instead of sent — and settings. Only the person sees their Home tab.
 */
export async function buildHome(request: HomeRequest, deps: HomeDeps): Promise<HomeView> {
  const results = await capture(request, 'mijn resultaten', deps);
  const modules = await capture(request, 'leer', deps);
  // The core stamps its messages with the person's language: their own choice, else the deployment's.
  const locale: Locale = [...results, ...modules].find((m) => m.locale)?.locale ?? deps.defaultLocale;
  const t = (key: string) => deps.translate(locale, key);
  const ids = new ActionIds();
  const part = (messages: OutboundMessage[]) =>
    renderBlocks(
      messages.flatMap((m) => m.blocks),
      t,
      { maxBlocks: PART_BLOCKS, locale, ids },
    );
  const head: Block[] = [
    { type: 'heading', text: t('slack.home.title') },
    { type: 'text', text: t('slack.home.intro') },
    {
      type: 'buttons',
      buttons: [
        { label: t('slack.home.checkin'), route: command('checkin'), style: 'primary' },
        { label: t('slack.home.learn'), route: command('learn') },
        { label: t('slack.home.help'), route: command('help') },
      ],
    },
  ];
  const settings: Block[] = [
    { type: 'divider' },
    { type: 'heading', text: t('slack.home.settings') },
    {
      type: 'buttons',
      buttons: [
        { label: t('slack.home.language'), route: switchLanguage(locale === 'nl' ? 'en' : 'nl') },
        { label: t('slack.home.myData'), route: command('myData') },
        { label: t('slack.home.forgetMe'), route: command('forgetMe') },
      ],
    },
  ];
  // A section gets our heading only when the core's answer does not bring its own.
  const section = (heading: string, messages: OutboundMessage[]): KnownBlock[] => [
    ...renderBlocks(
      [
        { type: 'divider' },
        ...(messages[0]?.blocks[0]?.type === 'heading' ? [] : [{ type: 'heading' as const, text: heading }]),
      ],
      t,
      { ids },
    ),
    ...part(messages),
  ];
  const blocks: KnownBlock[] = [
    ...renderBlocks(head, t, { locale, ids }),
    ...section(t('slack.home.results'), results),
    ...section(t('slack.home.modules'), modules),
    ...renderBlocks(settings, t, { locale, ids }),
  ];
  return { type: 'home', blocks: blocks.slice(0, LIMITS.viewBlocks) };
}

/** Run a command through the core and keep what it would have said in the conversation. */
async function capture(request: HomeRequest, text: string, deps: HomeDeps): Promise<OutboundMessage[]> {
  const said: OutboundMessage[] = [];
  const event: InboundEvent = {
    kind: 'command',
    // A fresh id per capture: the app_home_opened event itself was recorded once; a Home opened again runs them again.
    id: `${request.id}:${randomUUID()}`,
    platform: 'slack',
    user: { platform: 'slack', tenantId: request.teamId, userId: request.userId },
    // Not the 1:1 chat: the Home tab is a view, so the core does not resume an open check-in into it.
    conversation: {
      platform: 'slack',
      tenantId: request.teamId,
      conversationId: request.channel ?? '',
      isDirect: false,
    },
    text,
    receivedAt: Date.now(),
  };
  const io: TurnIO = {
    send: async (message) => {
      said.push(message);
      return undefined;
    },
    update: async (message) => {
      said.push(message);
    },
    remove: async () => false,
  };
  await deps.handle(event, io);
  return said;
}
