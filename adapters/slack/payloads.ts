/**
 * The shapes of the Slack payloads the adapter reads, checked with zod before anything uses them: the Events API
 * envelope and the events we act on, block_actions, view_submission and slash commands. Rule: a field we read
 * that has the wrong type (or a required one that is missing) refuses the request with the field named — never
 * an exception inside a turn. Fields we do not read are not checked (Slack adds fields freely), and objects keep
 * no unknown keys. Optional fields accept null where Slack sends null (an org-wide `team`, a `bot_id`).
 */
import { z } from 'zod';

const text = z.string();
const maybe = z.string().nullish();

export const UrlVerification = z.object({ challenge: text });

export const EventEnvelope = z.object({
  event_id: text,
  team_id: maybe,
  // Checked once its type is known (EVENTS below); the rest of the event is kept for that.
  event: z.looseObject({ type: text }),
  authorizations: z.array(z.object({ team_id: maybe, user_id: maybe })).nullish(),
});

/** A message (we act on what a person types in the 1:1 chat; edits, joins and bot messages are ignored). */
const MessageEvent = z.object({
  channel_type: maybe,
  subtype: maybe,
  bot_id: maybe,
  user: maybe,
  channel: maybe,
  text: maybe,
});

const AppMentionEvent = z.object({
  bot_id: maybe,
  user: maybe,
  channel: maybe,
  text: maybe,
  ts: maybe,
  thread_ts: maybe,
});

const AppHomeOpenedEvent = z.object({ user: maybe, channel: maybe, tab: maybe });

const TokensRevokedEvent = z.object({
  tokens: z.object({ oauth: z.array(text).nullish(), bot: z.array(text).nullish() }).nullish(),
});

/** The schema of each event type we use; other types are acknowledged and ignored. */
export const EVENTS = {
  message: MessageEvent,
  app_mention: AppMentionEvent,
  app_home_opened: AppHomeOpenedEvent,
  app_uninstalled: z.object({}),
  tokens_revoked: TokensRevokedEvent,
} as const;

const SlackUser = z.object({ id: text, team_id: maybe });
const Team = z.object({ id: text }).nullish();
/** Interactive state: block id → action id → the element's state (we read checkbox choices and the modal text). */
const StateValues = z
  .object({
    values: z.record(
      z.string(),
      z.record(z.string(), z.object({ selected_options: z.array(z.object({ value: text })).nullish(), value: maybe })),
    ),
  })
  .nullish();

export const BlockActions = z.object({
  user: SlackUser,
  team: Team,
  actions: z.array(
    z.object({
      action_id: maybe,
      value: maybe,
      action_ts: maybe,
      selected_option: z.object({ value: text }).nullish(),
    }),
  ),
  container: z
    .object({ type: maybe, channel_id: maybe, message_ts: maybe, is_ephemeral: z.boolean().nullish() })
    .nullish(),
  channel: z.object({ id: text }).nullish(),
  message: z.object({ ts: maybe, thread_ts: maybe }).nullish(),
  response_url: maybe,
  trigger_id: maybe,
  state: StateValues,
});

export const ViewSubmission = z.object({
  user: SlackUser,
  team: Team,
  view: z.object({
    id: maybe,
    hash: maybe,
    callback_id: maybe,
    private_metadata: maybe,
    state: StateValues,
  }),
});

/** A slash command (form fields: strings or absent). */
export const SlashCommand = z.object({
  command: text,
  team_id: text,
  user_id: text,
  channel_id: text,
  trigger_id: text,
  text: maybe,
  response_url: maybe,
});

export type EventEnvelope = z.infer<typeof EventEnvelope>;
export type BlockActions = z.infer<typeof BlockActions>;
export type ViewSubmission = z.infer<typeof ViewSubmission>;
export type SlashCommand = z.infer<typeof SlashCommand>;
export type StateValues = z.infer<typeof StateValues>;

/** A refused payload: why, and which field (a path like `event.user`; only names we chose, never values). */
export interface Refusal {
  reason: 'missing_field' | 'invalid_field';
  field: string;
}

/** Field names as Slack spells them; anything else in a path (ids used as keys) is shown as `*`. */
const FIELD_NAME = /^[a-z][a-z_]{0,39}$/;

/** Check `value` against `schema`; the data, or the refusal naming the first field that does not fit. */
export function check<T>(
  schema: z.ZodType<T>,
  value: unknown,
  prefix = '',
): { ok: true; data: T } | { ok: false; refusal: Refusal } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path ?? [];
  const field = [
    prefix,
    ...path.map((p) => (typeof p === 'number' ? String(p) : FIELD_NAME.test(String(p)) ? String(p) : '*')),
  ]
    .filter(Boolean)
    .join('.');
  return {
    ok: false,
    refusal: {
      reason: valueAt(value, path) === undefined ? 'missing_field' : 'invalid_field',
      field: field || '(body)',
    },
  };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
