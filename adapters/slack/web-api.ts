import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import type { KnownBlock, View } from '@slack/types';
import {
  AdapterError,
  RateLimitedError,
  withRetries,
  type Logger,
  type OutboundPolicy,
  type RetryConfig,
} from '../../src/core/index.js';
import { sdkLogger } from './sdk-logger.js';
import {
  classifyResponseUrlError,
  classifySlackError,
  ResponseUrlError,
  retryAfterMs,
  slackErrorCode,
  toAdapterError,
} from './errors.js';
import type { SlackTuning } from './types.js';

export interface SlackApiDeps {
  apiUrl: string;
  policy: OutboundPolicy;
  log: Logger;
  now: () => number;
  tuning: SlackTuning;
  /** The bot token for a workspace (single token, or the OAuth installation). */
  tokenFor(teamId: string): Promise<string>;
  /** A fetch to use instead of the global one (benchmarks). */
  fetch?: WebClientOptions['fetch'];
}

export interface PostArgs {
  channel: string;
  text: string;
  blocks: KnownBlock[];
  thread_ts?: string;
}

/**
 * Blocks and views go to WebClient already as JSON text — the same form field on the wire. Given objects, the SDK
 * walks every nested key with a regex and stringifies the whole body for a debug line it builds even when debug
 * logging is off (WebClient.makeRequest → redact), which cost more than the rest of the call together.
 */
const asJson = (value: unknown): string => JSON.stringify(value);

/**
 * The Slack Web API as the adapter uses it: @slack/web-api without its own retries (its queue would wait minutes
 * on a 429) and with 429s handed to us (rejectRateLimitedCalls). The outbound policy keeps the rate limits of
 * chat.postMessage and the Retry-After pauses per workspace and method, shared by replicas on Redis; retries of
 * network errors and 5xx go through the one retry helper, bounded by a deadline.
 */
export class SlackApi {
  /** Per workspace, the client for its current token (a reinstall brings a new token, and so a new client). */
  private readonly clients = new Map<string, { token: string; client: WebClient }>();
  private readonly dmChannels = new Map<string, string>();

  constructor(private readonly deps: SlackApiDeps) {}

  /** A WebClient for a token (OAuth callbacks and Socket Mode use the same options). */
  clientOptions(): WebClientOptions {
    const { tuning } = this.deps;
    const log = this.deps.log;
    return {
      slackApiUrl: this.deps.apiUrl,
      // Retries are ours (call(): network errors and 5xx, within a deadline); a 429 is rejected to us.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: tuning.webApiTimeoutMs,
      logLevel: LogLevel.WARN,
      logger: sdkLogger(log, 'web-api'),
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
    };
  }

  private async client(teamId: string): Promise<WebClient> {
    const token = await this.deps.tokenFor(teamId);
    const cached = this.clients.get(teamId);
    if (cached?.token === token) return cached.client;
    const client = new WebClient(token, this.clientOptions());
    this.clients.set(teamId, { token, client });
    return client;
  }

  /** Forget cached clients and 1:1 channels of a workspace (uninstalled, token revoked). */
  forgetTeam(teamId: string): void {
    this.clients.delete(teamId);
    for (const key of this.dmChannels.keys()) if (key.startsWith(`${teamId}:`)) this.dmChannels.delete(key);
  }

  async postMessage(teamId: string, args: PostArgs): Promise<{ channel: string; ts: string }> {
    const result = await this.call(teamId, 'chat.postMessage', {
      ...args,
      blocks: asJson(args.blocks),
      link_names: false,
      unfurl_links: false,
      unfurl_media: false,
    });
    const ts = typeof result.ts === 'string' ? result.ts : '';
    return { channel: typeof result.channel === 'string' ? result.channel : args.channel, ts };
  }

  async update(
    teamId: string,
    args: { channel: string; ts: string; text: string; blocks: KnownBlock[] },
  ): Promise<void> {
    await this.call(teamId, 'chat.update', { ...args, blocks: asJson(args.blocks), link_names: false });
  }

  /** Delete a message; false when Slack says it cannot (already gone, not ours). */
  async delete(teamId: string, args: { channel: string; ts: string }): Promise<boolean> {
    try {
      await this.call(teamId, 'chat.delete', args);
      return true;
    } catch (error) {
      if (error instanceof RateLimitedError) throw error;
      return false;
    }
  }

