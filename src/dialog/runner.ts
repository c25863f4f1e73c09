import { privately, type TurnContext } from '../core/context.js';
import type { ActionPayload } from '../core/types.js';
import { keys } from '../store/keys.js';
import { advance, askAgain } from './engine.js';
import { choiceLabels, renderOutputs, textMessage } from './render.js';
import type { DialogDefinition } from './schema.js';
import type { Answer, DialogState, EngineInput, EngineResult } from './types.js';

/** How long the first answer to a turn holds it against a racing second click. */
export const TURN_CLAIM_TTL_MS = 10 * 60 * 1000;

/** Called when a dialog ends with status `done`; the state is deleted afterwards. */
export type DialogDoneHandler = (ctx: TurnContext, state: DialogState, def: DialogDefinition) => Promise<void>;

export interface DialogRunnerDeps {
  dialogs: ReadonlyMap<string, DialogDefinition>;
  onDone: DialogDoneHandler;
}

/** Runs dialogs for one person per turn: loads state, advances the pure engine, stores state, answers. */
export interface DialogRunner {
  start(ctx: TurnContext, dialogId: string): Promise<void>;
  /** The person's running dialog, if any (expired or outdated states count as none). */
  active(ctx: TurnContext): Promise<DialogState | undefined>;
  /** Send the open question again (after a restart, or "help" during a dialog). False when none is open. */
  resume(ctx: TurnContext, state?: DialogState): Promise<boolean>;
  onAction(ctx: TurnContext, action: ActionPayload): Promise<void>;
  /** Free text while a dialog is open. False when no dialog is open (the caller answers instead). */
  onText(ctx: TurnContext, text: string): Promise<boolean>;
  back(ctx: TurnContext): Promise<void>;
  stop(ctx: TurnContext): Promise<void>;
}

/** Typed text → an answer id by label or number, so "Ja" or "2" works like the button. */
function textToAnswer(def: DialogDefinition, state: DialogState, text: string, ctx: TurnContext): EngineInput {
  const step = def.steps.find((s) => s.id === state.stepId);
  const simplify = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  if (step && (step.kind === 'single' || step.kind === 'multi')) {
    const wanted = simplify(text);
    const match = choiceLabels(def, step, ctx.t).find((c) => simplify(c.label) === wanted);
    if (match) {
      const value: Answer = step.kind === 'single' ? match.id : [match.id];
      return { type: 'answer', stepId: step.id, turn: state.turn, value, now: ctx.now };
    }
  }
  return { type: 'text', text, now: ctx.now };
}

function actionToInput(def: DialogDefinition, state: DialogState, action: ActionPayload, now: number): EngineInput {
  if (action.stepId === '$back') return { type: 'back', now };
  if (action.stepId === '$stop') return { type: 'stop', now };
  const step = def.steps.find((s) => s.id === action.stepId);
  let value: Answer = null;
  if (step?.kind === 'multi') value = action.values ?? (action.choiceId ? [action.choiceId] : []);
  else if (step?.kind === 'scale') value = Number(action.text ?? action.choiceId);
  else if (step?.kind === 'text')
    value = action.text === undefined || action.text.trim() === '' ? null : { text: action.text };
  else value = action.choiceId ?? null;
  return { type: 'answer', stepId: action.stepId, turn: action.turn, value, now };
}

