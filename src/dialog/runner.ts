import type { Block, InboundEvent, MessageVars, OutboundMessage, Route, Translate, TurnIO } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';
import { advance, askAgain } from './engine.js';
import { createLiveCards, replaceCard } from './live-card.js';
import { choiceLabels, type DialogVerb, renderInactive, renderOutputs, rejectionText, textMessage } from './render.js';
import type { DialogDefinition } from './schema.js';
import { answerInput, createRunClock, textToAnswer } from './runner-input.js';
import type { DialogState, EngineInput, EngineOutput, EngineResult } from './types.js';

/** What the runner needs of a turn; the core's TurnContext has all of it. */
export interface DialogTurn {
  readonly event: Pick<InboundEvent, 'conversation' | 'replayed' | 'platform'>;
  readonly io: TurnIO;
  /** The person's pseudonym: dialog state is stored under it. */
  readonly person: string;
  readonly t: Translate;
  readonly store: KeyValueStore;
  /** ms since epoch, fixed for the turn. */
  readonly now: number;
}

/** The data a dialog control carries (see dialogRoute): dialog, step and turn. */
export interface DialogRouteData {
  d: string;
  s: string;
  t: number;
}

/** What the person picked or typed in the control. */
export interface DialogInput {
  choice?: string;
  values?: string[];
  text?: string;
}

/** Called when a dialog ends with status `done`; the state is deleted afterwards. */
export type DialogDoneHandler<C extends DialogTurn> = (
  ctx: C,
  state: DialogState,
  def: DialogDefinition,
) => Promise<void>;

export interface DialogRunnerDeps<C extends DialogTurn> {
  dialogs: ReadonlyMap<string, DialogDefinition>;
  onDone: DialogDoneHandler<C>;
  /** The button that starts a dialog again (its owner's command), offered when a dialog is gone. */
  restartRoute?: (dialogId: string) => Route | undefined;
  /**
   * May the person take part now? Asked before a dialog starts and before any of its controls or a typed answer
   * is taken. False means the owner has told the person why, and nothing is stored (a dialog that needs consent).
   */
  admit?: (ctx: C, dialogId: string, moment: AdmitMoment) => Promise<boolean>;
  /** Values dialog texts may name (how long a note is kept), filled into hints. */
  textVars?: (ctx: C) => MessageVars;
}

/** When a dialog's owner is asked to admit a person: at the start, or for an answer (also back and stop). */
export type AdmitMoment = 'start' | 'answer';

/** Runs dialogs for one person per turn: loads state, advances the pure engine, stores state, answers. */
export interface DialogRunner<C extends DialogTurn = DialogTurn> {
  start(ctx: C, dialogId: string): Promise<void>;
  /** The person's running dialog, if any (expired or outdated states count as none). */
  active(ctx: C): Promise<DialogState | undefined>;
  /** Send the open question again (after a restart, or "help" during a dialog). False when none is open. */
  resume(ctx: C, state?: DialogState): Promise<boolean>;
  /**
   * Point at the open question in one short line (text key `key`, with `{current}`), without posting it again.
   * False when no dialog is open.
   */
  remind(ctx: C, key: string): Promise<boolean>;
  /** The open question's card loses its buttons and says `key` (before "vergeet mij" deletes the dialog). */
  retireCard(ctx: C, key: string): Promise<void>;
  /** A dialog control was used. */
  onAction(ctx: C, verb: DialogVerb, data: DialogRouteData, input: DialogInput): Promise<void>;
  /** Free text while a dialog is open. False when no dialog is open (the caller answers instead). */
  onText(ctx: C, text: string): Promise<boolean>;
  back(ctx: C): Promise<void>;
  stop(ctx: C): Promise<void>;
}

/** Where a person's running dialog is stored. One key per person: starting a dialog replaces the running one. */
export const dialogKey = (person: string): string => `dialog:${person}`;

/** Answers in a shared channel never show there: they go to the person's private chat. */
const privately = (ctx: DialogTurn): { direct: boolean } => ({ direct: !ctx.event.conversation.isDirect });

type Ask = Extract<EngineOutput, { kind: 'ask' }>;

/** A loaded dialog with the version its stored state had (for compare-and-set). */
interface Loaded {
  state: DialogState;
  version: number;
}

/** How the input arrived: a control on the live card (it is updated in place), or typed text. */
interface Via {
  action: boolean;
  inputLength?: number;
  selected?: string[];
}

