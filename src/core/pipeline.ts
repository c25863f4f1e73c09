/**
 * The turn pipeline: an accepted event → pseudonym → the person's turn lock → language → addresses → the route
 * table (command, button, dialog answer, message) → a feature. Errors stop here: logged by code and frames, the
 * person gets a friendly message in their language.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { KeyedHash, PersonResolver, Pseudonymizer } from '../crypto/pseudonym.js';
import { createDialogRunner, type DialogInput, type DialogRunner } from '../dialog/runner.js';
import { DIALOG_FEATURE, textMessage } from '../dialog/render.js';
import type { DialogDefinition } from '../dialog/schema.js';
import { StoreError, stackFrames, toBotError } from '../errors.js';
import type { InboxEvent } from './inbox.js';
import type { Translator } from '../i18n/translator.js';
import { HOUR_MS } from '../lib/time.js';
import type { InboundEvent, Locale, Platform, TurnIO, UserRef } from '../message/types.js';
import type { Metrics } from '../metrics.js';
import type { AddressBook } from '../outbound/address-book.js';
import type { KeyValueStore } from '../store/store.js';
import {
  action,
  type ActionInput,
  type Audience,
  CORE_FEATURE,
  commandRoute,
  type Feature,
  type TurnContext,
} from './context.js';
import { createPersonLock } from './person-lock.js';
import { loadPrefs } from './prefs.js';
import { createRouteTable, type RouteTable } from './route-table.js';

export interface PipelineDeps {
  config: Config;
  log: Logger;
  store: KeyValueStore;
  translator: Translator;
  dialogs: ReadonlyMap<string, DialogDefinition>;
  features: readonly Feature[];
  pseudonymize: Pseudonymizer;
  /** During a PSEUDONYM_KEY rotation: the current pseudonym, once older data moved there (src/core/rekey.ts). */
  resolvePerson?: PersonResolver;
  hash: KeyedHash;
  book: AddressBook;
  metrics?: Metrics;
  now?: () => number;
  /** Called when a turn is over, unless the store failed it: the inbox then drops what it kept for recovery. */
  finish?: (platform: Platform, eventId: string) => Promise<void>;
  /** "Vergeet mij": the inbox drops the person's unfinished recorded work, except the asking event's own. */
  forgetPending?: (user: UserRef, asking: InboxEvent) => Promise<number>;
  /** May this person use something meant for `audience`? Everyone may use what is for everyone. */
  authorize?: (ctx: TurnContext, audience: Audience) => Promise<boolean>;
}

/** The core as the composition root and adapters see it. */
export interface Pipeline {
  readonly table: RouteTable;
  readonly runner: DialogRunner<TurnContext>;
  /** Run the turn of an accepted event. */
  handle(event: InboundEvent, io: TurnIO): Promise<void>;
  /**
   * Resolves when every turn in flight has finished, or once `timeoutMs` has passed; with how many were still
   * running then (they stay recorded in the inbox and are finished after a restart).
   */
  drain(timeoutMs?: number): Promise<number>;
}

/** A person's 1:1 address is written again at most this often while they are active (it carries an expiry). */
const ADDRESS_REFRESH_MS = HOUR_MS;
const ADDRESS_REFRESH_MEMORY = 10_000;