/**
 * Start times that differ for every run started in this process, even within one millisecond: the start time
 * names the run in its turn claims, so a run stopped and restarted at once never sees the old run's claims.
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

export function createDialogRunner(deps: DialogRunnerDeps): DialogRunner {
  const { dialogs } = deps;
  const runClock = createRunClock();

  const load = async (ctx: TurnContext): Promise<DialogState | undefined> => {
    const state = await ctx.store.get<DialogState>(keys.dialog(ctx.person));
    return state?.status === 'active' ? state : undefined;
  };

  const save = async (ctx: TurnContext, state: DialogState): Promise<void> => {
    const key = keys.dialog(ctx.person);
    if (state.status !== 'active') {
      await ctx.store.delete(key);
      return;
    }
    // The key is the same for the whole dialog: index it once, when the dialog starts (one write less per turn),
    // and before the first write, so a crash in between never leaves person data outside the index.
    if (state.turn === 0) await ctx.store.track(ctx.person, key);
    await ctx.store.set(key, state, Math.max(1, state.expiresAt - ctx.now));
  };

  /** Apply an engine result: store it, then show what changed. `viaAction` updates the clicked message in place. */
  const apply = async (
    ctx: TurnContext,
    def: DialogDefinition,
    before: DialogState | undefined,
    result: EngineResult,
    viaAction: boolean,
    inputLength = 0,
  ) => {
    const rejection = result.outputs.find((o) => o.kind === 'rejected');
    if (!result.changed) {
      if (rejection?.kind !== 'rejected') return;
      if (['not_active', 'expired', 'version_changed'].includes(rejection.reason) && before)
        await ctx.store.delete(keys.dialog(ctx.person));
      const again =
        before && ['stale', 'not_active', 'expired', 'version_changed'].includes(rejection.reason)
          ? undefined
          : before && askAgain(def, before);
      const message = renderOutputs(
        def,
        before ?? result.state,
        again ? [rejection, again] : [rejection],
        ctx.t,
        inputLength,
      );
      if (message) await ctx.io.send(message, privately(ctx));
      return;
    }
    // One answer per turn, also across replicas: the first to claim the turn wins. The claim only has to outlive
    // a race between two clicks (after it, the stored turn has moved on and the engine calls an old click stale),
    // so it is short-lived and needs no entry in the person index.
    const turnKey = before && keys.turn(ctx.person, def.id, before.startedAt, before.turn);
    if (turnKey && !(await ctx.store.claim(turnKey, TURN_CLAIM_TTL_MS))) {
      await ctx.io.send(textMessage(ctx.t('errors.duplicate'), 'muted'), privately(ctx));
      return;
    }
    try {
      await save(ctx, result.state);
    } catch (error) {
      // The answer was not stored: free the turn, so trying again is not refused as "already in".
      if (turnKey) await ctx.store.delete(turnKey).catch(() => false);
      throw error;
    }
    const ended = result.outputs.find((o) => o.kind === 'done' || o.kind === 'stopped');
    if (ended?.kind === 'stopped') {
      const stopped = textMessage(ctx.t('common.stopped'));
      await (viaAction ? ctx.io.update(stopped) : ctx.io.send(stopped, privately(ctx)));
      return;
    }
    if (ended?.kind === 'done') {
      await (viaAction
        ? ctx.io.update(textMessage(ctx.t('common.answersReceived'), 'muted'))
        : sendRendered(ctx, def, result));
      await deps.onDone(ctx, result.state, def);
      return;
    }
    const message = renderOutputs(def, result.state, result.outputs, ctx.t);
    if (message) await (viaAction ? ctx.io.update(message) : ctx.io.send(message, privately(ctx)));
  };

  const sendRendered = async (ctx: TurnContext, def: DialogDefinition, result: EngineResult): Promise<void> => {
    const message = renderOutputs(def, result.state, result.outputs, ctx.t);
    if (message) await ctx.io.send(message, privately(ctx));
  };

  const withActive = async (
    ctx: TurnContext,
    work: (def: DialogDefinition, state: DialogState) => Promise<void>,
  ): Promise<boolean> => {
    const state = await load(ctx);
    const def = state && dialogs.get(state.dialogId);
    if (!state || !def) return false;
    await work(def, state);
    return true;
  };

  return {
    async start(ctx, dialogId) {
      const def = dialogs.get(dialogId);
      if (!def) throw new Error(`unknown dialog ${dialogId}`);
      const result = advance(def, undefined, { type: 'start', now: runClock(ctx.now) });
      await save(ctx, result.state);
      const message = renderOutputs(def, result.state, result.outputs, ctx.t);
      // Answers never show in a shared channel: say so there, and ask in the private chat.
      const inChannel = !ctx.event.conversation.isDirect;
      if (inChannel) await ctx.io.send(textMessage(ctx.t('common.movedToDirect'), 'muted'));
      if (message) await ctx.io.send(message, { direct: inChannel });
    },

    active: load,

    async resume(ctx, known) {
      // A caller that already loaded the state (help, welcome) passes it in: no second read.
      const show = async (def: DialogDefinition, state: DialogState) => {
        const ask = askAgain(def, state);
        const message = ask && renderOutputs(def, state, [ask], ctx.t);
        if (message) await ctx.io.send(message, privately(ctx));
      };
      const def = known && dialogs.get(known.dialogId);
      if (!known || !def) return withActive(ctx, show);
      await show(def, known);
      return true;
    },

    async onAction(ctx, action) {
      const def = dialogs.get(action.dialogId);
      const state = await load(ctx);
      if (!def || !state || state.dialogId !== action.dialogId) {
        await ctx.io.send(textMessage(ctx.t('errors.notActive'), 'muted'), privately(ctx));
        return;
      }
      const input = actionToInput(def, state, action, ctx.now);
      // Navigation buttons carry the turn too: an old "terug" must not undo a newer answer.
      if ((input.type === 'back' || input.type === 'stop') && action.turn !== state.turn) {
        await ctx.io.send(textMessage(ctx.t('errors.stale'), 'muted'), privately(ctx));
        return;
      }
      await apply(ctx, def, state, advance(def, state, input), true, action.text?.length ?? 0);
    },

    async onText(ctx, text) {
      return withActive(ctx, (def, state) =>
        apply(ctx, def, state, advance(def, state, textToAnswer(def, state, text, ctx)), false, text.length),
      );
    },

    async back(ctx) {
      const handled = await withActive(ctx, (def, state) =>
        apply(ctx, def, state, advance(def, state, { type: 'back', now: ctx.now }), false),
      );
      if (!handled) await ctx.io.send(textMessage(ctx.t('errors.nothingToUndo'), 'muted'), privately(ctx));
    },

    async stop(ctx) {
      const handled = await withActive(ctx, (def, state) =>
        apply(ctx, def, state, advance(def, state, { type: 'stop', now: ctx.now }), false),
      );
      if (!handled) await ctx.io.send(textMessage(ctx.t('common.nothingToStop'), 'muted'), privately(ctx));
    },
  };
}
