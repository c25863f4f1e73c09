import type { InboundEvent, OutboundMessage, Translate, TurnIO } from '../message/types.js';
import type { KeyValueStore } from '../store/store.js';
import { simplifyLabel } from '../lib/text.js';
import { advance, askAgain } from './engine.js';
import { choiceLabels, renderOutputs, textMessage, type DialogVerb } from './render.js';
import type { DialogDefinition } from './schema.js';
import type { Answer, DialogState, EngineInput, EngineResult } from './types.js';

/** What the runner needs of a turn; the core's TurnContext has all of it. */
export interface DialogTurn {
  readonly event: Pick<InboundEvent, 'conversation' | 'replayed'>;
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
}

/** Runs dialogs for one person per turn: loads state, advances the pure engine, stores state, answers. */
export interface DialogRunner<C extends DialogTurn = DialogTurn> {
  start(ctx: C, dialogId: string): Promise<void>;
  /** The person's running dialog, if any (expired or outdated states count as none). */
  active(ctx: C): Promise<DialogState | undefined>;
  /** Send the open question again (after a restart, or "help" during a dialog). False when none is open. */
  resume(ctx: C, state?: DialogState): Promise<boolean>;
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

/** Typed text → an answer id by label, so "Ja" works like the button. */
function textToAnswer(def: DialogDefinition, state: DialogState, text: string, ctx: DialogTurn): EngineInput {
  const step = def.steps.find((s) => s.id === state.stepId);
  if (step && (step.kind === 'single' || step.kind === 'multi')) {
    const wanted = simplifyLabel(text);
    const match = choiceLabels(def, step, ctx.t).find((c) => simplifyLabel(c.label) === wanted);
    if (match) {
      const value: Answer = step.kind === 'single' ? match.id : [match.id];
      return { type: 'answer', stepId: step.id, turn: state.turn, value, now: ctx.now };
    }
  }
  return { type: 'text', text, now: ctx.now };
}

function answerInput(def: DialogDefinition, data: DialogRouteData, input: DialogInput, now: number): EngineInput {
  const step = def.steps.find((s) => s.id === data.s);
  let value: Answer = null;
  if (step?.kind === 'multi') value = input.values ?? (input.choice ? [input.choice] : []);
  else if (step?.kind === 'scale') value = Number(input.choice ?? input.text);
  else if (step?.kind === 'text')
    value = input.text === undefined || input.text.trim() === '' ? null : { text: input.text };
  else value = input.choice ?? null;
  return { type: 'answer', stepId: data.s, turn: data.t, value, now };
}

/**
 * Start times that differ for every run started in this process, even within one millisecond, so a run stopped
 * and restarted at once is a new run.
 */
function createRunClock(): (now: number) => number {
  let lastMs = 0;
  let sequence = 0;
  return (now) => {
    sequence = now === lastMs ? sequence + 1 : 0;
    lastMs = now;
    return now + Math.min(sequence, 999) / 1000;
  };
}

/** A loaded dialog with the version its stored state had (for compare-and-set). */
interface Loaded {
  state: DialogState;
  version: number;
}

export function createDialogRunner<C extends DialogTurn>(deps: DialogRunnerDeps<C>): DialogRunner<C> {
  const { dialogs } = deps;
  const runClock = createRunClock();

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
    // Index before the first write, so a crash in between never leaves person data that "vergeet mij" cannot find.
    if (version === 0) await ctx.store.track(ctx.person, key);
    return ctx.store.compareAndSet(key, version, state, Math.max(1, state.expiresAt - ctx.now));
  };

  const sendPrivately = async (ctx: C, message: OutboundMessage | undefined): Promise<void> => {
    if (message) await ctx.io.send(message, privately(ctx));
  };

