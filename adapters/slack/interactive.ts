/**
 * Interactivity: clicks (block_actions) and the note modal's submission (view_submission), read after their
 * shape was checked (payloads.ts) into turns for the core.
 */
import type { ActionPayload, Route } from '../../src/core/index.js';
import { ACTION_PREFIX, decodeActionId, routePrefix } from './action-id.js';
import { FORM_CALLBACK_ID, readFormSubmission } from './form.js';
import { INPUT_ACTION_ID, INPUT_BLOCK_ID, INPUT_CALLBACK_ID, parseModalMetadata, parseModalSpec } from './modal.js';
import { BlockActions, check, type StateValues, ViewSubmission } from './payloads.js';
import { direct, given, type Interpretation, nothing, refused, slackUser, turn, type Work } from './work.js';

/** The route of a control that was tampered with or comes from an older version: no feature has it. */
const INVALID_ROUTE: Route = { feature: '$invalid', verb: '$invalid' };

/** A click on one of our controls: a turn per action (or a modal to open first). */
export function fromBlockActions(body: Record<string, unknown>, receivedAt: number): Interpretation {
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
    if (!decoded) action = { route: INVALID_ROUTE };
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
        ...(triggerId ? { triggerId } : {}),
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

/** The note modal submitted: its text answers the question that opened it. */
export function fromViewSubmission(body: Record<string, unknown>, receivedAt: number): Interpretation {
  const checked = check(ViewSubmission, body);
  if (!checked.ok) return refused(checked.refusal);
  const { view, user } = checked.data;
  const userId = user.id;
  const teamId = given(checked.data.team?.id) ?? given(user.team_id);
  if (!teamId) return refused({ reason: 'missing_field', field: 'team.id' });
  const submission: Submission = {
    view: body.view as Record<string, unknown>,
    teamId,
    userId,
    triggerId: textOf(body.trigger_id),
    receivedAt,
  };
  // The form's fields have many element types; form.ts reads them from the payload as sent.
  if (view.callback_id === FORM_CALLBACK_ID) return fromFormSubmission(submission);
  if (view.callback_id !== INPUT_CALLBACK_ID) return nothing;
  const meta = parseModalMetadata(given(view.private_metadata));
  const decoded = meta && decodeActionId(meta.actionId);
  if (!meta || !decoded) return unreadableSubmission(submission);
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
      id: submissionId(body.view as Record<string, unknown>, textOf(body.trigger_id)),
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

/**
 * The id of one submission: the view and its hash, plus the submission's trigger — Slack keeps a modal's id and hash
 * when it shows errors, so the corrected submission of the same modal must not look like a redelivery of the first.
 */
const submissionId = (view: Record<string, unknown>, triggerId: string | undefined): string =>
  `view:${textOf(view.id) ?? ''}:${textOf(view.hash) ?? ''}:${triggerId ?? ''}`;

/** A field of the raw payload that should be a non-empty string. */
const textOf = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** A modal submission as Slack sent it: the view (read raw), who submitted it, its trigger and when. */
interface Submission {
  view: Record<string, unknown>;
  teamId: string;
  userId: string;
  triggerId: string | undefined;
  receivedAt: number;
}

/** A submitted form modal: an action on the form's route with its fields; answers go to the 1:1 chat. */
function fromFormSubmission(submission: Submission): Interpretation {
  const read = readFormSubmission(submission.view);
  if (!read) return unreadableSubmission(submission);
  return submissionTurn(submission, read.action, true);
}

/**
 * A modal whose private_metadata we cannot read (changed on the way, or from an older version): a route no feature
 * has, which the core answers kindly in the 1:1 chat. Never a 4xx: Slack would only show "trouble connecting".
 */
function unreadableSubmission(submission: Submission): Interpretation {
  return submissionTurn(submission, { route: INVALID_ROUTE }, false);
}

/** A modal submission as a turn in the 1:1 chat; `inView`: the answer may go back into the modal itself. */
function submissionTurn(
  { view, teamId, userId, triggerId, receivedAt }: Submission,
  action: ActionPayload,
  inView: boolean,
): Interpretation {
  return turn({
    event: {
      kind: 'action',
      id: submissionId(view, triggerId),
      platform: 'slack',
      user: slackUser(teamId, userId),
      conversation: direct(teamId, ''),
      action,
      receivedAt,
    },
    target: { teamId, userId, isDirect: true, ...(inView && triggerId ? { triggerId } : {}) },
    resolve: 'dm',
    ...(inView ? { answerInView: true } : {}),
  });
}
