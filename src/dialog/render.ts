import { plainText } from '../message/plain-text.js';
import type { Block, MessageVars, OutboundMessage, Platform, Route, Translate } from '../message/types.js';
import type { DialogDefinition, Step } from './schema.js';
import type { DialogState, EngineOutput, Rejection } from './types.js';

/** Locale key of a text of a step: `<dialog>.<step>.<part>`. */
export const stepKey = (dialogId: string, stepId: string, part: string): string => `${dialogId}.${stepId}.${part}`;

/** The route namespace of dialog controls; the core answers its verbs with the dialog runner. */
export const DIALOG_FEATURE = 'dialog';

/** Verbs of dialog controls: answer the open question, go back one question, stop. */
export type DialogVerb = 'answer' | 'back' | 'stop';

/**
 * The route of a dialog control: dialog, step and turn (`d`, `s`, `t` — short, as Slack's action_id holds 255
 * characters), so a click on an old question or a second click on the same one is recognised as stale.
 */
export function dialogRoute(verb: DialogVerb, dialogId: string, stepId: string, turn: number): Route {
  return { feature: DIALOG_FEATURE, verb, data: { d: dialogId, s: stepId, t: String(turn) } };
}

/** Message key for each rejection reason; `choice_expected` has one per platform (see rejectionText). */
export const REJECTION_KEYS: Record<Rejection, string> = {
  stale: 'errors.stale',
  not_active: 'errors.notActive',
  expired: 'errors.expired',
  version_changed: 'errors.versionChanged',
  invalid_choice: 'errors.invalidChoice',
  choice_expected: 'errors.choiceExpected.console',
  too_few: 'errors.tooFew',
  too_many: 'errors.tooMany',
  exclusive_combined: 'errors.exclusive',
  out_of_range: 'errors.outOfRange',
  too_long: 'errors.tooLong',
  empty: 'errors.empty',
  nothing_to_undo: 'errors.nothingToUndo',
};

/**
 * The words of a refusal. "Kies een van de knoppen" only fits where there are buttons: how to answer is said in
 * the platform's own words (buttons in Slack, choices on a card in Teams, numbers in the terminal).
 */
export function rejectionText(
  reason: Rejection,
  t: Translate,
  platform: Platform,
  vars: { limit?: number; length?: number } = {},
): string {
  const key = reason === 'choice_expected' ? `errors.choiceExpected.${platform}` : REJECTION_KEYS[reason];
  return t(key, { limit: vars.limit ?? 0, length: vars.length ?? 0 });
}

/**
 * The progress line: "Vraag 3 · nog ongeveer 5 vragen" while later questions still depend on answers to come,
 * "Vraag 5 · nog 3 vragen" once the path is known, "de laatste vraag", and "Tot slot" for an unnumbered extra.
 * No fixed "van 8": the total differs by path, and a count that jumps is worse than none.
 */
export function progressLabel(ask: Extract<EngineOutput, { kind: 'ask' }>, t: Translate): string {
  if (ask.current === 0) return t('common.progressExtra');
  const left = Math.max(0, ask.total - ask.current);
  if (!ask.certain) return t('common.progressAbout', { current: ask.current, left });
  return left === 0
    ? t('common.progressLast', { current: ask.current })
    : t('common.progress', { current: ask.current, left });
}

/** The key of a step's hint: one for all platforms, or one per platform (`hint: perPlatform`). */
export function hintKey(def: DialogDefinition, step: Step, platform: Platform = 'console'): string {
  const perPlatform = 'hint' in step && step.hint === 'perPlatform';
  return stepKey(def.id, step.id, perPlatform ? `hint.${platform}` : 'hint');
}

/** The translated label of each choice of a step, in order. */
export function choiceLabels(def: DialogDefinition, step: Step, t: Translate): { id: string; label: string }[] {
  if (!('choices' in step)) return [];
  return step.choices.map((id) => ({ id, label: t(stepKey(def.id, step.id, `choices.${id}`)) }));
}