  /** Apply an engine result: store it, then show what changed. `viaAction` updates the clicked message in place. */
  const apply = async (
    ctx: C,
    def: DialogDefinition,
    before: Loaded,
    result: EngineResult,
    viaAction: boolean,
    inputLength = 0,
  ) => {
    const rejection = result.outputs.find((o) => o.kind === 'rejected');
    if (!result.changed) {
      if (rejection?.kind !== 'rejected') return;
      // Run again after a crash, and the answer was stored before it: show where the person is now.
      if (rejection.reason === 'stale' && ctx.event.replayed) return showOpenQuestion(ctx, def, before.state);
      const gone = ['not_active', 'expired', 'version_changed'].includes(rejection.reason);
      if (gone) await ctx.store.compareAndSet(dialogKey(ctx.person), before.version, undefined);
      const again = gone || rejection.reason === 'stale' ? undefined : askAgain(def, before.state);
      await sendPrivately(
        ctx,
        renderOutputs(def, before.state, again ? [rejection, again] : [rejection], ctx.t, inputLength),
      );
      return;
    }
    if (!(await save(ctx, result.state, before.version))) {
      await ctx.io.send(textMessage(ctx.t('errors.duplicate'), 'muted'), privately(ctx));
      return;
    }
    const ended = result.outputs.find((o) => o.kind === 'done' || o.kind === 'stopped');
    if (ended?.kind === 'stopped') {
      const stopped = textMessage(ctx.t('common.stopped'));
      await (viaAction ? ctx.io.update(stopped) : ctx.io.send(stopped, privately(ctx)));
      return;
    }
    if (ended?.kind === 'done') {
      if (viaAction) await ctx.io.update(textMessage(ctx.t('common.answersReceived'), 'muted'));
      else await sendPrivately(ctx, renderOutputs(def, result.state, result.outputs, ctx.t));
      await deps.onDone(ctx, result.state, def);
      return;
    }
    const message = renderOutputs(def, result.state, result.outputs, ctx.t);
    if (message) await (viaAction ? ctx.io.update(message) : ctx.io.send(message, privately(ctx)));
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

  const showOpenQuestion = async (ctx: C, def: DialogDefinition, state: DialogState): Promise<void> => {
    const ask = askAgain(def, state);
    await sendPrivately(ctx, ask && renderOutputs(def, state, [ask], ctx.t));
  };

  return {
    async start(ctx, dialogId) {
      const def = dialogs.get(dialogId);
      if (!def) throw new Error(`unknown dialog ${dialogId}`);
      const result = advance(def, undefined, { type: 'start', now: runClock(ctx.now) });
      // A new check-in replaces a running one; a concurrent change in between is simply read again.
      for (let attempt = 0; ; attempt += 1) {
        const { version } = await ctx.store.getVersioned<DialogState>(dialogKey(ctx.person));
        if (await save(ctx, result.state, version)) break;
        if (attempt >= 2) throw new Error('dialog state keeps changing');
      }
      const message = renderOutputs(def, result.state, result.outputs, ctx.t);
      // Answers never show in a shared channel: say so there, and ask in the private chat.
      const inChannel = !ctx.event.conversation.isDirect;
      if (inChannel) await ctx.io.send(textMessage(ctx.t('common.movedToDirect'), 'muted'));
      if (message) await ctx.io.send(message, { direct: inChannel });
    },

    active: async (ctx) => (await load(ctx))?.state,

    async resume(ctx, known) {
      // A caller that already loaded the state (help, welcome) passes it in: no second read.
      const def = known && dialogs.get(known.dialogId);
      if (!known || !def) return withActive(ctx, (d, loaded) => showOpenQuestion(ctx, d, loaded.state));
      await showOpenQuestion(ctx, def, known);
      return true;
    },

    async onAction(ctx, verb, data, input) {
      const def = dialogs.get(data.d);
      const loaded = await load(ctx);
      if (!def || !loaded || loaded.state.dialogId !== data.d) {
        await ctx.io.send(textMessage(ctx.t('errors.notActive'), 'muted'), privately(ctx));
        return;
      }
      // Navigation buttons carry the turn too: an old "terug" must not undo a newer answer.
      if (verb !== 'answer' && data.t !== loaded.state.turn) {
        await ctx.io.send(textMessage(ctx.t('errors.stale'), 'muted'), privately(ctx));
        return;
      }
      const input2: EngineInput =
        verb === 'back'
          ? { type: 'back', now: ctx.now }
          : verb === 'stop'
            ? { type: 'stop', now: ctx.now }
            : answerInput(def, data, input, ctx.now);
      await apply(ctx, def, loaded, advance(def, loaded.state, input2), true, input.text?.length ?? 0);
    },

    async onText(ctx, text) {
      return withActive(ctx, (def, loaded) =>
        apply(
          ctx,
          def,
          loaded,
          advance(def, loaded.state, textToAnswer(def, loaded.state, text, ctx)),
          false,
          text.length,
        ),
      );
    },

    async back(ctx) {
      const handled = await withActive(ctx, (def, loaded) =>
        apply(ctx, def, loaded, advance(def, loaded.state, { type: 'back', now: ctx.now }), false),
      );
      if (!handled) await ctx.io.send(textMessage(ctx.t('errors.nothingToUndo'), 'muted'), privately(ctx));
    },

    async stop(ctx) {
      const handled = await withActive(ctx, (def, loaded) =>
        apply(ctx, def, loaded, advance(def, loaded.state, { type: 'stop', now: ctx.now }), false),
      );
      if (!handled) await ctx.io.send(textMessage(ctx.t('common.nothingToStop'), 'muted'), privately(ctx));
    },
  };
}
