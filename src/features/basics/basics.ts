/**
 * What every chat needs: help and the welcome, the language, "terug" and "stop" for the open check-in.
 */
import { commandRoute, type Feature, type TurnContext } from '../../core/context.js';
import { coreKeys } from '../../core/keys.js';
import { savePrefs } from '../../core/prefs.js';
import { textMessage } from '../../dialog/render.js';
import { DAY_MS, MINUTE_MS } from '../../lib/time.js';
import type { Block, Locale } from '../../message/types.js';

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

const LANGUAGE_WORDS: ReadonlyMap<string, Locale> = new Map([
  ['nl', 'nl'],
  ['nederlands', 'nl'],
  ['dutch', 'nl'],
  ['en', 'en'],
  ['english', 'en'],
  ['engels', 'en'],
]);

const welcomedKey = (ctx: TurnContext) =>
  coreKeys.welcomed(ctx.hash('welcome', ctx.event.platform, ctx.event.conversation.conversationId));

export function createBasicsFeature(): Feature {
  const retentionMs = (ctx: TurnContext) => ctx.config.retentionDays * DAY_MS;

  async function help(ctx: TurnContext, args: string): Promise<void> {
    const open = await ctx.dialogs.active(ctx);
    const intro = args === 'welcome' ? 'common.welcome' : args === 'unknown' ? 'common.notUnderstood' : undefined;
    const blocks: Block[] = [];
    if (intro) blocks.push({ type: 'text', text: ctx.t(intro) });
    if (args !== 'welcome' || !open) blocks.push({ type: 'text', text: ctx.t('common.help') });
    blocks.push(commandButtons(ctx, ['checkin', 'learn', 'myResults']));
    const text = blocks
      .map((b) => (b.type === 'text' ? b.text : ''))
      .join('\n')
      .trim();
    await ctx.io.send({ text, blocks });
    // A dialog left half-way (after a restart, or in another window) picks up at the same question.
    if (open && ctx.event.conversation.isDirect) {
      await ctx.io.send(textMessage(ctx.t('common.welcomeBack'), 'muted'));
      await ctx.dialogs.resume(ctx, open);
    }
  }

  async function language(ctx: TurnContext, args: string): Promise<void> {
    const wanted = LANGUAGE_WORDS.get(args.trim().toLowerCase());
    if (!wanted) {
      const choose = (to: Locale) => ({
        label: ctx.t(`common.language.names.${to}`),
        route: commandRoute('language', to),
      });
      await ctx.io.send({
        text: ctx.t('common.language.prompt'),
        blocks: [
          { type: 'text', text: ctx.t('common.language.prompt') },
          { type: 'buttons', buttons: [choose('nl'), choose('en')] },
        ],
      });
      return;
    }
    await savePrefs(ctx.store, ctx.person, { locale: wanted }, retentionMs(ctx));
    // Both locale files hold each confirmation in its own language, so it reads in the language just chosen.
    await ctx.io.send(textMessage(ctx.t(`common.language.switchedTo.${wanted}`)));
  }

  return {
    id: BASICS_FEATURE,
    commands: {
      help: { words: ['help', 'hulp', '?'], menu: 'everywhere', run: help },
      language: { words: ['taal', 'language'], takesArgument: true, menu: 'personal', run: language },
      back: { words: ['terug', 'back', 'vorige'], run: (ctx) => ctx.dialogs.back(ctx) },
      stop: { words: ['stop', 'stoppen'], run: (ctx) => ctx.dialogs.stop(ctx) },
    },
    async onInstall(ctx) {
      if (!(await ctx.store.claim(welcomedKey(ctx), WELCOME_ONCE_MS))) return;
      await help(ctx, 'welcome');
    },
    async onUninstall(ctx) {
      // Installed again right after a removal: that is a new install, to be greeted.
      await ctx.store.delete(welcomedKey(ctx));
    },
  };
}
