/**
 * Every outbound Bot Connector call goes through here: inside a turn (the turn's connector client, while the turn
 * is open) or proactively (continueConversation from a stored ref: after the turn ended, after a restart or on
 * another replica — T3). Each call takes a
 * rate-limit slot first and is retried per errors.ts; a blocked recipient fails with RecipientUnreachableError.
 */
import type { Activity, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import { type ConversationRef, type Logger, RecipientUnreachableError, type UserRef } from '../../src/core/index.js';
import { type RetryPolicy, withRetry } from './errors.js';
import type { SendLimiter } from './limiter.js';
import { toConversationReference } from './parse.js';
import type { TeamsSdk } from './sdk.js';
import type { TeamsRefExtra } from './types.js';

/** The part of botframework-connector's ConnectorClient we use. */
interface ConnectorClient {
  conversations: {
    createConversation(parameters: ConversationParameters): Promise<{ id?: string }>;
    sendToConversation(conversationId: string, activity: Partial<Activity>): Promise<{ id?: string }>;
    replyToActivity(conversationId: string, activityId: string, activity: Partial<Activity>): Promise<{ id?: string }>;
    updateActivity(conversationId: string, activityId: string, activity: Partial<Activity>): Promise<unknown>;
    deleteActivity(conversationId: string, activityId: string): Promise<unknown>;
  };
  client?: { pipeline?: { removePolicy(options: { name: string }): unknown } };
}

/**
 * Where one connector call goes: a connector client and the conversation of a turn. Taken from a TurnContext in
 * one synchronous step, because botbuilder revokes the context when its turn ends; the call itself then never
 * touches the context again (TurnContext.sendActivity sets `responded` after the send, which would throw on a
 * context revoked in the meantime, after the message went out).
 */
interface Target {
  connector: ConnectorClient;
  reference: Partial<ConversationReference>;
  sdk: TeamsSdk;
}

/**
 * A context's connector client and conversation. The client retries by itself — 429 after whatever Retry-After
 * says, 5xx three times over up to a minute — which would stack with errors.ts and break its bound: that policy
 * is removed here.
 */
function targetOf(sdk: TeamsSdk, ctx: TurnContext): Target {
  const connector = ctx.turnState.get(ctx.adapter.ConnectorClientKey) as ConnectorClient;
  connector.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
  return { connector, reference: sdk.botbuilder.TurnContext.getConversationReference(ctx.activity), sdk };
}

/** The turn's target while its context is live; undefined once the turn ended or botbuilder revoked the context. */
function turnTarget(sdk: TeamsSdk, turn: TurnSource | undefined): Target | undefined {
  const ctx = turn?.();
  if (!ctx) return undefined;
  try {
    return targetOf(sdk, ctx);
  } catch (error) {
    // A revoked context throws a TypeError on any property access.
    if (error instanceof TypeError) return undefined;
    throw error;
  }
}

/** The turn's context while the turn is open, else undefined; asked again before every attempt. */
export type TurnSource = () => TurnContext | undefined;

export interface OutboxOptions {
  sdk: () => Promise<TeamsSdk>;
  appId?: string;
  limiter: SendLimiter;
  retry: RetryPolicy;
  log: Logger;
}

export type OutboundActivity = Partial<Activity> & { type: string };

/**
 * Sends, updates and deletes activities with limits and retries. `turn` gives the turn's context while its turn is
 * open; it is asked again before every attempt, and once the turn has ended the call goes proactively instead.
 */
export class Outbox {
  constructor(private readonly options: OutboxOptions) {}

  /** Post a new activity; returns its message id. */
  async send(ref: ConversationRef, activity: OutboundActivity, turn?: TurnSource): Promise<string> {
    const response = await this.call(
      ref,
      'send',
      async ({ connector, reference, sdk }) => {
        // As TurnContext.sendActivity does: address the activity, and reply to the turn's activity when there is one.
        const addressed = sdk.botbuilder.TurnContext.applyConversationReference({ ...activity }, reference);
        delete addressed.id;
        const conversationId = addressed.conversation!.id;
        return addressed.replyToId
          ? connector.conversations.replyToActivity(conversationId, addressed.replyToId, addressed)
          : connector.conversations.sendToConversation(conversationId, addressed);
      },
      turn,
    );
    return response?.id ?? '';
  }

  /** Replace an earlier activity in place. */
  async update(ref: ConversationRef, messageId: string, activity: OutboundActivity, turn?: TurnSource): Promise<void> {
    await this.call(
      ref,
      'update',
      async ({ connector, reference, sdk }) => {
        const addressed = sdk.botbuilder.TurnContext.applyConversationReference(
          { ...activity, id: messageId },
          reference,
        );
        await connector.conversations.updateActivity(addressed.conversation!.id, messageId, addressed);
      },
      turn,
    );
  }

  /** Delete an earlier activity. */
  async remove(ref: ConversationRef, messageId: string, turn?: TurnSource): Promise<void> {
    await this.call(
      ref,
      'delete',
      async ({ connector, reference }) => connector.conversations.deleteActivity(reference.conversation!.id, messageId),
      turn,
    );
  }

  /** Create (or get back — Teams returns the existing one) the personal chat with a person. */
  async openDirect(user: UserRef): Promise<ConversationRef> {
    const extra = user.extra ?? {};
    const serviceUrl = extra.serviceUrl;
    const botId = extra.botId ?? (this.options.appId ? `28:${this.options.appId}` : undefined);
    const teamsUserId = extra.teamsUserId ?? user.userId;
    if (!serviceUrl || !botId) throw new RecipientUnreachableError('teams');
    // A continuation turn only to get a connector client for this serviceUrl (with our retry policy, see call()).
    const base: ConversationRef = {
      platform: 'teams',
      tenantId: user.tenantId,
      conversationId: `new:${teamsUserId}`,
      isDirect: true,
      extra: { serviceUrl, channelId: 'msteams', botId, conversationType: 'personal' },
    };
    const created = await this.call(base, 'create', async ({ connector }) =>
      connector.conversations.createConversation({
        isGroup: false,
        bot: { id: botId, name: '' },
        members: [{ id: teamsUserId, name: '' }],
        tenantId: user.tenantId,
        channelData: { tenant: { id: user.tenantId } },
        activity: undefined as never,
      }),
    );
    if (!created?.id) throw new RecipientUnreachableError('teams');
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

  private async call<T>(
    ref: ConversationRef,
    what: string,
    op: (target: Target) => Promise<T>,
    turn?: TurnSource,
  ): Promise<T | undefined> {
    const attempt = async (): Promise<T | undefined> => {
      const sdk = await this.options.sdk();
      // Asked now, not when the call began: the limiter's wait and the backoff can outlast the turn.
      const live = turnTarget(sdk, turn);
      if (live) return op(live);
      let result: T | undefined;
      let failure: unknown;
      await sdk.adapter.continueConversationAsync(
        this.options.appId ?? '',
        toConversationReference(ref),
        async (ctx) => {
          // Caught here: botbuilder would hand an error inside the turn to onTurnError and swallow it.
          try {
            result = await op(targetOf(sdk, ctx));
          } catch (error) {
            failure = error;
          }
        },
      );
      if (failure !== undefined) throw failure;
      return result;
    };
    // A blocked recipient (RecipientUnreachableError) is final and not retried: whoever delivered remembers it.
    return withRetry(attempt, this.options.retry, {
      beforeAttempt: () => this.options.limiter.acquire(ref.conversationId, ref.tenantId),
      onRetry: (f, n, waitMs) => this.logRetry(what, f.status, n, waitMs),
    });
  }

  private logRetry(what: string, status: number | undefined, attempt: number, waitMs: number): void {
    this.options.log.warn({ op: what, status, attempt, waitMs }, 'teams connector call failed, retrying');
  }
}
