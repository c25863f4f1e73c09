/**
 * A neutral form as a Slack modal: opened with the trigger of the click or slash command that asked for it (the
 * TurnIO does that when the core sends a form), submitted as `view_submission` with callback `bb-form`, and read
 * back into the form's fields. In a message a form shows as a button that asks for it again (`openRoute`).
 */
import type { KnownBlock, ModalView } from '@slack/types';
import type { ActionPayload, Block, FormField } from '../../src/core/index.js';
import { decodeActionId, encodeActionId } from './action-id.js';
import { escapeMrkdwn, LIMITS, truncate } from './render.js';
import type { ViewAnswer } from './work.js';

export const FORM_CALLBACK_ID = 'bb-form';
type Form = Extract<Block, { type: 'form' }>;

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });

/** Where the answer goes (the submit's route) and where the modal was asked for, in private_metadata. */
interface FormMetadata {
  a: string;
  c?: string;
}

function element(field: FormField): Record<string, unknown> {
  // Slack wants every action_id of a view distinct: the field's id serves as both block and action id.
  const VALUE = field.id;
  const single = Array.isArray(field.value) ? field.value[0] : field.value;
  const list = Array.isArray(field.value) ? field.value : field.value ? field.value.split(',') : [];
  const options = (field.choices ?? []).slice(0, LIMITS.selectOptions).map((c) => ({
    text: plain(c.label, LIMITS.optionText),
    value: c.id,
  }));
  switch (field.kind) {
    case 'choice': {
      const initial = options.find((o) => o.value === single);
      return { type: 'static_select', action_id: VALUE, options, ...(initial ? { initial_option: initial } : {}) };
    }
    case 'multichoice': {
      const initial = options.filter((o) => list.includes(o.value));
      return {
        type: 'checkboxes',
        action_id: VALUE,
        options: options.slice(0, LIMITS.checkboxOptions),
        ...(initial.length > 0 ? { initial_options: initial } : {}),
      };
    }
    case 'datetime': {
      const at = single ? Date.parse(single) : Number.NaN;
      return {
        type: 'datetimepicker',
        action_id: VALUE,
        ...(Number.isNaN(at) ? {} : { initial_date_time: Math.floor(at / 1000) }),
      };
    }
    case 'channels':
      return {
        type: 'multi_conversations_select',
        action_id: VALUE,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(list.length > 0 ? { initial_conversations: list } : {}),
      };
    default:
      return {
        type: 'plain_text_input',
        action_id: VALUE,
        multiline: field.kind === 'textarea',
        max_length: Math.min(field.maxLength ?? LIMITS.inputMaxLength, LIMITS.inputMaxLength),
        ...(single ? { initial_value: truncate(single, LIMITS.inputMaxLength) } : {}),
        ...(field.placeholder ? { placeholder: plain(field.placeholder, LIMITS.placeholder) } : {}),
      };
  }
}

/** The modal for a form; `channel` is where it was asked for (answers go there, or to the 1:1 chat). */
export function renderFormModal(form: Form, channel: string | undefined): ModalView {
  const blocks: KnownBlock[] = [];
  if (form.error)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(form.error)}` } });
  for (const field of form.fields) {
    blocks.push({
      type: 'input',
      block_id: field.id,
      label: plain(field.label, LIMITS.inputLabel),
      optional: !field.required,
      element: element(field),
      ...(field.hint ? { hint: plain(field.hint, LIMITS.inputLabel) } : {}),
    } as unknown as KnownBlock);
  }
  const meta: FormMetadata = { a: encodeActionId('a', form.route), ...(channel ? { c: channel } : {}) };
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    title: plain(form.title, LIMITS.modalTitle),
    submit: plain(form.submitLabel, LIMITS.modalTitle),
    private_metadata: JSON.stringify(meta),
    blocks: blocks.slice(0, LIMITS.viewBlocks),
  };
}

/** A submitted form modal: its route, where it was asked for, and the fields as typed or picked. */
export function readFormSubmission(
  view: Record<string, unknown>,
): { action: ActionPayload; channel?: string } | undefined {
  let meta: FormMetadata;
  try {
    meta = JSON.parse(String(view.private_metadata ?? '')) as FormMetadata;
  } catch {
    return undefined;
  }
  const decoded = typeof meta?.a === 'string' ? decodeActionId(meta.a) : undefined;
  if (!decoded) return undefined;
  const values = ((view.state as { values?: unknown } | undefined)?.values ?? {}) as Record<
    string,
    Record<string, unknown>
  >;
  const fields: Record<string, string | string[]> = {};
  for (const [blockId, inputs] of Object.entries(values)) {
    const state = Object.values(inputs ?? {})[0] as Record<string, unknown> | undefined;
    if (!state) continue;
    if (typeof state.value === 'string') fields[blockId] = state.value;
    else if (state.selected_option && typeof state.selected_option === 'object')
      fields[blockId] = String((state.selected_option as { value?: unknown }).value ?? '');
    else if (Array.isArray(state.selected_options))
      fields[blockId] = state.selected_options.map((o) => String((o as { value?: unknown }).value ?? ''));
    else if (typeof state.selected_date_time === 'number')
      fields[blockId] = new Date(state.selected_date_time * 1000).toISOString();
    else if (Array.isArray(state.selected_conversations)) fields[blockId] = state.selected_conversations.map(String);
    else fields[blockId] = '';
  }
  return { action: { ...decoded.payload, fields }, ...(typeof meta.c === 'string' ? { channel: meta.c } : {}) };
}

/**
 * The answer to a form modal's submission when the core sends the form back: the reason under its field
 * (`response_action: errors`: Slack keeps the modal open with everything typed), or, when the reason is about no
 * one field, the form again with the reason above it and the typed values filled in (`update`).
 */
export function formViewAnswer(form: Form, channel: string | undefined): ViewAnswer {
  const field = form.errorField;
  if (form.error && field && form.fields.some((f) => f.id === field))
    return { response_action: 'errors', errors: { [field]: truncate(form.error, LIMITS.inputLabel) } };
  return { response_action: 'update', view: renderFormModal(form, channel) as unknown as Record<string, unknown> };
}
