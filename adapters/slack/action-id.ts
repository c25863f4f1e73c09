import type { ActionPayload, Route } from '../../src/core/index.js';

/**
 * Controls carry their route in Slack's `action_id` (at most 255 characters) and a short `value`:
 * `bb|<kind>|<feature>|<verb>|<data>|<choice>[|<n>]`, where `data` is the route's data as a query string and
 * `n` only keeps ids unique inside one message.
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
 */
export type ActionKind = 'a' | 'x' | 'm' | 's' | 'i';

export interface DecodedAction {
  kind: ActionKind;
  payload: ActionPayload;
}

const escapePart = (part: string): string => part.replace(/[%|]/g, (c) => (c === '%' ? '%25' : '%7C'));
const unescapePart = (part: string): string => part.replace(/%7C|%25/g, (c) => (c === '%7C' ? '|' : '%'));

/** Route data as a query string; URLSearchParams escapes `|` and `%`, so it never splits the id. */
function encodeData(data: Route['data']): string {
  return data ? new URLSearchParams(data).toString() : '';
}

function decodeData(text: string): Record<string, string> | undefined {
  if (text === '') return undefined;
  const data: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) data[key] = value;
  return data;
}

/** The prefix every control of one route shares (checkbox groups and their submit button find each other by it). */
export function routePrefix(kind: ActionKind, route: Route): string {
  return [ACTION_PREFIX, kind, escapePart(route.feature), escapePart(route.verb), encodeData(route.data)].join('|');
}

/** The action_id for a control; `unique` is appended when the same id would repeat in one message. */
export function encodeActionId(kind: ActionKind, route: Route, choice?: string, unique?: number): string {
  const parts = [routePrefix(kind, route), escapePart(choice ?? '')];
  if (unique !== undefined) parts.push(String(unique));
  return parts.join('|');
}

/** The button value for the parts of a payload that do not fit in the id, or undefined when there are none. */
export function encodeValue(payload: Pick<ActionPayload, 'text' | 'values'>): string | undefined {
  if (payload.text === undefined && payload.values === undefined) return undefined;
  return JSON.stringify({ t: payload.text, v: payload.values });
}

/** Parse an action_id we rendered; undefined for anything else (foreign or tampered ids). */
export function decodeActionId(actionId: string, value?: string): DecodedAction | undefined {
  if (actionId.length > MAX_ACTION_ID) return undefined;
  const parts = actionId.split('|');
  if (parts.length < 6 || parts.length > 7 || parts[0] !== ACTION_PREFIX) return undefined;
  const [, kind, feature, verb, data, choice] = parts as [string, string, string, string, string, string];
  if (!/^[axmsi]$/.test(kind) || !feature || !verb) return undefined;
  const route: Route = { feature: unescapePart(feature), verb: unescapePart(verb) };
  const routeData = decodeData(data);
  if (routeData) route.data = routeData;
  const payload: ActionPayload = { route };
  if (choice) payload.choice = unescapePart(choice);
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
