import type { ModalView } from '@slack/types';
import type { Locale } from '../../src/core/index.js';
import { LIMITS, truncate, type Label } from './render.js';
import type { ModalRequest, ModalSpec } from './types.js';

/** The modal for a typed answer (the optional note): one multi-line input with the step's length limit. */
export const INPUT_CALLBACK_ID = 'bb-input';
export const INPUT_BLOCK_ID = 'bb-input';
export const INPUT_ACTION_ID = 'text';

/** Where the answer belongs, kept in the view's private_metadata (≤ 3,000 characters, returned only to us). */
export interface ModalMetadata {
  actionId: string;
  channel?: string;
  ts?: string;
  threadTs?: string;
  ephemeral: boolean;
  responseUrl?: string;
}

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: truncate(text, max), emoji: true });

export function renderModal(request: ModalRequest, label: Label): ModalView {
  const { spec, source } = request;
  const meta = {
    a: request.actionId,
    c: source?.channel,
    m: source?.ts,
    t: source?.threadTs,
    e: source?.ephemeral ? 1 : undefined,
    r: source?.responseUrl,
  };
  let privateMetadata = JSON.stringify(meta);
  // Without the response URL the answer still arrives; only an ephemeral question cannot be replaced then.
  if (privateMetadata.length > LIMITS.privateMetadata) privateMetadata = JSON.stringify({ ...meta, r: undefined });
  return {
    type: 'modal',
    callback_id: INPUT_CALLBACK_ID,
    title: plain(label('slack.input.title'), LIMITS.modalTitle),
    submit: plain(spec.submitLabel, LIMITS.modalTitle),
    close: plain(label('slack.input.cancel'), LIMITS.modalTitle),
    private_metadata: privateMetadata,
    blocks: [
      {
        type: 'input',
        block_id: INPUT_BLOCK_ID,
        label: plain(spec.label, LIMITS.inputLabel),
        element: {
          type: 'plain_text_input',
          action_id: INPUT_ACTION_ID,
          multiline: true,
          max_length: Math.max(1, Math.min(spec.maxLength, LIMITS.inputMaxLength)),
          ...(spec.placeholder ? { placeholder: plain(spec.placeholder, LIMITS.placeholder) } : {}),
        },
      },
    ],
  };
}

/** Read the spec a modal-opening button carries; undefined when it is not ours or malformed. */
export function parseModalSpec(value: string | undefined): ModalSpec | undefined {
  const data = parseJson(value);
  if (!data || typeof data.l !== 'string' || typeof data.m !== 'number' || typeof data.s !== 'string') return undefined;
  return {
    label: data.l,
    placeholder: typeof data.p === 'string' ? data.p : undefined,
    maxLength: data.m,
    submitLabel: data.s,
    locale: data.o === 'en' || data.o === 'nl' ? (data.o as Locale) : undefined,
  };
}

export function parseModalMetadata(value: string | undefined): ModalMetadata | undefined {
  const data = parseJson(value);
  if (!data || typeof data.a !== 'string') return undefined;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  return {
    actionId: data.a,
    channel: text('c'),
    ts: text('m'),
    threadTs: text('t'),
    ephemeral: data.e === 1,
    responseUrl: text('r'),
  };
}

function parseJson(value: string | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