export function createDialogRunner<C extends DialogTurn>(deps: DialogRunnerDeps<C>): DialogRunner<C> {
  const { dialogs } = deps;
  const runClock = createRunClock();
  const admitted = (ctx: C, dialogId: string, moment: AdmitMoment): Promise<boolean> =>
    deps.admit ? deps.admit(ctx, dialogId, moment) : Promise.resolve(true);

  const loadVersioned = async (ctx: C): Promise<{ state?: DialogState; version: number }> => {
    const { value, version } = await ctx.store.getVersioned<DialogState>(dialogKey(ctx.person));
    return { state: value?.status === 'active' ? value : undefined, version };
  };

  const load = async (ctx: C): Promise<Loaded | undefined> => {
    const { state, version } = await loadVersioned(ctx);
    return state ? { state, version } : undefined;
  };

  /**
   * Store the state only if nobody changed it since it was read: one answer per question, also when two clicks
   * race on two replicas, and a "vergeet mij" in between is never undone by a late answer. False when it lost.
   */
  const save = async (ctx: C, state: DialogState, version: number): Promise<boolean> => {
    const key = dialogKey(ctx.person);
    if (state.status !== 'active') return ctx.store.compareAndSet(key, version, undefined);
    const stored = ctx.store.compareAndSet(key, version, state, Math.max(1, state.expiresAt - ctx.now));
    if (version > 0) return stored;
    // The first write is indexed under the person, issued first and in the same commit (SQLite), so a crash never
    // leaves person data that "vergeet mij" cannot find.
    const [, won] = await Promise.all([ctx.store.track(ctx.person, key), stored]);
    return won;
  };

  const cards = (ctx: C) => createLiveCards(ctx.store);

  /** Send a question card as a new message; the card it replaces loses its buttons and says `status`. */
  const sendQuestion = async (ctx: C, message: OutboundMessage, state: DialogState, retired?: OutboundMessage) => {
    const live = cards(ctx);
    const previous = await live.get(ctx.person);
    if (retired) await replaceCard(ctx.io, previous, retired);
    const ref = await ctx.io.send(message, privately(ctx));
    await live.remember(ctx.person, ref, ctx.now, state.expiresAt);
  };

  /** The live card of the dialog, with no buttons left: it says what became of the question. */
  const retire = async (ctx: C, def: DialogDefinition, before: DialogState, status: string) => {
    const ask = askAgain(def, before);
    if (!ask) return;
    await replaceCard(ctx.io, await cards(ctx).get(ctx.person), renderInactive(def, ask, ctx.t, status));
  };

  /** A refusal: the hint goes on the live card; typed text also gets one short line at the bottom of the chat. */
  const refuse = async (ctx: C, def: DialogDefinition, state: DialogState, rejection: EngineOutput, via: Via) => {
    if (rejection.kind !== 'rejected') return;
    const ask = askAgain(def, state);
    const render = (outputs: EngineOutput[]) =>
      renderOutputs(def, state, outputs, ctx.t, {
        platform: ctx.event.platform,
        vars: deps.textVars?.(ctx),
        inputLength: via.inputLength,
        selected: via.selected,
      });
    const card = render(ask ? [rejection, ask] : [rejection]);
    if (!card) return;
    if (via.action) return ctx.io.update(card);
    const live = await cards(ctx).get(ctx.person);
    if (!live || !ask) return sendQuestion(ctx, card, state);
    await replaceCard(ctx.io, live, card);
    // Free text where a choice was expected: point at the question instead of posting it again.
    const line =
      rejection.reason === 'choice_expected'
        ? ctx.t(`common.pointer.${ctx.event.platform}`, { current: ask.current })
        : rejectionText(rejection.reason, ctx.t, ctx.event.platform, {
            limit: rejection.limit,
            length: via.inputLength,
          });
    await ctx.io.send(textMessage(line, 'muted'), privately(ctx));
  };

  /** Apply an engine result: store it, then show what changed. Via a control, the clicked card changes in place. */
  const apply = async (ctx: C, def: DialogDefinition, before: Loaded, result: EngineResult, via: Via) => {
    const rejection = result.outputs.find((o) => o.kind === 'rejected');
    if (!result.changed) {
      if (rejection?.kind !== 'rejected') return;
      // Run again after a crash, and the answer was stored before it: show where the person is now — on the
      // clicked card itself when the click came from one.
      if (rejection.reason === 'stale' && ctx.event.replayed) {
        const ask = via.action ? askAgain(def, before.state) : undefined;
        const open =
          ask &&
          renderOutputs(def, before.state, [ask], ctx.t, { platform: ctx.event.platform, vars: deps.textVars?.(ctx) });
        return open ? ctx.io.update(open) : showOpenQuestion(ctx, def, before.state);
      }
      if (['not_active', 'expired', 'version_changed'].includes(rejection.reason)) {
        await ctx.store.compareAndSet(dialogKey(ctx.person), before.version, undefined);
        await cards(ctx).clear(ctx.person);
        return sendGone(ctx, before.state.dialogId, rejection.reason);
      }
      if (rejection.reason === 'stale') {
        await ctx.io.send(textMessage(ctx.t('errors.stale'), 'muted'), privately(ctx));
        return;
      }
      return refuse(ctx, def, before.state, rejection, via);
    }
    if (!(await save(ctx, result.state, before.version))) {
      await ctx.io.send(textMessage(ctx.t('errors.duplicate'), 'muted'), privately(ctx));
      return;
    }
    const ended = result.outputs.find((o) => o.kind === 'done' || o.kind === 'stopped');
    const answered = before.state.stepId;
    // What the card that was live says now: answered (the answer itself is not repeated: answers can be political
    // opinions, and the card stays on the screen), or, after "terug", that the dialog moved on.
    const summary =
      answered && result.state.history.length > before.state.history.length
        ? ctx.t('common.card.answered')
        : ctx.t('common.card.moved');
    if (ended) {
      const stopped = ended.kind === 'stopped';
      const closing = stopped
        ? goneMessage(ctx, result.state.dialogId, 'common.stopped')
        : textMessage(ctx.t('common.answersReceived'), 'muted');
      if (via.action) await ctx.io.update(closing);
      else {
        await retire(ctx, def, before.state, stopped ? ctx.t('common.card.stopped') : summary);
        if (stopped) await ctx.io.send(closing, privately(ctx));
      }
      await cards(ctx).clear(ctx.person);
      if (ended.kind === 'done') await deps.onDone(ctx, result.state, def);
      return;
    }
    const message = renderOutputs(def, result.state, result.outputs, ctx.t, {
      platform: ctx.event.platform,
      vars: deps.textVars?.(ctx),
    });
    if (!message) return;
    if (via.action) return ctx.io.update(message);
    // Typed: the answered card keeps the question and the answer, without buttons; the next question is new.
    const retired = askAgain(def, before.state);
    await sendQuestion(ctx, message, result.state, retired && renderInactive(def, retired, ctx.t, summary));
  };

  /** A line about a dialog that is over, with the button that starts it again where its owner offers one. */
  const goneMessage = (ctx: C, dialogId: string, key: string): OutboundMessage => {
    const text = ctx.t(key);
    const blocks: Block[] = [{ type: 'text', text }];
    const route = deps.restartRoute?.(dialogId);
    if (route) blocks.push({ type: 'buttons', buttons: [{ label: ctx.t('common.buttons.restart'), route }] });
    return { text, blocks };
  };

  const GONE_KEYS: Readonly<Record<string, string>> = {
    expired: 'errors.expired',
    version_changed: 'errors.versionChanged',
  };
  const sendGone = async (ctx: C, dialogId: string, reason: string) => {
    await ctx.io.send(goneMessage(ctx, dialogId, GONE_KEYS[reason] ?? 'errors.notActive'), privately(ctx));
  };

  const withActive = async (
    ctx: C,
    work: (def: DialogDefinition, loaded: Loaded) => Promise<void>,
  ): Promise<boolean> => {
    const loaded = await load(ctx);
    const def = loaded && dialogs.get(loaded.state.dialogId);
    if (!loaded || !def) return false;
    await work(def, loaded);
    return true;
  };

  /** The open question as a new card at the bottom of the chat; the card it was on says it moved. */
  const showOpenQuestion = async (ctx: C, def: DialogDefinition, state: DialogState): Promise<void> => {
    const ask: Ask | undefined = askAgain(def, state);
    const message =
      ask && renderOutputs(def, state, [ask], ctx.t, { platform: ctx.event.platform, vars: deps.textVars?.(ctx) });
    if (!ask || !message) return;
    await sendQuestion(ctx, message, state, renderInactive(def, ask, ctx.t, ctx.t('common.card.moved')));
  };

  return {
    async start(ctx, dialogId) {
      const def = dialogs.get(dialogId);
      if (!def) throw new Error(`unknown dialog ${dialogId}`);
      if (!(await admitted(ctx, dialogId, 'start'))) return;
      const result = advance(def, undefined, { type: 'start', now: runClock(ctx.now) });
      // A new check-in replaces a running one; a concurrent change in between is simply read again.
      let replaced: DialogState | undefined;
      for (let attempt = 0; ; attempt += 1) {
        const { value, version } = await ctx.store.getVersioned<DialogState>(dialogKey(ctx.person));
        replaced = value?.status === 'active' ? value : undefined;
        if (await save(ctx, result.state, version)) break;
        if (attempt >= 2) throw new Error('dialog state keeps changing');
      }
      const replacedDef = replaced && dialogs.get(replaced.dialogId);
      if (replaced && replacedDef) await retire(ctx, replacedDef, replaced, ctx.t('common.card.replaced'));
      const message = renderOutputs(def, result.state, result.outputs, ctx.t, {
        platform: ctx.event.platform,
        vars: deps.textVars?.(ctx),
      });
      // Answers never show in a shared channel: say so there, and ask in the private chat.
      if (!ctx.event.conversation.isDirect) await ctx.io.send(textMessage(ctx.t('common.movedToDirect'), 'muted'));
      if (message) {
        const ref = await ctx.io.send(message, privately(ctx));
        await cards(ctx).remember(ctx.person, ref, ctx.now, result.state.expiresAt);
      }
    },

    active: async (ctx) => (await load(ctx))?.state,

    async resume(ctx, known) {
      // A caller that already loaded the state (help, welcome) passes it in: no second read.
      const def = known && dialogs.get(known.dialogId);
      if (!known || !def) return withActive(ctx, (d, loaded) => showOpenQuestion(ctx, d, loaded.state));
      await showOpenQuestion(ctx, def, known);
      return true;
    },

    async remind(ctx, key) {
      return withActive(ctx, async (def, loaded) => {
        const ask = askAgain(def, loaded.state);
        await ctx.io.send(textMessage(ctx.t(key, { current: ask?.current ?? 0 })), privately(ctx));
      });
    },

    async retireCard(ctx, key) {
      await withActive(ctx, (def, loaded) => retire(ctx, def, loaded.state, ctx.t(key)));
    },

    async onAction(ctx, verb, data, input) {
      const def = dialogs.get(data.d);
      // Before anything is read or stored: a person who withdrew gets the owner's explanation, not an error.
      if (def && !(await admitted(ctx, data.d, 'answer'))) return;
      const loaded = await load(ctx);
      if (!def || !loaded || loaded.state.dialogId !== data.d) return sendGone(ctx, data.d, 'not_active');
      // Navigation buttons carry the turn too: an old "terug" must not undo a newer answer.
      if (verb !== 'answer' && data.t !== loaded.state.turn) {
        await ctx.io.send(textMessage(ctx.t('errors.stale'), 'muted'), privately(ctx));
        return;
      }
      const engineInput: EngineInput =
        verb === 'back'
          ? { type: 'back', now: ctx.now }
          : verb === 'stop'
            ? { type: 'stop', now: ctx.now }
            : answerInput(def, data, input, ctx.now);
      await apply(ctx, def, loaded, advance(def, loaded.state, engineInput), {
        action: true,
        inputLength: input.text?.length ?? 0,
        selected: input.values,
      });
    },

    async onText(ctx, text) {
      return withActive(ctx, async (def, loaded) => {
        if (!(await admitted(ctx, def.id, 'answer'))) return;
        const step = def.steps.find((s) => s.id === loaded.state.stepId);
        if (step?.kind === 'text' && ctx.event.platform === 'slack') {
          // A typed message stays in Slack's history, where the workspace can read and export it: a text answer
          // is only taken from the window the question's button opens. Nothing of the typed text is kept.
          await ctx.io.send(textMessage(ctx.t('errors.typeInWindow.slack'), 'muted'), privately(ctx));
          return;
        }
        await apply(ctx, def, loaded, advance(def, loaded.state, textToAnswer(def, loaded.state, text, ctx)), {
          action: false,
          inputLength: text.length,
        });
      });
    },

    async back(ctx) {
      const handled = await withActive(ctx, (def, loaded) =>
        apply(ctx, def, loaded, advance(def, loaded.state, { type: 'back', now: ctx.now }), { action: false }),
      );
      if (!handled) await ctx.io.send(textMessage(ctx.t('errors.nothingToUndo'), 'muted'), privately(ctx));
    },

    async stop(ctx) {
      const handled = await withActive(ctx, (def, loaded) =>
        apply(ctx, def, loaded, advance(def, loaded.state, { type: 'stop', now: ctx.now }), { action: false }),
      );
      if (!handled) await ctx.io.send(textMessage(ctx.t('common.nothingToStop'), 'muted'), privately(ctx));
      // "stop" erases the answers given so far: out of the database journal too.
      else await ctx.store.checkpoint?.();
    },
  };
}
