/**
 * What every chat needs: the welcome, help and the short answer to anything the bot cannot answer, the language
 * (Dutch first; English is one tap on the welcome), greetings and thanks, "terug" and "stop" for the open check-in.
 */
import { commandRoute, type Feature, type TurnContext } from '../../core/context.js';
import { coreKeys } from '../../core/keys.js';
import { savePrefs } from '../../core/prefs.js';
import { textMessage } from '../../dialog/render.js';
import { DAY_MS, MINUTE_MS } from '../../lib/time.js';
import { plainText } from '../../message/plain-text.js';
import type { Block, Locale, OutboundMessage } from '../../message/types.js';

export const BASICS_FEATURE = 'basics';

/** Teams sends installationUpdate and conversationUpdate for one install: greet once. */
const WELCOME_ONCE_MS = 2 * MINUTE_MS;

/** Buttons that run commands by name, for help and welcome messages. Labels: `common.buttons.<name>`. */
export function commandButtons(ctx: TurnContext, names: string[]): Block {
  return {
    type: 'buttons',
    buttons: names.map((name) => ({ label: ctx.t(`common.buttons.${name}`), route: commandRoute(name) })),
  };
}

/** What `taal <word>` understands. */
const LANGUAGE_WORDS: ReadonlyMap<string, Locale> = new Map([
  ['nl', 'nl'],
  ['nederlands', 'nl'],
  ['dutch', 'nl'],
  ['en', 'en'],
  ['english', 'en'],
  ['engels', 'en'],
]);

/** The other language: the one the welcome offers with one tap. */
const otherLocale = (locale: Locale): Locale => (locale === 'nl' ? 'en' : 'nl');

const welcomedKey = (ctx: TurnContext) =>
  coreKeys.welcomed(ctx.hash('welcome', ctx.event.platform, ctx.event.conversation.conversationId));

/** A message of blocks whose plain text carries every block's meaning (notifications, screen readers). */
const messageOf = (blocks: Block[]): OutboundMessage => ({ text: plainText(blocks), blocks });

export function createBasicsFeature(): Feature {
  const retentionMs = (ctx: TurnContext) => ctx.config.retentionDays * DAY_MS;

  /** The welcome: who the bot is, where to start, and English one tap away (in English, so it can be read). */
  async function welcome(ctx: TurnContext): Promise<void> {
    const blocks: Block[] = [{ type: 'text', text: ctx.t('common.welcome') }];
    // In a group chat or channel the bot only hears messages that mention it: say so, in the platform's words.
    if (!ctx.event.conversation.isDirect)
      blocks.push({ type: 'text', text: ctx.t(`common.welcomeShared.${ctx.event.platform}`) });
    blocks.push({ type: 'text', text: ctx.t('common.welcomeStart') });
    blocks.push(commandButtons(ctx, ['checkin', 'learn', 'help']));
    const other = otherLocale(ctx.locale);
    blocks.push({
      type: 'buttons',
      buttons: [{ label: ctx.t(`common.language.offer.${other}`), route: commandRoute('language', other) }],
    });
    const open = await openDialog(ctx);
    await ctx.io.send(messageOf(blocks));
    await resumeOpen(ctx, open);
  }

  /**
   * The dialog open in this private chat, read before anything is sent: a store that fails fails the turn before
   * a message went out, so the turn run again after the store is back answers once, not twice.
   */
  const openDialog = async (ctx: TurnContext) =>
    ctx.event.conversation.isDirect ? await ctx.dialogs.active(ctx) : undefined;

  /** A dialog left half-way (after a restart, or in another window) picks up at the same question. */
  async function resumeOpen(ctx: TurnContext, open: Awaited<ReturnType<typeof openDialog>>): Promise<void> {
    if (!open) return;
    await ctx.io.send(textMessage(ctx.t('common.welcomeBack'), 'muted'));
    await ctx.dialogs.resume(ctx, open);
  }

  /**
   * Anything that is no command and no answer: one short line and the few buttons that fit. A question about a
   * dossier ("hoe zit het met het azc?") is not answered; the bot says what it can do instead.
   */
  async function fallback(ctx: TurnContext): Promise<void> {
    await ctx.io.send(
      messageOf([
        { type: 'text', text: ctx.t('common.notUnderstood') },
        commandButtons(ctx, ['checkin', 'learn', 'help']),
      ]),
    );
  }

  async function help(ctx: TurnContext, args: string): Promise<void> {
    if (args === 'welcome') return welcome(ctx);
    if (args === 'unknown') return fallback(ctx);
    const open = await openDialog(ctx);
    await ctx.io.send(
      messageOf([
        { type: 'text', text: ctx.t('common.help') },
        commandButtons(ctx, ['checkin', 'learn', 'myResults', 'myData']),
      ]),
    );
    await resumeOpen(ctx, open);
  }

  async function language(ctx: TurnContext, args: string): Promise<void> {
    const wanted = LANGUAGE_WORDS.get(args.trim().toLowerCase());
    if (!wanted) {
      const choose = (to: Locale) => ({
        label: ctx.t(`common.language.names.${to}`),
        route: commandRoute('language', to),
      });
      await ctx.io.send(
        messageOf([
          { type: 'text', text: ctx.t('common.language.prompt') },
          { type: 'buttons', buttons: [choose('nl'), choose('en')] },
        ]),
      );
      return;
    }
    await savePrefs(ctx.store, ctx.person, { locale: wanted }, retentionMs(ctx));
    // Both locale files hold each confirmation in its own language, so it reads in the language just chosen.
    await ctx.io.send(textMessage(ctx.t(`common.language.switchedTo.${wanted}`)));
  }

  /** "Hallo": greet back; in the middle of a check-in, point at the open question instead. */
  async function greet(ctx: TurnContext): Promise<void> {
    if (ctx.event.conversation.isDirect && (await ctx.dialogs.remind(ctx, 'common.greetingInDialog'))) return;
    await ctx.io.send(
      messageOf([{ type: 'text', text: ctx.t('common.greeting') }, commandButtons(ctx, ['checkin', 'learn', 'help'])]),
    );
  }

  return {
    id: BASICS_FEATURE,
    commands: {
      help: { words: ['help', 'hulp', '?'], menu: 'everywhere', run: help },
      language: { words: ['taal', 'language'], takesArgument: true, menu: 'personal', run: language },
      dutch: { words: ['nederlands', 'dutch', 'in het nederlands'], run: (ctx) => language(ctx, 'nl') },
      english: { words: ['english', 'engels', 'in english'], run: (ctx) => language(ctx, 'en') },
      greet: {
        words: ['hallo', 'hoi', 'hey', 'hi', 'hello', 'goedemorgen', 'goedemiddag', 'goedenavond'],
        run: greet,
      },
      thanks: {
        words: ['dank je', 'dank je wel', 'dankjewel', 'dank u', 'dank u wel', 'bedankt', 'thanks', 'thank you'],
        run: (ctx) => ctx.io.send(textMessage(ctx.t('common.thanks'))).then(() => undefined),
      },
      back: { words: ['terug', 'back', 'vorige'], run: (ctx) => ctx.dialogs.back(ctx) },
      stop: { words: ['stop', 'stoppen'], run: (ctx) => ctx.dialogs.stop(ctx) },
    },
    async onInstall(ctx) {
      if (!(await ctx.store.claim(welcomedKey(ctx), WELCOME_ONCE_MS))) return;
      await welcome(ctx);
    },
    async onUninstall(ctx) {
      // Installed again right after a removal: that is a new install, to be greeted.
      await ctx.store.delete(welcomedKey(ctx));
    },
  };
}
