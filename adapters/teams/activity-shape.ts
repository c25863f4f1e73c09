/**
 * The shape of an inbound activity, checked with zod before anything else reads the body: every field the adapter
 * (and botbuilder) reads must have its type, so a wrong type is a 400 naming the field (`locale: expected string`),
 * never an exception inside a turn. The check only looks: the activity handed on is the body as received, unknown
 * fields and all (so the schema can use zod's fast plain objects instead of loose ones).
 */
import type { Activity } from 'botbuilder';
import { z } from 'zod';
import { HttpError } from '../../src/core/index.js';

const missingOr = (what: string, expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${what} is missing` : `expected ${expected}`;
const required = (what: string) => z.string({ error: missingOr(what, 'string') }).min(1, `${what} is missing`);
const optionalString = z.string().optional();
const object = <T extends z.ZodRawShape>(what: string, shape: T) =>
  z.object(shape, { error: missingOr(what, 'object') });
const account = (what: string) =>
  object(what, { id: required(`${what}.id`), name: optionalString, aadObjectId: optionalString, role: optionalString });
const member = z.object({ id: z.string(), name: optionalString, aadObjectId: optionalString });
const isPlainObject = (value: unknown) => typeof value === 'object' && value !== null && !Array.isArray(value);
/** An absolute http(s) URL without spaces (the connector client parses it fully before calling it). */
const HTTP_URL = /^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i;

/** The fields of an activity we rely on, with their types; a card action's data must be an object. */
export const ActivityShape = z
  .object({
    type: required('activity type'),
    id: optionalString,
    name: optionalString,
    action: optionalString,
    channelId: required('channelId'),
    serviceUrl: z
      .string({ error: missingOr('serviceUrl', 'string') })
      .regex(HTTP_URL, 'serviceUrl must be an http(s) URL'),
    timestamp: optionalString,
    localTimestamp: optionalString,
    localTimezone: optionalString,
    locale: optionalString,
    text: optionalString,
    textFormat: optionalString,
    replyToId: optionalString,
    deliveryMode: optionalString,
    from: account('from'),
    recipient: account('recipient'),
    conversation: object('conversation', {
      id: required('conversation.id'),
      conversationType: optionalString,
      tenantId: optionalString,
      isGroup: z.boolean().optional(),
      name: optionalString,
    }),
    channelData: z
      .object({
        tenant: z.object({ id: optionalString }).optional(),
        team: z.object({ id: optionalString }).optional(),
        channel: z.object({ id: optionalString }).optional(),
      })
      .optional(),
    entities: z
      .array(
        z.object({
          type: optionalString,
          text: optionalString,
          mentioned: z.object({ id: optionalString }).optional(),
        }),
      )
      .optional(),
    attachments: z.array(z.object({ contentType: optionalString })).optional(),
    membersAdded: z.array(member).optional(),
    membersRemoved: z.array(member).optional(),
    value: z.unknown().optional(),
  })
  .superRefine((activity, ctx) => {
    // A card action's data must be an object: Action.Submit puts it in `value`, Action.Execute in `value.action`.
    const value = activity.value;
    if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
      const action = isPlainObject(value) ? (value as { action?: unknown }).action : undefined;
      if (!isPlainObject(value)) ctx.addIssue({ code: 'custom', path: ['value'], message: 'expected object' });
      else if (!isPlainObject(action))
        ctx.addIssue({ code: 'custom', path: ['value', 'action'], message: 'expected object' });
      else {
        const { verb, data } = action as { verb?: unknown; data?: unknown };
        if (verb !== undefined && typeof verb !== 'string')
          ctx.addIssue({ code: 'custom', path: ['value', 'action', 'verb'], message: 'expected string' });
        if (data !== undefined && !isPlainObject(data))
          ctx.addIssue({ code: 'custom', path: ['value', 'action', 'data'], message: 'expected object' });
      }
    } else if (activity.type === 'message' && value !== undefined && !isPlainObject(value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'expected object' });
    }
  });

/** The checked body, as received: every field ActivityShape names has its type, the rest is passed on untouched. */
export type CheckedActivity = Partial<Activity> & z.output<typeof ActivityShape>;

/**
 * Check a parsed body against ActivityShape; a 400 whose reason names the first bad field and never its value
 * (`from: expected object`, `value.action.data: expected object`).
 */
export function checkActivity(body: unknown): CheckedActivity {
  const result = ActivityShape.safeParse(body, { reportInput: false, error: briefMessage });
  if (result.success) return body as CheckedActivity;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? [])
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`))
    .join('');
  throw new HttpError(400, `${path || 'body'}: ${issue?.message ?? 'not an activity'}`.slice(0, 200));
}

function briefMessage(issue: { code?: string; expected?: unknown }): string | undefined {
  return issue.code === 'invalid_type' ? `expected ${String(issue.expected)}` : undefined;
}