const DialogData = z.object({ d: z.string().min(1), s: z.string().min(1), t: z.coerce.number().int().min(0) }).strict();
const CommandData = z.object({ name: z.string().min(1), args: z.string().max(100).optional() }).strict();

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { store, translator, log, book } = deps;
  const now = deps.now ?? Date.now;
  const lock = createPersonLock();
  const inFlight = new Set<Promise<void>>();
  const refreshed = new Map<string, number>();
  // One child logger per platform and kind of event (a handful), not one per event: its bindings are the same.
  const eventLoggers = new Map<string, Logger>();
  const loggerFor = (event: InboundEvent): Logger => {
    const id = `${event.platform}:${event.kind}`;
    let child = eventLoggers.get(id);
    if (!child) {
      child = log.child({ platform: event.platform, kind: event.kind });
      eventLoggers.set(id, child);
    }
    return child;
  };

  const runner = createDialogRunner<TurnContext>({
    dialogs: deps.dialogs,
    onDone: async (ctx, state) => {
      const owner = table.dialog(state.dialogId);
      if (owner) await owner.onDone(ctx, state);
      else await ctx.io.send(textMessage(ctx.t('common.done')));
    },
    restartRoute: (dialogId) => {
      const name = table.dialog(dialogId)?.command;
      return name ? commandRoute(name) : undefined;
    },
    admit: async (ctx, dialogId, moment) => (await table.dialog(dialogId)?.admit?.(ctx, moment)) ?? true,
    textVars: (ctx) => ({ noteDays: ctx.config.noteRetentionDays }),
  });

  const dialogVerb = (verb: 'answer' | 'back' | 'stop') =>
    action(DialogData, (ctx, data, input: ActionInput) => runner.onAction(ctx, verb, data, input as DialogInput));
  const coreFeatures: Feature[] = [
    {
      id: DIALOG_FEATURE,
      actions: { answer: dialogVerb('answer'), back: dialogVerb('back'), stop: dialogVerb('stop') },
    },
    {
      id: CORE_FEATURE,
      actions: { command: action(CommandData, (ctx, data) => ctx.runCommand(data.name, data.args ?? '')) },
    },
  ];
  const table = createRouteTable([...coreFeatures, ...deps.features]);
  const allowed = (ctx: TurnContext, audience: Audience | undefined) =>
    (audience ?? 'everyone') === 'everyone' ? Promise.resolve(true) : (deps.authorize?.(ctx, audience!) ?? false);

  /** One friendly answer for a button whose route is unknown, outdated or not for this person: and what next. */
  const notActive = async (ctx: TurnContext): Promise<void> => {
    const text = ctx.t('errors.unknownAction');
    await ctx.io.send({
      text,
      blocks: [
        { type: 'text', text, tone: 'muted' },
        { type: 'buttons', buttons: [{ label: ctx.t('common.buttons.help'), route: commandRoute('help') }] },
      ],
    });
  };

  async function runCommand(ctx: TurnContext, name: string, args: string): Promise<void> {
    const spec = table.command(name);
    if (!spec) return notActive(ctx);
    if (!(await allowed(ctx, spec.audience))) {
      await ctx.io.send(textMessage(ctx.t('errors.notAllowed'), 'muted'));
      return;
    }
    for (const feature of table.features) if (feature.beforeCommand) await feature.beforeCommand(ctx, name);
    await spec.run(ctx, args);
  }

  /** Text that is no command: an answer to the open question, a feature's, or the fallback (help). */
  async function onText(ctx: TurnContext, text: string): Promise<void> {
    // In a shared channel only commands count: answers belong in the private chat.
    if (ctx.event.conversation.isDirect && (await runner.onText(ctx, text))) return;
    for (const feature of table.features) if (feature.onMessage && (await feature.onMessage(ctx, text))) return;
    if (table.command('help')) await runCommand(ctx, 'help', 'unknown');
    else await ctx.io.send(textMessage(ctx.t('common.notUnderstood')));
  }

  async function dispatch(ctx: TurnContext): Promise<void> {
    const { event } = ctx;
    switch (event.kind) {
      case 'install':
        // A channel the app was added to can receive announcements. A person is only remembered when they opt in
        // to something that writes to them later (a feature calls ctx.rememberAddress), never for merely chatting.
        if (!event.conversation.isDirect) await book.rememberChannel(event.conversation);
        for (const feature of table.features) if (feature.onInstall) await feature.onInstall(ctx);
        return;
      case 'uninstall':
        // A removal from one person's chat forgets that address; a workspace or team removal all of its own.
        if (event.conversation.isDirect) await book.forget(book.personAddress(event.platform, ctx.person));
        else if (event.conversation.conversationId === '')
          await book.forgetInstallation(event.platform, event.user.tenantId);
        else await book.forget(book.channelAddress(event.platform, event.conversation.conversationId));
        for (const feature of table.features) if (feature.onUninstall) await feature.onUninstall(ctx);
        return;
      case 'action': {
        const resolved = table.resolve(event.action.route);
        if (!resolved) return notActive(ctx);
        if (!(await allowed(ctx, resolved.spec.audience))) {
          await ctx.io.send(textMessage(ctx.t('errors.notAllowed'), 'muted'));
          return;
        }
        const { choice, values, text, fields } = event.action;
        return resolved.spec.run(ctx, resolved.data, { choice, values, text, fields });
      }
      case 'command': {
        const parsed = table.parseCommand(event.text);
        if (!parsed) return runCommand(ctx, 'help', event.text.trim() === '' ? '' : 'unknown');
        return runCommand(ctx, parsed.name, parsed.args);
      }
      case 'message': {
        const parsed = table.parseCommand(event.text);
        if (parsed) return runCommand(ctx, parsed.name, parsed.args);
        return onText(ctx, event.text);
      }
    }
  }

  /**
   * The person's own choice, else the deployment's default (Dutch). What a client reports (an English Teams, the
   * playground) does not count: the audience is Dutch local government, so Dutch comes first until the person
   * picks English (one tap on the welcome, remembered).
   */
  async function localeFor(person: string): Promise<Locale> {
    const prefs = await loadPrefs(store, person);
    return prefs?.locale ?? deps.config.defaultLocale;
  }

  /**
   * A person the bot may write to (they opted in) and who is active in their 1:1 chat: keep their address fresh
   * (a new expiry; a Teams serviceUrl may have changed). At most hourly per person in this process.
   */
  async function refreshAddress(person: string, event: InboundEvent): Promise<void> {
    if (!event.conversation.isDirect || event.kind === 'install' || event.kind === 'uninstall') return;
    const last = refreshed.get(person);
    if (last !== undefined && now() - last < ADDRESS_REFRESH_MS) return;
    if (refreshed.size >= ADDRESS_REFRESH_MEMORY) refreshed.clear();
    refreshed.set(person, now());
    const known = await book.lookup(book.personAddress(event.platform, person));
    if (known.ok) await book.rememberPerson(person, event.user, event.conversation);
  }

  async function handle(event: InboundEvent, io: TurnIO): Promise<void> {
    const started = now();
    const eventLog = loggerFor(event);
    let outcome = 'ok';
    let locale: Locale = deps.config.defaultLocale;
    try {
      const person = deps.resolvePerson ? await deps.resolvePerson(event.user) : deps.pseudonymize(event.user);
      await lock(person, async () => {
        locale = await localeFor(person);
        await refreshAddress(person, event);
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
          dialogs: runner,
          hash: deps.hash,
          features: table.features,
          rememberAddress: () =>
            book.rememberPerson(person, event.user, event.conversation.isDirect ? event.conversation : undefined),
          forgetAddress: async () => {
            refreshed.delete(person);
            return book.forgetPerson(person, event.platform, event.user.tenantId);
          },
          forgetPendingWork: async () =>
            (await deps.forgetPending?.(event.user, { platform: event.platform, eventId: event.id })) ?? 0,
          runCommand: (name, args = '') => runCommand(ctx, name, args),
        };
        await dispatch(ctx);
      });
    } catch (error) {
      // A turn the store failed stays recorded: recovery runs it again once the store works.
      outcome = error instanceof StoreError ? 'store-error' : 'error';
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
      if (outcome !== 'store-error') {
        await deps.finish?.(event.platform, event.id).catch((error: unknown) => {
          eventLog.warn({ err: error }, 'could not mark the event finished; recovery will look at it again');
        });
      }
      deps.metrics?.eventsTotal.inc({ platform: event.platform, kind: event.kind, outcome });
      deps.metrics?.eventDuration.observe({ platform: event.platform }, (now() - started) / 1000);
      // Counts and durations are in the metrics; the log keeps what went wrong (a line per event at info would cost
      // a busy workspace more than the turn itself).
      if (outcome === 'ok') eventLog.debug({ outcome, ms: now() - started }, 'event handled');
      else eventLog.info({ outcome, ms: now() - started }, 'event handled');
    }
  }

  return {
    table,
    runner,
    handle(event, io) {
      const turn = handle(event, io);
      inFlight.add(turn);
      return turn.finally(() => inFlight.delete(turn));
    },
    async drain(timeoutMs = Number.POSITIVE_INFINITY) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight.size > 0 && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        const left = new Promise<void>((done) => {
          timer = setTimeout(done, Math.max(0, Math.min(deadline - Date.now(), 2 ** 31 - 1)));
        });
        await Promise.race([Promise.allSettled([...inFlight]), left]);
        clearTimeout(timer);
      }
      return inFlight.size;
    },
  };
}

/** Stamp every message with the turn's language, so adapters can label their own controls. */
function withLocale(io: TurnIO, locale: Locale): TurnIO {
  return {
    send: (message, options) => io.send({ ...message, locale: message.locale ?? locale }, options),
    update: (message, target) => io.update({ ...message, locale: message.locale ?? locale }, target),
    remove: (ref) => io.remove(ref),
  };
}
