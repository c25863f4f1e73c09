/**
 * What one Slack payload turns into: work for after the ack (a turn for the core, the App Home, a modal, an
 * uninstall), and how to answer the request. Shared by the readers of events (inbound.ts) and interactivity
 * (interactive.ts).
 */
import type { InboundEvent, UserRef } from '../../src/core/index.js';
import type { Refusal } from './payloads.js';
import type { HomeRequest, ModalRequest, ReplyTarget } from './types.js';

/** A turn for the core. `resolve` names what must be looked up (after the ack) before the core sees it. */
export interface TurnWork {
  type: 'turn';
  event: InboundEvent;
  target: ReplyTarget;
  /** `dm`: the event came from the App Home, answers go to the 1:1 chat. `command`: a slash command in a DM channel. */
  resolve?: 'dm' | 'command';
  /**
   * A form modal's submission: Slack waits (up to 3 s) for the HTTP answer, and a form the core sends back (refused,
   * with the reason) becomes that answer (`response_action`), so the modal stays open with everything typed.
   */
  answerInView?: boolean;
}

/** What Slack is told in answer to a view_submission: keep the modal open with errors, or show another view. */
export type ViewAnswer =
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'update'; view: Record<string, unknown> };

/** True for work whose turn answers in the HTTP response (see TurnWork.answerInView). */
export const answersInView = (item: Work): boolean =>
  !('kind' in item) && item.type === 'turn' && item.answerInView === true;

/** The workspace removed the app or revoked its bot token. */
export interface UninstallWork {
  type: 'uninstall';
  teamId: string;
  event: InboundEvent;
}

/** Anything to do after the ack. */
export type Work = TurnWork | HomeRequest | ModalRequest | UninstallWork;

/** How to answer the HTTP request (or Socket Mode envelope), and what to do after. */
export type Interpretation =
  | { ack: 'challenge'; challenge: string }
  | { ack: 'ok'; work: Work[]; ignored?: string; sentAt?: number }
  | { ack: 'invalid'; reason: string; field?: string };

/** A Slack person as the core names them. */
export const slackUser = (tenantId: string, userId: string): UserRef => ({ platform: 'slack', tenantId, userId });
/** A refusal of the whole payload (400), for a reason that is not one field. */
export const invalid = (reason: string): Interpretation => ({ ack: 'invalid', reason });
/** A refusal naming the field that does not fit. */
export const refused = (refusal: Refusal): Interpretation => ({ ack: 'invalid', ...refusal });
/** Acknowledged, nothing to do. */
export const nothing: Interpretation = { ack: 'ok', work: [] };
/** Empty strings count as absent, as Slack means them. */
export const given = (value: string | null | undefined): string | undefined => (value ? value : undefined);

/** The conversation of a 1:1 chat. */
export const direct = (teamId: string, channel: string) => ({
  platform: 'slack' as const,
  tenantId: teamId,
  conversationId: channel,
  isDirect: true,
});
/** One turn as the whole outcome. */
export const turn = (work: Omit<TurnWork, 'type'>): Interpretation => ({
  ack: 'ok',
  work: [{ type: 'turn', ...work }],
});