  /** The 1:1 chat between the bot and a person (conversations.open is idempotent; cached per process). */
  async openDm(teamId: string, userId: string): Promise<string> {
    const cacheKey = `${teamId}:${userId}`;
    const cached = this.dmChannels.get(cacheKey);
    if (cached) return cached;
    const result = await this.call(teamId, 'conversations.open', { users: userId, return_im: false });
    const channel = (result.channel as { id?: unknown } | undefined)?.id;
    if (typeof channel !== 'string') throw new AdapterError('slack', 'conversations.open returned no channel');
    this.dmChannels.set(cacheKey, channel);
    return channel;
  }

  /** The 1:1 chat with a person when this process knows it already (no call needed). */
  knownDm(teamId: string, userId: string): string | undefined {
    return this.dmChannels.get(`${teamId}:${userId}`);
  }

  async openView(teamId: string, triggerId: string, view: View): Promise<void> {
    await this.call(teamId, 'views.open', { trigger_id: triggerId, view: asJson(view) });
  }

  async publishHome(teamId: string, userId: string, view: View): Promise<void> {
    await this.call(teamId, 'views.publish', { user_id: userId, view: asJson(view) });
  }

  /**
   * Answer through a slash command's or ephemeral message's response_url (visible to the person only).
   * Only Slack's own hosts (or the configured API host, for GovSlack and tests) are called.
   */
  async respond(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    if (!this.isSlackUrl(responseUrl)) throw new AdapterError('slack', 'response_url is not a Slack URL');
    const doFetch = this.deps.fetch ?? fetch;
    const post = async (): Promise<void> => {
      const response = await doFetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.deps.tuning.webApiTimeoutMs),
      }).catch((error: unknown) => {
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        throw new ResponseUrlError(timedOut ? 'response_url timed out' : 'response_url unreachable', undefined, error);
      });
      if (response.status === 429)
        throw new RateLimitedError('slack', retryAfterMs(response.headers.get('retry-after')));
      if (!response.ok) throw new ResponseUrlError(`response_url answered ${response.status}`, response.status);
    };
    await withRetries(post, this.retryConfig(), { platform: 'slack', classify: classifyResponseUrlError });
  }

  private isSlackUrl(url: string): boolean {
    try {
      const parsed = new URL(url);
      if (parsed.origin === new URL(this.deps.apiUrl).origin) return true;
      return parsed.protocol === 'https:' && /(^|\.)(slack\.com|slack-gov\.com)$/.test(parsed.hostname);
    } catch {
      return false;
    }
  }

  /**
   * One Web API call under the outbound policy, errors translated for the core. It never waits for a slot or a
   * pause: a method paused by a 429 (in any replica) and a chat.postMessage over its channel's or workspace's limits
   * fail at once with RateLimitedError carrying the wait. Network errors and 5xx are retried within the deadline.
   */
  async call(teamId: string, method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { policy, tuning, log } = this.deps;
    // First the client (an unknown workspace fails here), so no slot is taken for a call that cannot be made.
    const client = await this.client(teamId);
    const pauseScope = `${teamId}:${method}`;
    const paused = await policy.pausedFor(pauseScope);
    if (paused > 0) throw new RateLimitedError('slack', paused, { held: true });
    if (method === 'chat.postMessage' && typeof args.channel === 'string') {
      // One slot per message, not per attempt: a retry after a 5xx is the same message.
      await policy.take([
        { key: `post:${teamId}:${args.channel}`, windows: tuning.channelPostLimits },
        { key: `post:${teamId}`, windows: tuning.workspacePostLimits },
      ]);
    }
    try {
      return (await withRetries(() => client.apiCall(method, args), this.retryConfig(), {
        platform: 'slack',
        classify: classifySlackError,
        onRetry: (notice, error) =>
          log.warn(
            { method, code: slackErrorCode(error), attempt: notice.attempt, waitMs: notice.waitMs },
            'slack call failed, retrying',
          ),
      })) as unknown as Record<string, unknown>;
    } catch (error) {
      if (error instanceof RateLimitedError) {
        await policy.pause(pauseScope, error.retryAfterMs);
        log.warn({ method, retryAfterMs: error.retryAfterMs }, 'slack rate limit');
        throw error;
      }
      log.warn({ method, code: slackErrorCode(error) }, 'slack call failed');
      throw toAdapterError(error, method);
    }
  }

  private retryConfig(): RetryConfig {
    const { webApiRetries, webApiMaxRetryTimeMs } = this.deps.tuning;
    return { maxAttempts: webApiRetries + 1, baseMs: 200, maxMs: 1_000, deadlineMs: webApiMaxRetryTimeMs };
  }
}
