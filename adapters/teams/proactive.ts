/**
 * Every outbound Bot Connector call goes through here: inside a turn (the turn's context) or proactively
 * (continueConversation from a stored ref, after a restart or on another replica — T3). Each call takes a
 * rate-limit slot first and is retried per errors.ts; a blocked recipient is reported once to `onUnreachable`.
 */
import type { Activity, ConversationParameters, TurnContext } from 'botbuilder';
import { type ConversationRef, type Logger, RecipientUnreachableError, type UserRef } from '../../src/core/index.js';
import { type RetryPolicy, withRetry } from './errors.js';
import type { SendLimiter } from './limiter.js';
import { toConversationReference } from './parse.js';
import type { TeamsSdk } from './sdk.js';
import type { TeamsRefExtra } from './types.js';

/** The part of botframework-connector's ConnectorClient we use. */
interface ConnectorClient {
  conversations: { createConversation(parameters: ConversationParameters): Promise<{ id?: string }> };
  client?: { pipeline?: { removePolicy(options: { name: string }): unknown } };
}

/**
 * The connector client retries by itself — 429 after whatever Retry-After says, 5xx three times over up to a
 * minute — which would stack with errors.ts and break its bound. Remove that policy from the turn's client.
 */
function ownRetriesOnly(ctx: TurnContext): ConnectorClient {
  const connector = ctx.turnState.get(ctx.adapter.ConnectorClientKey) as ConnectorClient;
  connector.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
  return connector;
}

export interface OutboxOptions {
  sdk: () => Promise<TeamsSdk>;
  appId?: string;
  limiter: SendLimiter;
  retry: RetryPolicy;
  log: Logger;
  onUnreachable?: (conversation: ConversationRef, person?: string) => Promise<void>;
  pseudonymize?: (user: UserRef) => string;
}

export type OutboundActivity = Partial<Activity> & { type: string };

/** Sends, updates and deletes activities with limits and retries. `context` is used while its turn is open. */
export class Outbox {
  constructor(private readonly options: OutboxOptions) {}

  /** Post a new activity; returns its message id. */
  async send(ref: ConversationRef, activity: OutboundActivity, context?: TurnContext): Promise<string> {
    const response = await this.call(ref, 'send', async (ctx) => ctx.sendActivity(activity), context);
    return response?.id ?? '';
  }

  /** Replace an earlier activity in place. */
  async update(ref: ConversationRef, messageId: string, activity: OutboundActivity, context?: TurnContext): Promise<void> {
    await this.call(ref, 'update', async (ctx) => ctx.updateActivity({ ...activity, id: messageId }), context);
  }

  /** Delete an earlier activity. */
  async remove(ref: ConversationRef, messageId: string, context?: TurnContext): Promise<void> {
    await this.call(ref, 'delete', async (ctx) => ctx.deleteActivity(messageId), context);
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
    const created = await this.call(base, 'create', async (_ctx, connector) =>
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
    const refExtra: TeamsRefExtra = { serviceUrl, channelId: 'msteams', botId, conversationType: 'personal', userId: teamsUserId };
    return { platform: 'teams', tenantId: user.tenantId, conversationId: created.id, isDirect: true, extra: { ...refExtra } };
  }

  private async call<T>(ref: ConversationRef, what: string, op: (ctx: TurnContext, connector: ConnectorClient) => Promise<T>, context?: TurnContext): Promise<T | undefined> {
    const attempt = async (): Promise<T | undefined> => {
      if (context) return op(context, ownRetriesOnly(context));
      const sdk = await this.options.sdk();
      let result: T | undefined;
      let failure: unknown;
      await sdk.adapter.continueConversationAsync(this.options.appId ?? '', toConversationReference(ref), async (ctx) => {
        // Caught here: botbuilder would hand an error inside the turn to onTurnError and swallow it.
        try {
          result = await op(ctx, ownRetriesOnly(ctx));
        } catch (error) {
          failure = error;
        }
      });
      if (failure !== undefined) throw failure;
      return result;
    };
    try {
      return await withRetry(attempt, this.options.retry, {
        beforeAttempt: () => this.options.limiter.acquire(ref.conversationId, ref.tenantId),
        onRetry: (f, n, waitMs) => this.logRetry(what, f.status, n, waitMs),
      });
    } catch (error) {
      return this.failed(ref, error);
    }
  }

  private logRetry(what: string, status: number | undefined, attempt: number, waitMs: number): void {
    this.options.log.warn({ op: what, status, attempt, waitMs }, 'teams connector call failed, retrying');
  }

  private async failed(ref: ConversationRef, error: unknown): Promise<never> {
    if (error instanceof RecipientUnreachableError && this.options.onUnreachable) {
      try {
        const personUserId = ref.isDirect ? ref.extra?.personUserId : undefined;
        const person = personUserId && this.options.pseudonymize ? this.options.pseudonymize({ platform: 'teams', tenantId: ref.tenantId, userId: personUserId }) : undefined;
        await this.options.onUnreachable(ref, person);
      } catch (hookError) {
        this.options.log.error({ err: { name: (hookError as Error)?.name } }, 'marking a recipient unreachable failed');
      }
    }
    throw error;
  }
}
