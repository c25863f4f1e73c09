import type { ActionPayload, InboundEvent, Route, UserRef } from '../../src/core/index.js';
import { ACTION_PREFIX, decodeActionId, routePrefix } from './action-id.js';
import { FORM_CALLBACK_ID, readFormSubmission } from './form.js';
import { INPUT_ACTION_ID, INPUT_BLOCK_ID, INPUT_CALLBACK_ID, parseModalMetadata, parseModalSpec } from './modal.js';
import { arr, obj, str } from './parse.js';
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
  | { ack: 'invalid'; reason: string };

const slackUser = (tenantId: string, userId: string): UserRef => ({ platform: 'slack', tenantId, userId });
const invalid = (reason: string): Interpretation => ({ ack: 'invalid', reason });
const nothing: Interpretation = { ack: 'ok', work: [] };
/** What a payload type looks like; anything else is logged as `other`, never as sent. */
const PAYLOAD_TYPE = /^[a-z][a-z_]{0,39}$/;

/** Read one Slack payload (Events API, interactivity or slash command) into work for after the ack. */
export function interpret(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const type = str(body, 'type');
  if (type === 'url_verification') {
    const challenge = str(body, 'challenge');
    return challenge ? { ack: 'challenge', challenge } : invalid('missing_challenge');
  }
  if (body.ssl_check === '1') return nothing;
  if (type === 'event_callback') return fromEvent(body, receivedAt);
  if (type === 'app_rate_limited') return nothing;
  if (type === 'block_actions') return fromBlockActions(body, receivedAt);
  if (type === 'view_submission') return fromViewSubmission(body, receivedAt);
  if (type === 'view_closed') return nothing;
  if (type === undefined && typeof body.command === 'string') return fromCommand(body, receivedAt);
  // A signed payload we do not handle (shortcut, message_action, block_suggestion, …): acknowledge it and do nothing,
  // since every non-2xx counts towards Slack disabling the app. Only a body without any type is malformed.
  if (type !== undefined) return { ack: 'ok', work: [], ignored: PAYLOAD_TYPE.test(type) ? type : 'other' };
  return invalid('unknown_payload_type');
}

function fromEvent(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const eventId = str(body, 'event_id');
  const event = obj(body, 'event');
  const auth = arr(body, 'authorizations')?.[0];
  const teamId = str(body, 'team_id') ?? str(auth, 'team_id');
  if (!eventId || !event || !teamId) return invalid('missing_event_fields');
  const botUserId = str(auth, 'user_id');
  const user = str(event, 'user');
  const channel = str(event, 'channel');
  switch (str(event, 'type')) {
    case 'message': {
      // Only what a person typed in the 1:1 chat: no edits, joins or bot messages (our own included).
      if (str(event, 'channel_type') !== 'im' || event.subtype !== undefined || event.bot_id !== undefined)
        return nothing;
      if (!user || !channel || user === botUserId) return nothing;
      return turn({
        event: {
          kind: 'message',
          id: eventId,
          platform: 'slack',
          user: slackUser(teamId, user),
          conversation: direct(teamId, channel),
          text: str(event, 'text') ?? '',
          receivedAt,
        },
        target: { teamId, userId: user, channel, isDirect: true },
      });
    }
    case 'app_mention': {
      if (!user || !channel || event.bot_id !== undefined || user === botUserId) return nothing;
      const threadTs = str(event, 'thread_ts') ?? str(event, 'ts');
      const text = stripMentions(str(event, 'text') ?? '', botUserId);
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
    case 'app_home_opened':
      if (str(event, 'tab') !== 'home' || !user) return nothing;
      return { ack: 'ok', work: [{ kind: 'home', id: `home:${eventId}`, teamId, userId: user, channel }] };
    case 'app_uninstalled':
      return uninstall(teamId, eventId, receivedAt);
    case 'tokens_revoked':
      return (arr(obj(event, 'tokens'), 'bot')?.length ?? 0) > 0 ? uninstall(teamId, eventId, receivedAt) : nothing;
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
  const userId = str(obj(body, 'user'), 'id');
  const teamId = str(obj(body, 'team'), 'id') ?? str(obj(body, 'user'), 'team_id');
  const actions = arr(body, 'actions');
  if (!userId || !teamId || !actions) return invalid('missing_action_fields');
  const container = obj(body, 'container');
  const fromHome = str(container, 'type') === 'view';
  const channel = str(obj(body, 'channel'), 'id') ?? str(container, 'channel_id');
  const messageTs = str(container, 'message_ts') ?? str(obj(body, 'message'), 'ts');
  const threadTs = str(obj(body, 'message'), 'thread_ts');
  const ephemeral = container?.is_ephemeral === true;
  const responseUrl = str(body, 'response_url');
  const triggerId = str(body, 'trigger_id');
  const work: Work[] = [];

  actions.forEach((raw, index) => {
    const actionId = str(raw, 'action_id') ?? '';
    if (!actionId.startsWith(`${ACTION_PREFIX}|`)) return; // not one of ours (e.g. a link button)
    const decoded = decodeActionId(actionId, str(raw, 'value'));
    const source = channel && messageTs && !fromHome ? { channel, ts: messageTs, ephemeral } : undefined;
    if (decoded?.kind === 'x') return; // ticking a box: the submit button carries the choice
    if (decoded?.kind === 'i') {
      const spec = parseModalSpec(str(raw, 'value'));
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
    else if (decoded.kind === 'm') action = { ...decoded.payload, values: checkedValues(body, decoded.payload.route) };
    else if (decoded.kind === 's') action = { ...decoded.payload, choice: str(obj(raw, 'selected_option'), 'value') };
    else action = decoded.payload;
    // Stable across Slack redeliveries of one click, different for two clicks; no user id (it is logged and stored)
    // and not the action_id either, which can carry the chosen answer.
    const actionTs = str(raw, 'action_ts') ?? (triggerId ? '-' : String(receivedAt));
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
        ...(triggerId ? { triggerId } : {}),
      },
      resolve: fromHome || !channel ? 'dm' : undefined,
    });
  });
  return { ack: 'ok', work };
}

