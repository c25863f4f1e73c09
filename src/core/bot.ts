import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { stackFrames, toBotError } from '../errors.js';
import type { Translator } from '../i18n/translator.js';
import type { Metrics } from '../metrics.js';
import type { Pseudonymizer } from '../privacy/pseudonym.js';
import { DEDUPE_TTL_MS, keys } from '../store/keys.js';
import type { KeyValueStore } from '../store/store.js';
import type { DialogDefinition } from '../dialog/schema.js';
import { createDialogRunner, type DialogRunner } from '../dialog/runner.js';
import { textMessage } from '../dialog/render.js';
import { createCoreFeature } from './core-feature.js';
import type { CommandName, Feature, TurnContext } from './context.js';
import { findHandler } from './find-handler.js';
import { createPersonLock } from './person-lock.js';
import { parseCommand } from './router.js';
import type { ActionPayload, InboundEvent, InboundSink, Locale, TurnIO } from './types.js';

export interface BotDeps {
  config: Config;
  log: Logger;
  store: KeyValueStore;
  translator: Translator;
  dialogs: ReadonlyMap<string, DialogDefinition>;
  pseudonymize: Pseudonymizer;
  /** Product features (check-in, learning, …), asked in order. The core's own commands come last. */
  features?: Feature[];
  metrics?: Metrics;
  now?: () => number;
}

/** The platform-neutral bot: adapters hand it events through `sink`. */
export interface Bot {
  readonly sink: InboundSink;
  readonly runner: DialogRunner;
  /** Resolves when every turn in flight has finished (graceful shutdown). */
  drain(): Promise<void>;
}

/** Preferences a person chose; stored under keys.prefs. */
export interface Prefs {
  locale?: Locale;
}

export function createBot(deps: BotDeps): Bot {
  const { store, translator, log } = deps;
  const now = deps.now ?? Date.now;
  const lock = createPersonLock();
  const inFlight = new Set<Promise<void>>();
  const retentionMs = deps.config.retentionDays * 24 * 60 * 60 * 1000;

  const features: Feature[] = [];
  const runner = createDialogRunner({
    dialogs: deps.dialogs,
    onDone: async (ctx, state) => {
      const handler = findHandler(features, 'onDialogDone', state.dialogId);
      if (handler) await handler(ctx, state);
      else await ctx.io.send(textMessage(ctx.t('common.done')));
    },
  });
  features.push(...(deps.features ?? []), createCoreFeature({ runner, features, retentionMs }));

  const commandHandler = (name: CommandName) => findHandler(features, 'commands', name);
  const actionHandler = (namespace: string) => findHandler(features, 'actions', namespace);

  async function runCommand(ctx: TurnContext, name: CommandName, args: string): Promise<void> {
    const handler = commandHandler(name);
    if (handler) await handler(ctx, args);
  }

  async function onAction(ctx: TurnContext, action: ActionPayload): Promise<void> {
    if (deps.dialogs.has(action.dialogId)) return runner.onAction(ctx, action);
    const handler = actionHandler(action.dialogId);
    if (handler) return handler(ctx, action);
    await ctx.io.send(textMessage(ctx.t('errors.unknownAction'), 'muted'));
  }

  async function dispatch(ctx: TurnContext): Promise<void> {
    const { event } = ctx;
    switch (event.kind) {
      case 'install':
        // Installing again makes a person reachable for proactive messages again.
        await ctx.store.delete(keys.unreachable(ctx.person));
        return runCommand(ctx, 'help', 'welcome');
      case 'uninstall':
        return;
      case 'action':
        return onAction(ctx, event.action);
      case 'command': {
        const parsed = parseCommand(event.text);
        if (!parsed) return runCommand(ctx, 'help', event.text.trim() === '' ? '' : 'unknown');
        return runCommand(ctx, parsed.name, parsed.args);
      }
      case 'message': {
        const parsed = parseCommand(event.text);
        if (parsed) return runCommand(ctx, parsed.name, parsed.args);
        // In a shared channel only commands count: answers belong in the private chat.
        if (event.conversation.isDirect && (await runner.onText(ctx, event.text))) return;
        return runCommand(ctx, 'help', 'unknown');
      }
    }
  }

  async function localeFor(person: string, event: InboundEvent): Promise<Locale> {
    const prefs = await store.get<Prefs>(keys.prefs(person));
    return prefs?.locale ?? (event.locale ? translator.resolveLocale(event.locale) : deps.config.defaultLocale);
  }

  async function handle(event: InboundEvent, io: TurnIO): Promise<void> {
    const started = now();
    const eventLog = log.child({ platform: event.platform, kind: event.kind, eventId: event.id });
    let outcome = 'ok';
    let locale: Locale = deps.config.defaultLocale;
    try {
      if (!(await store.claim(keys.event(event.platform, event.id), DEDUPE_TTL_MS))) {
        outcome = 'duplicate';
        deps.metrics?.dedupeHitsTotal.inc({ platform: event.platform });
        eventLog.debug('duplicate event ignored');
        return;
      }
      const person = deps.pseudonymize(event.user);
      await lock(person, async () => {
        locale = await localeFor(person, event);
        const ctx: TurnContext = {
          event,
          io: withLocale(io, locale),
          person,
          locale,
          t: translator.bind(locale),
          store,
          log: eventLog,
          config: deps.config,
          now: now(),
          startDialog: (dialogId) => runner.start(ctx, dialogId),
        };
        await dispatch(ctx);
      });
    } catch (error) {
      outcome = 'error';
      const botError = toBotError(error);
      // Only the code and the stack: messages of foreign errors may echo user text.
      eventLog.error(
        {
          code: botError.code,
          errName: error instanceof Error ? error.name : typeof error,
          frames: stackFrames(error),
        },
        'turn failed',
      );
      try {
        await io.send(textMessage(translator.t(locale, 'errors.generic'), 'warning'));
      } catch {
        eventLog.warn('could not send the error message');
      }
    } finally {
      deps.metrics?.eventsTotal.inc({ platform: event.platform, kind: event.kind, outcome });
      deps.metrics?.eventDuration.observe({ platform: event.platform }, (now() - started) / 1000);
      eventLog.info({ outcome, ms: now() - started }, 'event handled');
    }
  }

  const sink: InboundSink = (event, io) => {
    const turn = handle(event, io);
    inFlight.add(turn);
    return turn.finally(() => inFlight.delete(turn));
  };

  return {
    sink,
    runner,
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** Stamp every message with the turn's language, so adapters can label their own controls. */
function withLocale(io: TurnIO, locale: Locale): TurnIO {
  return {
    send: (message, options) => io.send({ ...message, locale: message.locale ?? locale }, options),
    update: (message) => io.update({ ...message, locale: message.locale ?? locale }),
    remove: (ref) => io.remove(ref),
  };
}

/** Store the person's preferences with the retention period, tracked for "vergeet mij". */
export async function savePrefs(ctx: TurnContext, prefs: Prefs, retentionMs: number): Promise<void> {
  const key = keys.prefs(ctx.person);
  // Index first: a crash between the two writes must never leave person data that "vergeet mij" cannot find.
  await ctx.store.track(ctx.person, key);
  await ctx.store.set(key, prefs, retentionMs);
}