/** Blocks that ask one question: progress, the prompt, an optional hint, the answer control and navigation. */
export function renderQuestion(
  def: DialogDefinition,
  state: DialogState,
  ask: Extract<EngineOutput, { kind: 'ask' }>,
  t: Translate,
  options: { hint?: string; selected?: string[]; platform?: Platform; vars?: MessageVars } = {},
): Block[] {
  const step = def.steps.find((s) => s.id === ask.stepId);
  if (!step || step.kind === 'say') return [];
  const route = dialogRoute('answer', def.id, step.id, state.turn);
  const label = t(stepKey(def.id, step.id, 'prompt'));
  const blocks: Block[] = [
    { type: 'progress', current: ask.current, total: ask.total, label: progressLabel(ask, t) },
    { type: 'heading', text: label },
  ];
  // A refusal shows on the card itself, right under the question it is about.
  if (options.hint) blocks.push({ type: 'text', text: options.hint, tone: 'warning' });
  if (step.hint)
    blocks.push({ type: 'text', text: t(hintKey(def, step, options.platform), options.vars), tone: 'muted' });
  switch (step.kind) {
    case 'single':
      blocks.push({ type: 'single', label, choices: choiceLabels(def, step, t), route });
      break;
    case 'multi':
      blocks.push({
        type: 'multi',
        label,
        choices: choiceLabels(def, step, t),
        ...(options.selected && options.selected.length > 0 ? { selected: options.selected } : {}),
        submitLabel: t('common.buttons.submit'),
        route,
      });
      break;
    case 'scale':
      blocks.push({
        type: 'scale',
        label,
        min: step.min,
        max: step.max,
        minLabel: t(stepKey(def.id, step.id, 'min')),
        maxLabel: t(stepKey(def.id, step.id, 'max')),
        route,
      });
      break;
    case 'text':
      blocks.push({
        type: 'input',
        label,
        placeholder: t(stepKey(def.id, step.id, 'placeholder')),
        maxLength: step.maxLength,
        submitLabel: t('common.buttons.submit'),
        skipLabel: step.optional ? t('common.buttons.skip') : undefined,
        route,
      });
      break;
  }
  const nav: Block = {
    type: 'buttons',
    buttons: [
      ...(state.history.length > 0
        ? [{ label: t('common.buttons.back'), route: dialogRoute('back', def.id, step.id, state.turn) }]
        : []),
      { label: t('common.buttons.stop'), route: dialogRoute('stop', def.id, step.id, state.turn) },
    ],
  };
  blocks.push(nav);
  return blocks;
}

/**
 * Turn the engine's outputs into one message (says, then the next question). `undefined` when nothing to show.
 * A refusal (`rejected`) becomes the hint on the question it is about.
 */
export function renderOutputs(
  def: DialogDefinition,
  state: DialogState,
  outputs: EngineOutput[],
  t: Translate,
  options: { platform?: Platform; inputLength?: number; selected?: string[]; vars?: MessageVars } = {},
): OutboundMessage | undefined {
  const blocks: Block[] = [];
  const rejected = outputs.find((o) => o.kind === 'rejected');
  const hint =
    rejected?.kind === 'rejected'
      ? rejectionText(rejected.reason, t, options.platform ?? 'console', {
          limit: rejected.limit,
          length: options.inputLength,
        })
      : undefined;
  for (const output of outputs) {
    if (output.kind === 'say') blocks.push({ type: 'text', text: t(stepKey(def.id, output.stepId, 'text')) });
    else if (output.kind === 'ask')
      blocks.push(
        ...renderQuestion(def, state, output, t, {
          hint,
          selected: options.selected,
          platform: options.platform,
          vars: options.vars,
        }),
      );
  }
  if (hint && !outputs.some((o) => o.kind === 'ask')) blocks.push({ type: 'text', text: hint, tone: 'warning' });
  return blocks.length > 0 ? { text: plainText(blocks), blocks } : undefined;
}

/**
 * A question card after it stopped being the live one: the question and what became of it (the answer given,
 * or "the question is further down"), without buttons, so it cannot be pressed by mistake.
 */
export function renderInactive(
  def: DialogDefinition,
  ask: Extract<EngineOutput, { kind: 'ask' }>,
  t: Translate,
  status: string,
): OutboundMessage {
  const blocks: Block[] = [
    { type: 'progress', current: ask.current, total: ask.total, label: progressLabel(ask, t) },
    { type: 'heading', text: t(stepKey(def.id, ask.stepId, 'prompt')) },
    { type: 'text', text: status, tone: 'muted' },
  ];
  return { text: plainText(blocks), blocks };
}

/** A single short text message. */
export function textMessage(text: string, tone: 'normal' | 'muted' | 'warning' = 'normal'): OutboundMessage {
  return { text, blocks: [{ type: 'text', text, tone }] };
}
