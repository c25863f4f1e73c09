import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import type { KnownBlock, View } from '@slack/types';
import { AdapterError, RateLimitedError, type Logger, type OutboundPolicy } from '../../src/core/index.js';
import { sdkLogger } from './sdk-logger.js';
import { retryAfterSeconds, slackErrorCode, toAdapterError } from './errors.js';
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Blocks and views go to WebClient already as JSON text — the same form field on the wire. Given objects, the SDK
 * walks every nested key with a regex and stringifies the whole body for a debug line it builds even when debug
 * logging is off (WebClient.makeRequest → redact), which cost more than the rest of the call together.
 */
const asJson = (value: unknown): string => JSON.stringify(value);

/**
 * The Slack Web API as the adapter uses it: @slack/web-api with a bounded retry policy and 429s handed to us
 * (rejectRateLimitedCalls), Retry-After kept per workspace and method — in the outbound policy, shared by
 * replicas, so none calls early — and at most one chat.postMessage per channel per `channelGapMs`.
 */
export class SlackApi {
  /** Per workspace, the client for its current token (a reinstall brings a new token, and so a new client). */
  private readonly clients = new Map<string, { token: string; client: WebClient }>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly dmChannels = new Map<string, string>();

  constructor(private readonly deps: SlackApiDeps) {}

  /** A WebClient for a token (OAuth callbacks and Socket Mode use the same options). */
  clientOptions(): WebClientOptions {
    const { tuning } = this.deps;
    const log = this.deps.log;
    return {
      slackApiUrl: this.deps.apiUrl,
      // Network errors and 5xx only; a 429 is rejected to us (see call()) instead of pausing the SDK's queue for minutes.
      retryConfig: {
        retries: tuning.webApiRetries,
        factor: 2,
        minTimeout: 200,
        maxTimeout: 1_000,
        randomize: true,
        maxRetryTime: tuning.webApiMaxRetryTimeMs,
      },
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
    const response = await doFetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.deps.tuning.webApiTimeoutMs),
    }).catch((error: unknown) => {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new AdapterError('slack', timedOut ? 'response_url timed out' : 'response_url unreachable', {
        cause: error,
      });
    });
    if (response.status === 429)
      throw new RateLimitedError('slack', Number(response.headers.get('retry-after') ?? 1) * 1000);
    if (!response.ok) throw new AdapterError('slack', `response_url answered ${response.status}`);
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

  /** One Web API call with the pause and pacing rules applied, errors translated for the core. */
  async call(
    teamId: string,
    method: string,
    args: Record<string, unknown>,
    isRetry = false,
  ): Promise<Record<string, unknown>> {
    await this.waitForPause(teamId, method);
    if (method === 'chat.postMessage' && typeof args.channel === 'string') await this.pace(args.channel);
    const client = await this.client(teamId);
    try {
      return (await client.apiCall(method, args)) as unknown as Record<string, unknown>;
    } catch (error) {
      const retryAfter = retryAfterSeconds(error);
      if (retryAfter !== undefined) {
        const waitMs = Math.max(1, retryAfter) * 1000;
        await this.pause(teamId, method, waitMs);
        this.deps.log.warn({ method, retryAfterMs: waitMs }, 'slack rate limit');
        if (!isRetry && waitMs <= this.deps.tuning.maxRetryAfterWaitMs) return this.call(teamId, method, args, true);
      } else {
        this.deps.log.warn({ method, code: slackErrorCode(error) }, 'slack call failed');
      }
      throw toAdapterError(error, method);
    }
  }

  private pause(teamId: string, method: string, ms: number): Promise<void> {
    return this.deps.policy.pause(`${teamId}:${method}`, ms);
  }

  /** Wait out a Retry-After that is short enough, or fail at once; never call before it has elapsed. */
  private async waitForPause(teamId: string, method: string): Promise<void> {
    const remaining = await this.deps.policy.pausedFor(`${teamId}:${method}`);
    if (remaining <= 0) return;
    if (remaining > this.deps.tuning.maxRetryAfterWaitMs) throw new RateLimitedError('slack', remaining);
    await sleep(remaining);
  }

  /** Take the channel's next posting slot (Slack allows about one message per second per channel). */
  private pace(channel: string): Promise<void> {
    const { channelGapMs, maxPaceWaitMs } = this.deps.tuning;
    return this.deps.policy.pace(`post:${channel}`, channelGapMs, maxPaceWaitMs);
  }
}
