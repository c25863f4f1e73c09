import type { ActionPayload } from '../../src/core/index.js';

/**
 * Buttons carry their ActionPayload in Slack's `action_id` (≤ 255 characters) and a short `value`:
 * `bb|<kind>|<dialogId>|<stepId>|<turn>|<choiceId>[|<n>]`. `n` only keeps ids unique inside one message.
 */
export const ACTION_PREFIX = 'bb';
export const MAX_ACTION_ID = 255;
export const MAX_BUTTON_VALUE = 2000;

/**
 * - `a` an answer or plain button: the payload as is (value may carry `text`/`values`)
 * - `x` a checkbox group of a multi-choice question (ticking only; nothing to do until submit)
 * - `m` the submit button of a multi-choice question: values come from the checkboxes' state
 * - `s` a scale rendered as a select: the chosen option is the value
 * - `i` opens the modal for a typed answer
 * - `c` an App Home shortcut that runs a command (choiceId = the command words)
 */
export type ActionKind = 'a' | 'x' | 'm' | 's' | 'i' | 'c';

export interface DecodedAction {
  kind: ActionKind;
  payload: ActionPayload;
}

const escapePart = (part: string): string => part.replace(/[%|]/g, (c) => (c === '%' ? '%25' : '%7C'));
const unescapePart = (part: string): string => part.replace(/%7C|%25/g, (c) => (c === '%7C' ? '|' : '%'));

/** The action_id for `payload`; `unique` is appended when the same id would repeat in one message. */
export function encodeActionId(kind: ActionKind, payload: ActionPayload, unique?: number): string {
  const parts = [
    ACTION_PREFIX,
    kind,
    payload.dialogId,
    payload.stepId,
    String(payload.turn),
    payload.choiceId ?? '',
  ].map(escapePart);
  if (unique !== undefined) parts.push(String(unique));
  return parts.join('|');
}

/** The button value for the parts of a payload that do not fit in the id, or undefined when there are none. */
export function encodeValue(payload: ActionPayload): string | undefined {
  if (payload.text === undefined && payload.values === undefined) return undefined;
  return JSON.stringify({ t: payload.text, v: payload.values });
}

/** Parse an action_id we rendered; undefined for anything else (foreign or tampered ids). */
export function decodeActionId(actionId: string, value?: string): DecodedAction | undefined {
  if (actionId.length > MAX_ACTION_ID) return undefined;
  const parts = actionId.split('|');
  if (parts.length < 6 || parts.length > 7 || parts[0] !== ACTION_PREFIX) return undefined;
  const [, kind, dialogId, stepId, turnText, choiceId] = parts as [string, string, string, string, string, string];
  if (!/^[axmsic]$/.test(kind) || !/^\d{1,9}$/.test(turnText) || !dialogId || !stepId) return undefined;
  const payload: ActionPayload = {
    dialogId: unescapePart(dialogId),
    stepId: unescapePart(stepId),
    turn: Number(turnText),
  };
  if (choiceId) payload.choiceId = unescapePart(choiceId);
  if (kind === 'a' && value) {
    const extra = parseValue(value);
    if (extra === null) return undefined;
    if (extra.t !== undefined) payload.text = extra.t;
    if (extra.v !== undefined) payload.values = extra.v;
  }
  return { kind: kind as ActionKind, payload };
}

function parseValue(value: string): { t?: string; v?: string[] } | null {
  if (!value.startsWith('{')) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (!parsed || typeof parsed !== 'object') return null;
    const { t, v } = parsed as { t?: unknown; v?: unknown };
    if (t !== undefined && typeof t !== 'string') return null;
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return null;
    return { t: t as string | undefined, v: v as string[] | undefined };
  } catch {
    return null;
  }
}
