/**
 * Bot Framework activity → neutral InboundEvent. Pure: the SDK is only a type here.
 * Card actions arrive two ways — Action.Execute as an `adaptiveCard/action` invoke, Action.Submit (the fallback)
 * as a message with `value` — and both become the same ActionEvent.
 */
import { randomUUID } from 'node:crypto';
import type { Activity, ChannelAccount } from 'botbuilder';
import { z } from 'zod';
import type {
  ActionEvent,
  ActionPayload,
  ConversationRef,
  InboundEvent,
  SentRef,
  UserRef,
} from '../../src/core/index.js';
import { CARD_VERB, INPUT_FIELD_PREFIX, INPUT_TEXT, INPUT_VALUES, type TeamsRefExtra } from './types.js';

const Bb = z.object({
  route: z.object({
    feature: z.string().min(1).max(100),
    verb: z.string().min(1).max(100),
    data: z.record(z.string().max(100), z.string().max(1000)).optional(),
  }),
  choice: z.string().max(100).optional(),
  skip: z.boolean().optional(),
  form: z.boolean().optional(),
});

/** The tenant of an activity: Teams puts it in channelData and (newer) in conversation.tenantId. */
export function tenantOf(activity: Partial<Activity>): string {
  const fromChannel = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const id = typeof fromChannel === 'string' ? fromChannel : activity.conversation?.tenantId;
  return id && id.length > 0 ? id : 'unknown';
}

/** A storable ref with everything needed to write first later (serviceUrl, bot, tenant). */
export function conversationRefOf(activity: Partial<Activity>): ConversationRef {
  const conversation = activity.conversation!;
  const extra: TeamsRefExtra = {
    serviceUrl: activity.serviceUrl!,
    channelId: activity.channelId ?? 'msteams',
    botId: activity.recipient!.id,
  };
  if (activity.recipient?.name) extra.botName = activity.recipient.name;
  if (conversation.conversationType) extra.conversationType = conversation.conversationType;
  const isDirect =
    conversation.conversationType === 'personal' ||
    (conversation.conversationType === undefined && !conversation.isGroup);
  if (isDirect && activity.from?.id && activity.from.id !== activity.recipient!.id) {
    extra.userId = activity.from.id;
    extra.personUserId = activity.from.aadObjectId ?? activity.from.id;
  }
  const ref: ConversationRef = {
    platform: 'teams',
    tenantId: tenantOf(activity),
    conversationId: conversation.id,
    isDirect,
    extra: { ...extra },
  };
  const thread = /;messageid=(\d+)/.exec(conversation.id);
  if (thread?.[1]) ref.threadId = thread[1];
  return ref;
}

/** The person: keyed on the Entra object id when Teams gives it (stable across bots), else the Teams user id. */
export function userRefOf(activity: Partial<Activity>, member: ChannelAccount = activity.from!): UserRef {
  // Enough to open a personal chat with this person later (openDirect): who, where, and as which bot.
  const extra: Record<string, string> = {
    teamsUserId: member.id,
    serviceUrl: activity.serviceUrl!,
    botId: activity.recipient!.id,
  };
  if (member.aadObjectId) extra.aadObjectId = member.aadObjectId;
  return { platform: 'teams', tenantId: tenantOf(activity), userId: member.aadObjectId ?? member.id, extra };
}

/** Where and as whom an outbound activity goes: the fields every activity to a stored conversation carries. */
export interface OutboundAddress {
  serviceUrl: string;
  channelId: string;
  conversation: { id: string; tenantId: string; conversationType: string; isGroup: boolean };
  from: { id: string; name?: string };
  recipient?: { id: string };
}

/** The address of a stored neutral ref; throws when the ref lacks its serviceUrl or bot. */
export function outboundAddress(ref: ConversationRef): OutboundAddress {
  const extra = (ref.extra ?? {}) as Partial<TeamsRefExtra>;
  if (!extra.serviceUrl || !extra.botId) throw new Error('teams conversation ref lacks serviceUrl or botId');
  return {
    serviceUrl: extra.serviceUrl,
    channelId: extra.channelId ?? 'msteams',
    conversation: {
      id: ref.conversationId,
      tenantId: ref.tenantId,
      conversationType: extra.conversationType ?? (ref.isDirect ? 'personal' : 'channel'),
      isGroup: !ref.isDirect,
    },
    from: extra.botName ? { id: extra.botId, name: extra.botName } : { id: extra.botId },
    ...(extra.userId ? { recipient: { id: extra.userId } } : {}),
  };
}

/** Remove the `<at>Bot</at>` mention of this bot; say whether it was there. */
export function stripBotMention(activity: Partial<Activity>): { text: string; isMention: boolean } {
  let text = activity.text ?? '';
  if (!activity.entities?.length && !text.includes('<at>')) return { text: text.trim(), isMention: false };
  let isMention = false;
  for (const entity of activity.entities ?? []) {
    const mentioned = (entity as { mentioned?: { id?: string }; text?: string }).mentioned;
    if (entity.type !== 'mention' || mentioned?.id !== activity.recipient?.id) continue;
    isMention = true;
    const tag = (entity as { text?: string }).text;
    if (tag) text = text.split(tag).join(' ');
  }
  const hasMentionEntities = (activity.entities ?? []).some((e) => e.type === 'mention');
  if (
    !isMention &&
    !hasMentionEntities &&
    /<at>[^<]*<\/at>/.test(text) &&
    activity.conversation?.conversationType !== 'personal'
  ) {
    // Some clients send the tag without an entity; in a shared conversation the bot only hears mentions.
    isMention = true;
  }
  text = text.replace(/<at>[^<]*<\/at>/g, ' ');
  // Only the gap the tag leaves is closed up; line breaks in what the person typed stay.
  return { text: text.replace(/[ \t]{2,}/g, ' ').trim(), isMention };
}

