import type { ActionPayload, InboundEvent, Route, UserRef } from '../../src/core/index.js';
import { ACTION_PREFIX, decodeActionId, routePrefix } from './action-id.js';
import { INPUT_ACTION_ID, INPUT_BLOCK_ID, INPUT_CALLBACK_ID, parseModalMetadata, parseModalSpec } from './modal.js';
import {
  BlockActions,
  check,
  EVENTS,
  EventEnvelope,
  type Refusal,
  SlashCommand,
  type StateValues,
  UrlVerification,
  ViewSubmission,
} from './payloads.js';
import type { HomeRequest, ModalRequest, ReplyTarget } from './types.js';

/** A turn for the core. `resolve` names what must be looked up (after the ack) before the core sees it. */
export interface TurnWork {
  type: 'turn';
  event: InboundEvent;
  target: ReplyTarget;
  /** `dm`: the event came from the App Home, answers go to the 1:1 chat. `command`: a slash command in a DM channel. */
  resolve?: 'dm' | 'command';
}

/** The workspace removed the app or revoked its bot token. */
export interface UninstallWork {
  type: 'uninstall';
  teamId: string;
  event: InboundEvent;
}

export type Work = TurnWork | HomeRequest | ModalRequest | UninstallWork;

/** How to answer the HTTP request (or Socket Mode envelope), and what to do after. */
export type Interpretation =
  | { ack: 'challenge'; challenge: string }
  | { ack: 'ok'; work: Work[]; ignored?: string }
  | { ack: 'invalid'; reason: string; field?: string };

const slackUser = (tenantId: string, userId: string): UserRef => ({ platform: 'slack', tenantId, userId });
const invalid = (reason: string): Interpretation => ({ ack: 'invalid', reason });
const refused = (refusal: Refusal): Interpretation => ({ ack: 'invalid', ...refusal });
const nothing: Interpretation = { ack: 'ok', work: [] };
/** What a payload type looks like; anything else is logged as `other`, never as sent. */
const PAYLOAD_TYPE = /^[a-z][a-z_]{0,39}$/;
/** Empty strings count as absent, as Slack means them. */
const given = (value: string | null | undefined): string | undefined => (value ? value : undefined);

/**
 * Read one Slack payload (Events API, interactivity or slash command) into work for after the ack. Its shape is
 * checked first (payloads.ts): a field we read with the wrong type is refused with the field named.
 */
export function interpret(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const type = body.type;
  if (type !== undefined && typeof type !== 'string') return refused({ reason: 'invalid_field', field: 'type' });
  if (type === 'url_verification') {
    const checked = check(UrlVerification, body);
    return checked.ok ? { ack: 'challenge', challenge: checked.data.challenge } : refused(checked.refusal);
  }
  if (body.ssl_check === '1') return nothing;
  if (type === 'event_callback') return fromEvent(body, receivedAt);
  if (type === 'app_rate_limited') return nothing;
  if (type === 'block_actions') return fromBlockActions(body, receivedAt);
  if (type === 'view_submission') return fromViewSubmission(body, receivedAt);
  if (type === 'view_closed') return nothing;
  if (type === undefined && body.command !== undefined) return fromCommand(body, receivedAt);
  // A signed payload we do not handle (shortcut, message_action, block_suggestion, …): acknowledge it and do nothing,
  // since every non-2xx counts towards Slack disabling the app. Only a body without any type is malformed.
  if (type !== undefined) return { ack: 'ok', work: [], ignored: PAYLOAD_TYPE.test(type) ? type : 'other' };
  return invalid('unknown_payload_type');
}

