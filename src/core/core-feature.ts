import { textMessage } from '../dialog/render.js';
import type { DialogRunner } from '../dialog/runner.js';
import { keys } from '../store/keys.js';
import { savePrefs } from './bot.js';
import { privately, type CommandName, type Feature, type TurnContext } from './context.js';
import type { ActionPayload, Block, Button, Locale, SentRef } from './types.js';
import { findHandler } from './find-handler.js';

export interface CoreFeatureDeps {
  runner: DialogRunner;
  /** All features, to collect "mijn gegevens" lines. */
  features: readonly Feature[];
  retentionMs: number;
}

const button = (
  label: string,
  dialogId: string,
  stepId: string,
  choiceId?: string,
  style?: Button['style'],
): Button => ({
  label,
  action: { dialogId, stepId, turn: 0, choiceId },
  style,
});

/** Buttons that run a command, for help and welcome messages. */
export function commandButtons(ctx: TurnContext, names: CommandName[]): Block {
  return { type: 'buttons', buttons: names.map((name) => button(ctx.t(`common.buttons.${name}`), 'cmd', 'run', name)) };
}

const LANGUAGE_WORDS: ReadonlyMap<string, Locale> = new Map([
  ['nl', 'nl'],
  ['nederlands', 'nl'],
  ['dutch', 'nl'],
  ['en', 'en'],
  ['english', 'en'],
  ['engels', 'en'],
]);

/** The bot's own commands: help, stop, terug, taal, mijn gegevens, vergeet mij — and the fallbacks. */
export function createCoreFeature(deps: CoreFeatureDeps): Feature {
  const { runner } = deps;

  async function help(ctx: TurnContext, args: string): Promise<void> {
    const open = await runner.active(ctx);
    const intro = args === 'welcome' ? 'common.welcome' : args === 'unknown' ? 'common.notUnderstood' : undefined;
    const blocks: Block[] = [];
    if (intro) blocks.push({ type: 'text', text: ctx.t(intro) });
    if (args !== 'welcome' || !open) blocks.push({ type: 'text', text: ctx.t('common.help') });
    blocks.push(commandButtons(ctx, ['checkin', 'learn', 'myResults']));
    await ctx.io.send({
      text: blocks
        .map((b) => (b.type === 'text' ? b.text : ''))
        .join('\n')
        .trim(),
      blocks,
    });
    // A dialog left half-way (after a restart, or in another window) picks up at the same question.
    if (open && ctx.event.conversation.isDirect) {
      await ctx.io.send(textMessage(ctx.t('common.welcomeBack'), 'muted'));
      await runner.resume(ctx, open);
    }
  }

  async function language(ctx: TurnContext, args: string): Promise<void> {
    const wanted = LANGUAGE_WORDS.get(args.trim().toLowerCase());
    if (!wanted) {
      await ctx.io.send({
        text: ctx.t('common.language.prompt'),
        blocks: [
          { type: 'text', text: ctx.t('common.language.prompt') },
          {
            type: 'buttons',
            buttons: [
              button(ctx.t('common.language.names.nl'), 'lang', 'set', 'nl'),
              button(ctx.t('common.language.names.en'), 'lang', 'set', 'en'),
            ],
          },
        ],
      });
      return;
    }
    await savePrefs(ctx, { locale: wanted }, deps.retentionMs);
    // Both locale files hold each confirmation in its own language, so it reads in the language just chosen.
    await ctx.io.send(textMessage(ctx.t(`common.language.switchedTo.${wanted}`)));
  }

  async function myData(ctx: TurnContext): Promise<void> {
    const stored = await ctx.store.keysOf(ctx.person);
    const lines: string[] = [];
    const open = await runner.active(ctx);
    if (open) lines.push(ctx.t('common.myData.openDialog'));
    if (stored.some((k) => k === keys.prefs(ctx.person)))
      lines.push(ctx.t('common.myData.prefs', { locale: ctx.t(`common.language.names.${ctx.locale}`) }));
    for (const feature of deps.features) if (feature.describeData) lines.push(...(await feature.describeData(ctx)));
    const blocks: Block[] = [{ type: 'heading', text: ctx.t('common.myData.title') }];
    blocks.push({
      type: 'text',
      text: lines.length > 0 ? lines.map((l) => `• ${l}`).join('\n') : ctx.t('common.myData.nothing'),
    });
    blocks.push({
      type: 'text',
      text: ctx.t('common.myData.retention', { days: Math.round(deps.retentionMs / 86_400_000) }),
      tone: 'muted',
    });
    if (stored.length > 0)
      blocks.push({ type: 'buttons', buttons: [button(ctx.t('common.buttons.forgetMe'), 'privacy', 'forget')] });
    await ctx.io.send({ text: ctx.t('common.myData.title'), blocks }, privately(ctx));
  }

  async function forgetMe(ctx: TurnContext): Promise<void> {
    await ctx.io.send(
      {
        text: ctx.t('common.forget.confirm'),
        blocks: [
          { type: 'text', text: ctx.t('common.forget.confirm') },
          {
            type: 'buttons',
            buttons: [
              button(ctx.t('common.buttons.forgetConfirm'), 'privacy', 'confirm', undefined, 'danger'),
              button(ctx.t('common.buttons.cancel'), 'privacy', 'cancel'),
            ],
          },
        ],
      },
      privately(ctx),
    );
  }

  async function forgetConfirmed(ctx: TurnContext): Promise<void> {
    const stored = await ctx.store.keysOf(ctx.person);
    // Delete the bot's own messages that showed results, where the platform allows it.
    for (const key of stored.filter((k) => k.startsWith('sent:'))) {
      const refs = (await ctx.store.get<SentRef[]>(key)) ?? [];
      for (const ref of refs) await ctx.io.remove(ref).catch(() => false);
    }
    const removed = await ctx.store.forget(ctx.person);
    await ctx.io.update(textMessage(ctx.t(removed > 0 ? 'common.forget.done' : 'common.forget.nothing')));
  }

  const commands: Partial<Record<CommandName, (ctx: TurnContext, args: string) => Promise<void>>> = {
    help,
    checkin: (ctx) => ctx.startDialog('sample'),
    learn: (ctx) => help(ctx, ''),
    myResults: (ctx) => help(ctx, ''),
    stop: (ctx) => runner.stop(ctx),
    back: (ctx) => runner.back(ctx),
    language,
    myData,
    forgetMe,
  };

  return {
    commands,
    actions: {
      cmd: async (ctx, action: ActionPayload) => {
        const name = action.choiceId as CommandName | undefined;
        const handler =
          name &&
          (findHandler(deps.features, 'commands', name) ??
            (Object.hasOwn(commands, name) ? commands[name] : undefined));
        if (handler) await handler(ctx, '');
      },
      lang: (ctx, action) => language(ctx, action.choiceId ?? ''),
      privacy: async (ctx, action) => {
        if (action.stepId === 'forget') return forgetMe(ctx);
        if (action.stepId === 'confirm') return forgetConfirmed(ctx);
        await ctx.io.update(textMessage(ctx.t('common.forget.cancelled')));
      },
    },
  };
}