/** The boxes ticked in the checkbox groups that belong to the same question (route) as the submit button. */
function checkedValues(body: Record<string, unknown>, route: Route): string[] {
  const prefix = `${routePrefix('x', route)}|`;
  const values: string[] = [];
  for (const block of Object.values(obj(obj(body, 'state'), 'values') ?? {})) {
    for (const [actionId, state] of Object.entries((block ?? {}) as Record<string, unknown>)) {
      if (!actionId.startsWith(prefix)) continue;
      for (const option of arr(state, 'selected_options') ?? []) {
        const value = str(option, 'value');
        if (value) values.push(value);
      }
    }
  }
  return values;
}

function fromViewSubmission(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const view = obj(body, 'view');
  const userId = str(obj(body, 'user'), 'id');
  const teamId = str(obj(body, 'team'), 'id') ?? str(obj(body, 'user'), 'team_id');
  if (!view || !userId || !teamId) return invalid('missing_view_fields');
  if (str(view, 'callback_id') === FORM_CALLBACK_ID) return fromFormSubmission(body, view, teamId, userId, receivedAt);
  if (str(view, 'callback_id') !== INPUT_CALLBACK_ID) return nothing;
  const meta = parseModalMetadata(str(view, 'private_metadata'));
  const decoded = meta && decodeActionId(meta.actionId);
  if (!meta || !decoded) return invalid('bad_view_metadata');
  const text = str(obj(obj(obj(obj(view, 'state'), 'values'), INPUT_BLOCK_ID), INPUT_ACTION_ID), 'value') ?? '';
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
      id: `view:${str(view, 'id') ?? ''}:${str(view, 'hash') ?? ''}`,
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
  const teamId = str(body, 'team_id');
  const userId = str(body, 'user_id');
  const channel = str(body, 'channel_id');
  const triggerId = str(body, 'trigger_id');
  if (!teamId || !userId || !channel || !triggerId) return invalid('missing_command_fields');
  return turn({
    event: {
      kind: 'command',
      id: `cmd:${triggerId}`,
      platform: 'slack',
      user: slackUser(teamId, userId),
      // Whether this is the bot's own 1:1 chat is looked up after the ack (resolve: 'command').
      conversation: { platform: 'slack', tenantId: teamId, conversationId: channel, isDirect: false },
      text: str(body, 'text') ?? '',
      receivedAt,
    },
    target: { teamId, userId, channel, isDirect: false, responseUrl: str(body, 'response_url'), triggerId },
    resolve: channel.startsWith('D') ? 'command' : undefined,
  });
}

/** A submitted form modal: an action on the form's route with its fields; answers go to the 1:1 chat. */
function fromFormSubmission(
  body: Record<string, unknown>,
  view: Record<string, unknown>,
  teamId: string,
  userId: string,
  receivedAt: number,
): Interpretation {
  const read = readFormSubmission(view);
  if (!read) return invalid('bad_view_metadata');
  const triggerId = str(body, 'trigger_id');
  return turn({
    event: {
      kind: 'action',
      id: `view:${str(view, 'id') ?? ''}:${str(view, 'hash') ?? ''}`,
      platform: 'slack',
      user: slackUser(teamId, userId),
      conversation: direct(teamId, ''),
      action: read.action,
      receivedAt,
    },
    target: { teamId, userId, isDirect: true, ...(triggerId ? { triggerId } : {}) },
    resolve: 'dm',
  });
}