function fromEvent(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const envelope = check(EventEnvelope, body);
  if (!envelope.ok) return refused(envelope.refusal);
  const { event_id: eventId, event } = envelope.data;
  const auth = envelope.data.authorizations?.[0];
  const teamId = given(envelope.data.team_id) ?? given(auth?.team_id);
  if (!eventId || !teamId) return refused({ reason: 'missing_field', field: eventId ? 'team_id' : 'event_id' });
  const botUserId = given(auth?.user_id);
  switch (event.type) {
    case 'message': {
      const checked = check(EVENTS.message, event, 'event');
      if (!checked.ok) return refused(checked.refusal);
      const e = checked.data;
      // Only what a person typed in the 1:1 chat: no edits, joins or bot messages (our own included).
      if (e.channel_type !== 'im' || e.subtype != null || e.bot_id != null) return nothing;
      const user = given(e.user);
      const channel = given(e.channel);
      if (!user || !channel || user === botUserId) return nothing;
      return turn({
        event: {
          kind: 'message',
          id: eventId,
          platform: 'slack',
          user: slackUser(teamId, user),
          conversation: direct(teamId, channel),
          text: e.text ?? '',
          receivedAt,
        },
        target: { teamId, userId: user, channel, isDirect: true },
      });
    }
    case 'app_mention': {
      const checked = check(EVENTS.app_mention, event, 'event');
      if (!checked.ok) return refused(checked.refusal);
      const e = checked.data;
      const user = given(e.user);
      const channel = given(e.channel);
      if (!user || !channel || e.bot_id != null || user === botUserId) return nothing;
      const threadTs = given(e.thread_ts) ?? given(e.ts);
      const text = stripMentions(e.text ?? '', botUserId);
      return turn({
        event: {
          kind: 'message',
          id: eventId,
          platform: 'slack',
          user: slackUser(teamId, user),
          conversation: {
            platform: 'slack',
            tenantId: teamId,
            conversationId: channel,
            threadId: threadTs,
            isDirect: false,
          },
          text,
          isMention: true,
          receivedAt,
        },
        target: { teamId, userId: user, channel, threadTs, isDirect: false },
      });
    }
    case 'app_home_opened': {
      const checked = check(EVENTS.app_home_opened, event, 'event');
      if (!checked.ok) return refused(checked.refusal);
      const user = given(checked.data.user);
      if (checked.data.tab !== 'home' || !user) return nothing;
      const channel = given(checked.data.channel);
      return { ack: 'ok', work: [{ kind: 'home', id: `home:${eventId}`, teamId, userId: user, channel }] };
    }
    case 'app_uninstalled':
      return uninstall(teamId, eventId, receivedAt);
    case 'tokens_revoked': {
      const checked = check(EVENTS.tokens_revoked, event, 'event');
      if (!checked.ok) return refused(checked.refusal);
      return (checked.data.tokens?.bot?.length ?? 0) > 0 ? uninstall(teamId, eventId, receivedAt) : nothing;
    }
    default:
      return nothing;
  }
}

function uninstall(teamId: string, eventId: string, receivedAt: number): Interpretation {
  // Nobody in particular removed the app: the event stands for the workspace.
  const event: InboundEvent = {
    kind: 'uninstall',
    id: eventId,
    platform: 'slack',
    user: slackUser(teamId, 'workspace'),
    conversation: { platform: 'slack', tenantId: teamId, conversationId: '', isDirect: false },
    receivedAt,
  };
  return { ack: 'ok', work: [{ type: 'uninstall', teamId, event }] };
}

/** Drop `<@BOT>` (and `<@BOT|name>`) so "@Bubbelbreker checkin" reads as "checkin". */
export function stripMentions(text: string, botUserId: string | undefined): string {
  const pattern = botUserId
    ? new RegExp(`<@${botUserId.replace(/[^A-Za-z0-9]/g, '')}(\\|[^>]*)?>`, 'g')
    : /^\s*<@[A-Z0-9]+(\|[^>]*)?>/;
  return text.replace(pattern, ' ').replace(/\s+/g, ' ').trim();
}

const direct = (teamId: string, channel: string) => ({
  platform: 'slack' as const,
  tenantId: teamId,
  conversationId: channel,
  isDirect: true,
});
const turn = (work: Omit<TurnWork, 'type'>): Interpretation => ({ ack: 'ok', work: [{ type: 'turn', ...work }] });

function fromBlockActions(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const checked = check(BlockActions, body);
  if (!checked.ok) return refused(checked.refusal);
  const payload = checked.data;
  const userId = payload.user.id;
  const teamId = given(payload.team?.id) ?? given(payload.user.team_id);
  if (!teamId) return refused({ reason: 'missing_field', field: 'team.id' });
  const container = payload.container;
  const fromHome = container?.type === 'view';
  const channel = given(payload.channel?.id) ?? given(container?.channel_id);
  const messageTs = given(container?.message_ts) ?? given(payload.message?.ts);
  const threadTs = given(payload.message?.thread_ts);
  const ephemeral = container?.is_ephemeral === true;
  const responseUrl = given(payload.response_url);
  const triggerId = given(payload.trigger_id);
  const work: Work[] = [];

  payload.actions.forEach((raw, index) => {
    const actionId = raw.action_id ?? '';
    if (!actionId.startsWith(`${ACTION_PREFIX}|`)) return; // not one of ours (e.g. a link button)
    const value = given(raw.value);
    const decoded = decodeActionId(actionId, value);
    const source = channel && messageTs && !fromHome ? { channel, ts: messageTs, ephemeral } : undefined;
    if (decoded?.kind === 'x') return; // ticking a box: the submit button carries the choice
    if (decoded?.kind === 'i') {
      const spec = parseModalSpec(value);
      if (!spec || !triggerId) return;
      work.push({
        kind: 'modal',
        teamId,
        userId,
        triggerId,
        actionId,
        spec,
        source: source && { ...source, threadTs, responseUrl },
      });
      return;
    }
    let action: ActionPayload;
    // Tampered or from an old version: a route no feature has, which the core answers kindly.
    if (!decoded) action = { route: { feature: '$invalid', verb: '$invalid' } };
    else if (decoded.kind === 'm')
      action = { ...decoded.payload, values: checkedValues(payload.state, decoded.payload.route) };
    else if (decoded.kind === 's') action = { ...decoded.payload, choice: given(raw.selected_option?.value) };
    else action = decoded.payload;
    // Stable across Slack redeliveries of one click, different for two clicks; no user id (it is logged and stored)
    // and not the action_id either, which can carry the chosen answer.
    const actionTs = given(raw.action_ts) ?? (triggerId ? '-' : String(receivedAt));
    const id = `act:${teamId}:${triggerId ?? messageTs ?? '-'}:${actionTs}:${index}`;
    const conversation =
      fromHome || !channel
        ? direct(teamId, '')
        : {
            platform: 'slack' as const,
            tenantId: teamId,
            conversationId: channel,
            threadId: threadTs,
            isDirect: channel.startsWith('D'),
          };
    work.push({
      type: 'turn',
      event: {
        kind: 'action',
        id,
        platform: 'slack',
        user: slackUser(teamId, userId),
        conversation,
        action,
        receivedAt,
        ...(source && !source.ephemeral ? { source: { conversation, messageId: source.ts } } : {}),
      },
      target: {
        teamId,
        userId,
        channel: fromHome ? undefined : channel,
        threadTs,
        isDirect: conversation.isDirect,
        responseUrl,
        source,
      },
      resolve: fromHome || !channel ? 'dm' : undefined,
    });
  });
  return { ack: 'ok', work };
}