/** Card data → ActionPayload, or undefined when it is not a Bubbelbreker card action. */
export function actionPayloadOf(data: unknown): ActionPayload | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const record = data as Record<string, unknown>;
  const parsed = Bb.safeParse(record.bb);
  if (!parsed.success) return undefined;
  const bb = parsed.data;
  const payload: ActionPayload = {
    route: bb.route.data ? bb.route : { feature: bb.route.feature, verb: bb.route.verb },
  };
  if (bb.choice !== undefined) payload.choice = bb.choice;
  const values = record[INPUT_VALUES];
  if (typeof values === 'string')
    payload.values = values
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  else if (Array.isArray(values)) payload.values = values.filter((v): v is string => typeof v === 'string');
  if (bb.form) payload.fields = formFieldsOf(record);
  if (bb.skip) payload.text = '';
  else if (typeof record[INPUT_TEXT] === 'string') payload.text = (record[INPUT_TEXT] as string).trim();
  else if (INPUT_TEXT in record) payload.text = '';
  return payload;
}

/** A form's inputs (`bb_f_<id>`, a date-time as `__date` and `__time`) as the neutral fields. */
function formFieldsOf(record: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  const stamps: Record<string, { date?: string; time?: string }> = {};
  for (const [key, value] of Object.entries(record)) {
    if (!key.startsWith(INPUT_FIELD_PREFIX) || typeof value !== 'string') continue;
    const name = key.slice(INPUT_FIELD_PREFIX.length);
    const part = /^(.+)__(date|time)$/.exec(name);
    if (part) stamps[part[1] as string] = { ...stamps[part[1] as string], [part[2] as 'date' | 'time']: value };
    else fields[name] = value;
  }
  for (const [name, { date, time }] of Object.entries(stamps)) fields[name] = date ? `${date}T${time || '09:00'}` : '';
  return fields;
}

/** True for an Action.Execute invoke from a card. */
export function isCardInvoke(activity: Partial<Activity>): boolean {
  return activity.type === 'invoke' && activity.name === 'adaptiveCard/action';
}

/** True for an Action.Submit: a message with a `value` object and no typed text. */
export function isCardSubmit(activity: Partial<Activity>): boolean {
  return activity.type === 'message' && !activity.text && !!activity.value && typeof activity.value === 'object';
}

/** The action data of either kind of card action. */
export function cardDataOf(activity: Partial<Activity>): unknown {
  if (isCardInvoke(activity)) {
    const action = (activity.value as { action?: { type?: string; verb?: string; data?: unknown } } | undefined)
      ?.action;
    return action?.verb === CARD_VERB ? action.data : undefined;
  }
  return isCardSubmit(activity) ? activity.value : undefined;
}

/** What kind of lifecycle change an activity is, if any. */
export function lifecycleOf(activity: Partial<Activity>): 'install' | 'uninstall' | undefined {
  if (activity.type === 'installationUpdate') {
    if (activity.action === 'add') return 'install';
    if (activity.action === 'remove') return 'uninstall';
    return undefined; // add-upgrade / remove-upgrade: the app changed, the person did not
  }
  if (activity.type === 'conversationUpdate') {
    const botId = activity.recipient?.id;
    if (activity.membersAdded?.some((m) => m.id === botId)) return 'install';
    if (activity.membersRemoved?.some((m) => m.id === botId)) return 'uninstall';
  }
  return undefined;
}

/** The action the core answers with errors.unknownAction (no dialog or feature has this id). */
export const UNKNOWN_ACTION: ActionPayload = { route: { feature: '$unknown', verb: '$unknown' } };

/** A card action whose data is not (or no longer) ours, as an ActionEvent the core answers itself. */
export function unknownActionEvent(activity: Partial<Activity>, receivedAt = Date.now()): ActionEvent {
  const conversation = conversationRefOf(activity);
  return {
    id: activity.id ?? randomUUID(),
    platform: 'teams',
    user: userRefOf(activity),
    conversation,
    receivedAt,
    ...(activity.locale ? { locale: activity.locale } : {}),
    kind: 'action',
    action: { ...UNKNOWN_ACTION },
    ...(activity.replyToId ? { source: { conversation, messageId: activity.replyToId } } : {}),
  };
}

/** Map an activity to an InboundEvent; undefined when the core has nothing to do with it. */
export function toInboundEvent(activity: Partial<Activity>, receivedAt = Date.now()): InboundEvent | undefined {
  const base = {
    id: activity.id ?? randomUUID(),
    platform: 'teams' as const,
    user: userRefOf(activity),
    conversation: conversationRefOf(activity),
    receivedAt,
    ...(activity.locale ? { locale: activity.locale } : {}),
    ...(activity.localTimezone ? { timeZone: activity.localTimezone } : {}),
  };
  const data = cardDataOf(activity);
  if (data !== undefined) {
    const action = actionPayloadOf(data);
    if (!action) return undefined;
    const source: SentRef | undefined = activity.replyToId
      ? { conversation: base.conversation, messageId: activity.replyToId }
      : undefined;
    return { ...base, kind: 'action', action, ...(source ? { source } : {}) };
  }
  if (activity.type === 'message') {
    const { text, isMention } = stripBotMention(activity);
    if (text.length === 0) return undefined;
    return { ...base, kind: 'message', text, ...(base.conversation.isDirect ? {} : { isMention }) };
  }
  const lifecycle = lifecycleOf(activity);
  if (lifecycle === 'install' || lifecycle === 'uninstall') {
    // The person who installed is `from`; in a personal chat that is who the bot will talk to.
    return { ...base, id: `${lifecycle}:${base.id}`, kind: lifecycle };
  }
  return undefined;
}
