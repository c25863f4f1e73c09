import type { Block, OutboundMessage, Route, Translate } from '../message/types.js';
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

/** Message key for each rejection reason. */
export const REJECTION_KEYS: Record<Rejection, string> = {
  stale: 'errors.stale',
  not_active: 'errors.notActive',
  expired: 'errors.expired',
  version_changed: 'errors.versionChanged',
  invalid_choice: 'errors.invalidChoice',
  choice_expected: 'errors.choiceExpected',
  too_few: 'errors.tooFew',
  too_many: 'errors.tooMany',
  exclusive_combined: 'errors.exclusive',
  out_of_range: 'errors.outOfRange',
  too_long: 'errors.tooLong',
  empty: 'errors.empty',
  nothing_to_undo: 'errors.nothingToUndo',
};

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
): Block[] {
  const step = def.steps.find((s) => s.id === ask.stepId);
  if (!step || step.kind === 'say') return [];
  const route = dialogRoute('answer', def.id, step.id, state.turn);
  const label = t(stepKey(def.id, step.id, 'prompt'));
  // current 0 = an unnumbered extra (the optional closing note).
  const progressLabel =
    ask.current === 0 ? t('common.progressExtra') : t('common.progress', { current: ask.current, total: ask.total });
  const blocks: Block[] = [{ type: 'progress', current: ask.current, total: ask.total, label: progressLabel }];
  blocks.push({ type: 'heading', text: label });
  if (step.hint) blocks.push({ type: 'text', text: t(stepKey(def.id, step.id, 'hint')), tone: 'muted' });
  switch (step.kind) {
    case 'single':
      blocks.push({ type: 'single', label, choices: choiceLabels(def, step, t), route });
      break;
    case 'multi':
      blocks.push({
        type: 'multi',
        label,
        choices: choiceLabels(def, step, t),
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

/** Turn the engine's outputs into one message (says, then the next question). `undefined` when nothing to show. */
export function renderOutputs(
  def: DialogDefinition,
  state: DialogState,
  outputs: EngineOutput[],
  t: Translate,
  inputLength = 0,
): OutboundMessage | undefined {
  const blocks: Block[] = [];
  const texts: string[] = [];
  for (const output of outputs) {
    if (output.kind === 'say') {
      const text = t(stepKey(def.id, output.stepId, 'text'));
      blocks.push({ type: 'text', text });
      texts.push(text);
    } else if (output.kind === 'ask') {
      const question = renderQuestion(def, state, output, t);
      blocks.push(...question);
      const progress = question[0]?.type === 'progress' ? question[0].label : '';
      texts.push(`${progress}: ${t(stepKey(def.id, output.stepId, 'prompt'))}`);
    } else if (output.kind === 'rejected') {
      const text = t(REJECTION_KEYS[output.reason], { limit: output.limit ?? 0, length: inputLength });
      blocks.push({ type: 'text', text, tone: 'warning' });
      texts.push(text);
    }
  }
  return blocks.length > 0 ? { text: texts.join('\n'), blocks } : undefined;
}

/** A single short text message. */
export function textMessage(text: string, tone: 'normal' | 'muted' | 'warning' = 'normal'): OutboundMessage {
  return { text, blocks: [{ type: 'text', text, tone }] };
}