/** The boxes ticked in the checkbox groups that belong to the same question (route) as the submit button. */
function checkedValues(state: StateValues, route: Route): string[] {
  const prefix = `${routePrefix('x', route)}|`;
  const values: string[] = [];
  for (const block of Object.values(state?.values ?? {})) {
    for (const [actionId, element] of Object.entries(block)) {
      if (!actionId.startsWith(prefix)) continue;
      for (const option of element.selected_options ?? []) if (option.value) values.push(option.value);
    }
  }
  return values;
}

function fromViewSubmission(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const checked = check(ViewSubmission, body);
  if (!checked.ok) return refused(checked.refusal);
  const { view, user } = checked.data;
  const userId = user.id;
  const teamId = given(checked.data.team?.id) ?? given(user.team_id);
  if (!teamId) return refused({ reason: 'missing_field', field: 'team.id' });
  if (view.callback_id !== INPUT_CALLBACK_ID) return nothing;
  const meta = parseModalMetadata(given(view.private_metadata));
  const decoded = meta && decodeActionId(meta.actionId);
  if (!meta || !decoded) return invalid('bad_view_metadata');
  const text = view.state?.values[INPUT_BLOCK_ID]?.[INPUT_ACTION_ID]?.value ?? '';
  const channel = meta.channel;
  const conversation = channel
    ? {
        platform: 'slack' as const,
        tenantId: teamId,
        conversationId: channel,
        threadId: meta.threadTs,
        isDirect: channel.startsWith('D'),
      }
    : direct(teamId, '');
  const source = channel && meta.ts ? { channel, ts: meta.ts, ephemeral: meta.ephemeral } : undefined;
  return turn({
    event: {
      kind: 'action',
      id: `view:${view.id ?? ''}:${view.hash ?? ''}`,
      platform: 'slack',
      user: slackUser(teamId, userId),
      conversation,
      action: { ...decoded.payload, text },
      receivedAt,
      ...(source && !source.ephemeral ? { source: { conversation, messageId: source.ts } } : {}),
    },
    target: {
      teamId,
      userId,
      channel,
      threadTs: meta.threadTs,
      isDirect: conversation.isDirect,
      responseUrl: meta.responseUrl,
      source,
    },
    resolve: channel ? undefined : 'dm',
  });
}

function fromCommand(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const checked = check(SlashCommand, body);
  if (!checked.ok) return refused(checked.refusal);
  const { team_id: teamId, user_id: userId, channel_id: channel, trigger_id: triggerId } = checked.data;
  const empty = [
    ['team_id', teamId],
    ['user_id', userId],
    ['channel_id', channel],
    ['trigger_id', triggerId],
  ].find(([, value]) => !value);
  if (empty) return refused({ reason: 'missing_field', field: empty[0] as string });
  return turn({
    event: {
      kind: 'command',
      id: `cmd:${triggerId}`,
      platform: 'slack',
      user: slackUser(teamId, userId),
      // Whether this is the bot's own 1:1 chat is looked up after the ack (resolve: 'command').
      conversation: { platform: 'slack', tenantId: teamId, conversationId: channel, isDirect: false },
      text: checked.data.text ?? '',
      receivedAt,
    },
    target: { teamId, userId, channel, isDirect: false, responseUrl: given(checked.data.response_url) },
    resolve: channel.startsWith('D') ? 'command' : undefined,
  });
}
