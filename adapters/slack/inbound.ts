/**
 * Slack payloads → work: the Events API (messages, mentions, the App Home, uninstalls), slash commands, and — in
 * interactive.ts — clicks and modal submissions. Every payload's shape is checked first (payloads.ts).
 */
import type { InboundEvent } from '../../src/core/index.js';
import { fromBlockActions, fromViewSubmission } from './interactive.js';
import { check, EVENTS, EventEnvelope, SlashCommand, UrlVerification } from './payloads.js';
import { direct, given, type Interpretation, invalid, nothing, refused, slackUser, turn } from './work.js';

export type { Interpretation, TurnWork, UninstallWork, Work } from './work.js';

/** What a payload type looks like; anything else is logged as `other`, never as sent. */
const PAYLOAD_TYPE = /^[a-z][a-z_]{0,39}$/;

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
  if (type === 'event_callback') return withSentAt(fromEvent(body, receivedAt), body.event_time);
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

/**
 * Slack's `event_time` (whole seconds), the same on every redelivery of an event: the inbox files the event's claim
 * by it. Anything else is ignored (the claim is then filed by its hash alone).
 */
function withSentAt(interpretation: Interpretation, eventTime: unknown): Interpretation {
  if (
    interpretation.ack !== 'ok' ||
    typeof eventTime !== 'number' ||
    !Number.isSafeInteger(eventTime) ||
    eventTime <= 0
  )
    return interpretation;
  return { ...interpretation, sentAt: eventTime * 1000 };
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
    target: { teamId, userId, channel, isDirect: false, responseUrl: given(checked.data.response_url), triggerId },
    resolve: channel.startsWith('D') ? 'command' : undefined,
  });
}
