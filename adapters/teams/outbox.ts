/**
 * Every outbound Bot Connector call goes through here, over our own connector client (connector.ts). Inside an
 * open turn a send in that conversation replies to the turn's activity (POST …/activities/{replyToId}); otherwise
 * — after the turn, after a restart, on another replica — it is a proactive send (POST …/activities, never a
 * replyToId) to the stored reference's serviceUrl. Each call takes a rate-limit slot first and is retried per
 * errors.ts; a blocked recipient fails with RecipientUnreachableError and is not retried.
 */
import {
  AdapterError,
  type ConversationRef,
  type Logger,
  RecipientUnreachableError,
  type UserRef,
} from '../../src/core/index.js';
import type { ConnectorClient } from './connector.js';
import { type RetryPolicy, withRetry } from './errors.js';
import type { SendLimiter } from './limiter.js';
import { type OutboundAddress, outboundAddress } from './parse.js';
import type { TeamsRefExtra } from './types.js';

/**
 * While a turn is open, the id of the activity it answers; undefined once it ended. Asked again before every
 * attempt: the limiter's wait and the backoff can outlast the turn, and then the send goes proactively.
 */
export type TurnSource = () => string | undefined;

export interface OutboxOptions {
  connector: ConnectorClient;
  appId?: string;
  limiter: SendLimiter;
  retry: RetryPolicy;
  log: Logger;
}

/** The activity fields render.ts produces. */
export type OutboundActivity = { type: string } & Record<string, unknown>;

/** Sends, updates and deletes activities with limits and retries. */
export class Outbox {
  constructor(private readonly options: OutboxOptions) {}

  /** Post a new activity; returns its message id. */
  async send(ref: ConversationRef, activity: OutboundActivity, turn?: TurnSource): Promise<string> {
    const address = this.addressOf(ref);
    const addressed = { ...activity, ...address };
    const response = await this.call(ref, 'send', () => {
      const replyToId = turn?.();
      const body = replyToId ? { ...addressed, replyToId } : addressed;
      return this.options.connector.send(address.serviceUrl, ref.conversationId, body, replyToId);
    });
    return response.id ?? '';
  }

  /** Replace an earlier activity in place. */
  async update(ref: ConversationRef, messageId: string, activity: OutboundActivity): Promise<void> {
    const address = this.addressOf(ref);
    const body = { ...activity, ...address, id: messageId };
    await this.call(ref, 'update', () =>
      this.options.connector.update(address.serviceUrl, ref.conversationId, messageId, body),
    );
  }

  /** Delete an earlier activity. */
  async remove(ref: ConversationRef, messageId: string): Promise<void> {
    const { serviceUrl } = this.addressOf(ref);
    await this.call(ref, 'delete', () => this.options.connector.remove(serviceUrl, ref.conversationId, messageId));
  }

  /** Create (or get back — Teams returns the existing one) the personal chat with a person. */
  async openDirect(user: UserRef): Promise<ConversationRef> {
    const extra = user.extra ?? {};
    const serviceUrl = extra.serviceUrl;
    const botId = extra.botId ?? (this.options.appId ? `28:${this.options.appId}` : undefined);
    const teamsUserId = extra.teamsUserId ?? user.userId;
    if (!serviceUrl || !botId) throw new RecipientUnreachableError('teams');
    // Counted against a conversation of its own: the chat does not exist yet (or we do not know its id).
    const pending: ConversationRef = {
      platform: 'teams',
      tenantId: user.tenantId,
      conversationId: `new:${teamsUserId}`,
      isDirect: true,
    };
    const created = await this.call(pending, 'create', () =>
      this.options.connector.createConversation(serviceUrl, {
        isGroup: false,
        bot: { id: botId, name: '' },
        members: [{ id: teamsUserId, name: '' }],
        tenantId: user.tenantId,
        channelData: { tenant: { id: user.tenantId } },
      }),
    );
    if (!created.id) throw new RecipientUnreachableError('teams');
    const refExtra: TeamsRefExtra = {
      serviceUrl,
      channelId: 'msteams',
      botId,
      conversationType: 'personal',
      userId: teamsUserId,
    };
    return {
      platform: 'teams',
      tenantId: user.tenantId,
      conversationId: created.id,
      isDirect: true,
      extra: { ...refExtra },
    };
  }

  private addressOf(ref: ConversationRef): OutboundAddress {
    try {
      return outboundAddress(ref);
    } catch (error) {
      throw new AdapterError('teams', 'conversation reference lacks serviceUrl or bot', { cause: error });
    }
  }

  private call<T>(ref: ConversationRef, what: string, op: () => Promise<T>): Promise<T> {
    return withRetry(op, this.options.retry, {
      beforeAttempt: () => this.options.limiter.acquire(ref.conversationId, ref.tenantId),
      onRetry: (failure, attempt, waitMs) =>
        this.options.log.warn(
          { op: what, status: failure.status, attempt, waitMs },
          'teams connector call failed, retrying',
        ),
    });
  }
}
