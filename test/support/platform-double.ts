/**
 * The one local platform double: a real HTTP server on 127.0.0.1 that stands in for the Slack Web API (the app
 * reaches it through SLACK_API_URL, `<url>/api/<method>`) and the Teams Bot Connector (through the serviceUrl of a
 * stored conversation reference, `<url>/teams/v3/conversations/…`). Tests, child processes and benchmarks use it.
 *
 * It records every call and every post (platform, channel or conversation, text, request id, outcome), and can:
 * - enforce the platforms' rate limits, the same windows the adapters keep (Slack: about one message per second
 *   per channel and a workspace-wide rate; Teams: 7 per second per conversation and a per-tenant rate, at most 50),
 *   every rate multiplied by `scale`; a call over a limit gets 429 with a Retry-After of what is left of the
 *   window. A window closes `graceMs` early: that is the tolerance for clocks and request latency between the
 *   app's limiter and this server;
 * - answer a call that ignored a Retry-After (made before the wait was over) with another 429, counted apart;
 * - make a seeded share of recipients fail on every post with a server error (they end final-failed);
 * - inject seeded random 429s (Retry-After `retryAfterMs ÷ scale`; Slack's header carries whole seconds only,
 *   so at least 1 s there) and unreachable recipients: a chosen share of recipients, picked by a seeded hash of the
 *   recipient, answers every post with Slack's `channel_not_found` or Teams' 403 ConversationBlockedByUser;
 * - hold every call of a Slack method unanswered (a slow Web API), and
 * - report per recipient: delivered, duplicates, losses against an expected list, and the Retry-After waits imposed.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_TUNING as TEAMS_TUNING } from '../../adapters/teams/types.js';
import { DEFAULT_TUNING as SLACK_TUNING } from '../../adapters/slack/types.js';

/** At most `points` calls per `durationMs`. */
export interface Window {
  points: number;
  durationMs: number;
}

export type DoublePlatform = 'slack' | 'teams';

/** The limits the double enforces (before `scale`). */
export interface DoubleLimits {
  slackChannel: Window[];
  slackWorkspace: Window[];
  teamsConversation: Window[];
  teamsTenant: Window[];
}

/** The adapters' own numbers: what the app keeps to, so the double holds it to them. Teams' tenant rate: 30/s. */
export const APP_LIMITS: DoubleLimits = {
  slackChannel: SLACK_TUNING.channelPostLimits,
  slackWorkspace: SLACK_TUNING.workspacePostLimits,
  teamsConversation: TEAMS_TUNING.conversationLimits,
  teamsTenant: [{ points: 30, durationMs: 1_000 }],
};

/** Multiply every rate by `scale` (same windows, more points), as the app's tuning is scaled for a short run. */
export function scaleWindows(windows: readonly Window[], scale: number): Window[] {
  return windows.map((w) => ({ points: Math.max(1, Math.round(w.points * scale)), durationMs: w.durationMs }));
}

export interface PlatformDoubleOptions {
  /** Enforce these limits (before `scale`); `false` enforces none. Default APP_LIMITS. */
  limits?: DoubleLimits | false;
  /** Rates × scale, Retry-After ÷ scale. Default 1. */
  scale?: number;
  /** A window closes this much early (tolerance for latency between the app's limiter and this server). */
  graceMs?: number;
  /** Share of posts answered with an injected 429 (0…1). */
  rateLimitedRate?: number;
  /** Share of recipients that cannot be reached (0…1): Slack channel_not_found, Teams 403 blocked. */
  unreachableRate?: number;
  /** Share of recipients whose every post fails with a server error (500): they end final-failed. */
  failingRate?: number;
  /** The Retry-After of an injected 429 before scaling. Default 1000 ms. */
  retryAfterMs?: number;
  /** Seed of the injections. Default 1. */
  seed?: number;
  /** Keep each call's body in `calls` (default true); long benchmarks turn it off to keep memory flat. */
  keepBodies?: boolean;
}

/** One call to the double (any method). */
export interface DoubleCall {
  platform: DoublePlatform;
  /** Slack: the Web API method; Teams: `send`, `update`, `delete`, `create`. */
  method: string;
  body: Record<string, string>;
}

export type PostOutcome = 'ok' | 'over-limit' | 'ignored-retry-after' | 'injected-429' | 'unreachable' | 'server-error';

/** One post (Slack chat.postMessage, Teams send to a conversation). */
export interface DoublePost {
  requestId: number;
  platform: DoublePlatform;
  /** Slack channel id or Teams conversation id. */
  channel: string;
  /** Slack workspace (its bot token) or Teams tenant. */
  scope: string;
  text: string;
  at: number;
  outcome: PostOutcome;
  /** The Retry-After this answer imposed, in ms. */
  retryAfterMs?: number;
}

export interface DoubleReport {
  posts: number;
  /** Recipients (`platform:channel`) with at least one accepted post. */
  delivered: number;
  /** Accepted posts beyond the first per recipient, summed. */
  duplicates: number;
  /** Recipients with more than one accepted post. */
  duplicated: string[];
  /** Expected recipients (not unreachable) with no accepted post. */
  lost: string[];
  /** Expected recipients that the double made unreachable. */
  unreachable: string[];
  /** Expected recipients whose every post failed with a server error. */
  failing: string[];
  /** 429s for calls over a limit (the app's limiter should make these rare: at most the grace's worth). */
  overLimit: number;
  /** 429s for calls made while a Retry-After was still running. */
  ignoredRetryAfter: number;
  injected429: number;
  /** Sum of every Retry-After imposed, per platform and in all, in ms. */
  retryAfterMs: Record<DoublePlatform, number> & { total: number };
  /**
   * Per platform, the time covered by at least one running Retry-After (overlapping waits counted once). On Slack a
   * Retry-After holds chat.postMessage for the whole workspace, so this is time no Slack message could go out.
   */
  heldMs: Record<DoublePlatform, number>;
  /** Time of the first and last accepted post per platform. */
  span: Partial<Record<DoublePlatform, { first: number; last: number }>>;
}

export interface PlatformDouble {
  /** The base URL (no trailing slash). */
  url: string;
  /** Give as SLACK_API_URL. */
  apiUrl: string;
  /** Store as the serviceUrl of Teams conversation references. */
  serviceUrl: string;
  calls: DoubleCall[];
  posts: DoublePost[];
  /** Slack calls of one method (compatibility with the earlier fake Slack server). */
  of(method: string): DoubleCall[];
  /** Whether the double treats this recipient as unreachable. */
  isUnreachable(platform: DoublePlatform, channel: string): boolean;
  /** Whether every post to this recipient fails with a server error. */
  isFailing(platform: DoublePlatform, channel: string): boolean;
  /** Accepted posts per recipient (`platform:channel`). */
  deliveredPer(): Map<string, number>;
  report(expected?: Iterable<string>): DoubleReport;
  /** Hold every Slack call of `method` unanswered from now on (until `release`). */
  hang(method: string): void;
  release(): void;
  /** Answer the next `times` Slack calls of `method` with 429 and Retry-After: 1, whatever the limits say. */
  rateLimit(method: string, times?: number): void;
  waitFor(check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** The key of a recipient in reports: `slack:C123`, `teams:19:abc@thread`. */
export const recipientKey = (platform: DoublePlatform, channel: string) => `${platform}:${channel}`;

/** A small seeded generator (mulberry32): the same seed gives the same injections for the same call order. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fixed windows as the app's limiter keeps them: a window starts with its first call and counts calls. */
class Windows {
  private readonly state = new Map<string, { start: number; count: number }>();
  constructor(private readonly graceMs: number) {}

  /**
   * A call counts in every window of every scope, or in none: 0 when it fits them all (and is counted), else the
   * ms until the fullest window closes.
   */
  take(scopes: readonly (readonly [key: string, windows: readonly Window[]])[], at: number): number {
    let wait = 0;
    const current: { id: string; s: { start: number; count: number } }[] = [];
    for (const [key, windows] of scopes) {
      for (const [i, w] of windows.entries()) {
        const id = `${key}|${i}`;
        let s = this.state.get(id);
        const length = Math.max(1, w.durationMs - this.graceMs);
        if (!s || at - s.start >= length) s = { start: at, count: 0 };
        if (s.count >= w.points) wait = Math.max(wait, s.start + length - at);
        current.push({ id, s });
      }
    }
    if (wait > 0) return wait;
    for (const { id, s } of current) this.state.set(id, { start: s.start, count: s.count + 1 });
    return 0;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string): Record<string, unknown> {
  if (!text) return {};
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export async function startPlatformDouble(options: PlatformDoubleOptions = {}): Promise<PlatformDouble> {
  const scale = options.scale ?? 1;
  const limits = options.limits === false ? undefined : (options.limits ?? APP_LIMITS);
  const scaled = limits && {
    slackChannel: scaleWindows(limits.slackChannel, scale),
    slackWorkspace: scaleWindows(limits.slackWorkspace, scale),
    teamsConversation: scaleWindows(limits.teamsConversation, scale),
    teamsTenant: scaleWindows(limits.teamsTenant, scale),
  };
  const graceMs = options.graceMs ?? 50;
  const windows = new Windows(graceMs);
  const random = seeded(options.seed ?? 1);
  const injectedWaitMs = (options.retryAfterMs ?? 1000) / scale;
  const seedText = String(options.seed ?? 1);
  const unreachableRate = options.unreachableRate ?? 0;
  const calls: DoubleCall[] = [];
  const keepBodies = options.keepBodies ?? true;
  const record = (call: DoubleCall) => void calls.push(keepBodies ? call : { ...call, body: {} });
  const posts: DoublePost[] = [];
  /** Retry-After still running, by scope (Slack: workspace and method; Teams: conversation). */
  const pausedUntil = new Map<string, { from: number; until: number }>();
  const hanging = new Set<string>();
  const forced429 = new Map<string, number>();
  const held: ServerResponse[] = [];
  let requestId = 0;
  let ts = 1_700_000_000;

  /** A recipient's fixed share in [0, 1): the first part of the range is unreachable, the next part failing. */
  const share = (platform: DoublePlatform, channel: string): number =>
    createHash('sha256').update(`${seedText}|${platform}|${channel}`).digest().readUInt32BE(0) / 4294967296;
  const isUnreachable = (platform: DoublePlatform, channel: string): boolean =>
    unreachableRate > 0 && share(platform, channel) < unreachableRate;
  const failingRate = options.failingRate ?? 0;
  const isFailing = (platform: DoublePlatform, channel: string): boolean => {
    if (failingRate <= 0) return false;
    const s = share(platform, channel);
    return s >= unreachableRate && s < unreachableRate + failingRate;
  };

  /** Slack's Retry-After is whole seconds (and the Slack SDK reads it so): the wait the app is told. */
  const told = (platform: DoublePlatform, ms: number) =>
    platform === 'slack' ? Math.max(1, Math.ceil(ms / 1000)) * 1000 : Math.max(1, Math.round(ms));

  /**
   * Decide a post: injected unreachable, a Retry-After still running, over a limit, injected 429, or accepted.
   */
  function judge(platform: DoublePlatform, channel: string, scope: string, pauseKey: string, text: string): DoublePost {
    const at = Date.now();
    requestId += 1;
    const post: DoublePost = { requestId, platform, channel, scope, text, at, outcome: 'ok' };
    posts.push(post);
    const wait = (outcome: PostOutcome, ms: number) => {
      post.outcome = outcome;
      post.retryAfterMs = told(platform, ms);
      const until = Math.max(pausedUntil.get(pauseKey)?.until ?? 0, at + post.retryAfterMs);
      pausedUntil.set(pauseKey, { from: at, until });
      return post;
    };
    if (isUnreachable(platform, channel)) {
      post.outcome = 'unreachable';
      return post;
    }
    if (isFailing(platform, channel)) {
      post.outcome = 'server-error';
      return post;
    }
    // A call that arrives while a Retry-After runs ignored it, unless it was already on its way when the 429 was
    // answered (it arrives within the grace after it).
    const pause = pausedUntil.get(pauseKey);
    if (pause && at - pause.from > graceMs && pause.until - graceMs > at) {
      post.outcome = 'ignored-retry-after';
      post.retryAfterMs = told(platform, pause.until - at);
      return post;
    }
    if (scaled) {
      const over =
        platform === 'slack'
          ? windows.take(
              [
                [`sc:${scope}:${channel}`, scaled.slackChannel],
                [`sw:${scope}`, scaled.slackWorkspace],
              ],
              at,
            )
          : windows.take(
              [
                [`tc:${scope}:${channel}`, scaled.teamsConversation],
                [`tt:${scope}`, scaled.teamsTenant],
              ],
              at,
            );
      if (over > 0) return wait('over-limit', over);
    }
    if ((options.rateLimitedRate ?? 0) > 0 && random() < (options.rateLimitedRate ?? 0))
      return wait('injected-429', injectedWaitMs);
    return post;
  }

  const json = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): undefined => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };
  const retryHeader = (post: DoublePost) =>
    post.platform === 'slack'
      ? String(Math.round((post.retryAfterMs ?? 1000) / 1000))
      : ((post.retryAfterMs ?? 0) / 1000).toFixed(3);

  function slack(req: IncomingMessage, res: ServerResponse, method: string, body: Record<string, unknown>): undefined {
    const strings = body as Record<string, string>;
    record({ platform: 'slack', method, body: strings });
    if (hanging.has(method)) {
      held.push(res);
      return;
    }
    const left = forced429.get(method) ?? 0;
    if (left > 0) {
      forced429.set(method, left - 1);
      return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
    }
    // The bot token names the workspace (one token per workspace).
    const workspace = (req.headers.authorization ?? '').replace(/^Bearer /, '') || String(body.token ?? '');
    if (method === 'chat.postMessage') {
      const channel = String(body.channel ?? '');
      const post = judge('slack', channel, workspace, `${workspace}:${method}`, String(body.text ?? ''));
      if (post.outcome === 'unreachable') return json(res, 200, { ok: false, error: 'channel_not_found' });
      if (post.outcome === 'server-error') return json(res, 500, { ok: false, error: 'internal_error' });
      if (post.outcome !== 'ok')
        return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': retryHeader(post) });
      return json(res, 200, { ok: true, channel, ts: `${++ts}.000100` });
    }
    if (method === 'conversations.open') return json(res, 200, { ok: true, channel: { id: `D${strings.users}` } });
    if (method === 'users.info') return json(res, 200, { ok: true, user: { id: strings.user, locale: 'nl-NL' } });
    if (method === 'auth.test') return json(res, 200, { ok: true, team_id: 'T0', user_id: 'U0', bot_id: 'B0' });
    if (method === 'chat.update') return json(res, 200, { ok: true, channel: strings.channel, ts: strings.ts });
    return json(res, 200, { ok: true });
  }

  function teams(req: IncomingMessage, res: ServerResponse, path: string, body: Record<string, unknown>): undefined {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent); // [conversationId?, 'activities'?, id?]
    const conversation = (body.conversation ?? {}) as { tenantId?: string };
    const tenant =
      conversation.tenantId ?? ((body.channelData as { tenant?: { id?: string } })?.tenant?.id || 'tenant');
    const strings = body as Record<string, string>;
    if (parts.length === 0 && req.method === 'POST') {
      record({ platform: 'teams', method: 'create', body: strings });
      const member = (body.members as { id?: string }[] | undefined)?.[0]?.id ?? 'someone';
      return json(res, 201, { id: `a:${member}` });
    }
    const conversationId = parts[0] ?? '';
    if (req.method === 'PUT') {
      record({ platform: 'teams', method: 'update', body: strings });
      return json(res, 200, { id: parts[2] ?? '' });
    }
    if (req.method === 'DELETE') {
      record({ platform: 'teams', method: 'delete', body: strings });
      return json(res, 200, {});
    }
    record({ platform: 'teams', method: 'send', body: strings });
    const post = judge('teams', conversationId, tenant, `conversation:${conversationId}`, String(body.text ?? ''));
    if (post.outcome === 'unreachable')
      return json(res, 403, { error: { code: 'BotNotInConversationRoster', subCode: 'ConversationBlockedByUser' } });
    if (post.outcome === 'server-error') return json(res, 500, { error: { code: 'ServiceError' } });
    if (post.outcome !== 'ok')
      return json(res, 429, { error: { code: 'TooManyRequests' } }, { 'retry-after': retryHeader(post) });
    return json(res, 201, { id: `m${post.requestId}` });
  }

  const server = createServer((req, res) => {
    readBody(req).then(
      (text) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        const body = parseBody(text);
        if (url.startsWith('/api/')) return slack(req, res, url.slice('/api/'.length), body);
        const teamsPrefix = '/teams/v3/conversations';
        if (url.startsWith(teamsPrefix)) return teams(req, res, url.slice(teamsPrefix.length), body);
        json(res, 404, { error: 'unknown path' });
      },
      () => res.destroy(),
    );
  });
  // Many sends at once over keep-alive: no per-connection request cap, no idle cut during a long run.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const deliveredPer = () => {
    const per = new Map<string, number>();
    for (const post of posts) {
      if (post.outcome !== 'ok') continue;
      const key = recipientKey(post.platform, post.channel);
      per.set(key, (per.get(key) ?? 0) + 1);
    }
    return per;
  };

  return {
    url,
    apiUrl: `${url}/api/`,
    serviceUrl: `${url}/teams/`,
    calls,
    posts,
    of: (method) => calls.filter((c) => c.platform === 'slack' && c.method === method),
    isUnreachable,
    isFailing,
    deliveredPer,
    report(expected = []) {
      const per = deliveredPer();
      const lost: string[] = [];
      const unreachable: string[] = [];
      const failing: string[] = [];
      for (const key of expected) {
        const [platform, ...rest] = key.split(':');
        if (isUnreachable(platform as DoublePlatform, rest.join(':'))) unreachable.push(key);
        else if (isFailing(platform as DoublePlatform, rest.join(':'))) failing.push(key);
        else if (!per.has(key)) lost.push(key);
      }
      const duplicated = [...per].filter(([, n]) => n > 1).map(([key]) => key);
      const waits = { slack: 0, teams: 0, total: 0 };
      const span: DoubleReport['span'] = {};
      let overLimit = 0;
      let ignoredRetryAfter = 0;
      let injected429 = 0;
      for (const post of posts) {
        if (post.outcome === 'over-limit') overLimit += 1;
        if (post.outcome === 'ignored-retry-after') ignoredRetryAfter += 1;
        if (post.outcome === 'injected-429') injected429 += 1;
        if (post.retryAfterMs) waits[post.platform] += post.retryAfterMs;
        if (post.outcome === 'ok') {
          const s = span[post.platform];
          if (!s) span[post.platform] = { first: post.at, last: post.at };
          else s.last = post.at;
        }
      }
      waits.total = waits.slack + waits.teams;
      const held = { slack: 0, teams: 0 };
      for (const platform of ['slack', 'teams'] as const) {
        const intervals = posts
          .filter((p) => p.platform === platform && p.retryAfterMs)
          .map((p) => [p.at, p.at + (p.retryAfterMs ?? 0)] as const)
          .sort((a, b) => a[0] - b[0]);
        let end = Number.NEGATIVE_INFINITY;
        for (const [from, until] of intervals) {
          if (until <= end) continue;
          held[platform] += until - Math.max(from, end);
          end = until;
        }
      }
      return {
        posts: posts.length,
        delivered: per.size,
        duplicates: [...per.values()].reduce((sum, n) => sum + n - 1, 0),
        duplicated,
        lost,
        unreachable,
        failing,
        overLimit,
        ignoredRetryAfter,
        injected429,
        retryAfterMs: waits,
        heldMs: held,
        span,
      };
    },
    hang: (method) => void hanging.add(method),
    rateLimit: (method, times = 1) => void forced429.set(method, times),
    release() {
      hanging.clear();
      for (const res of held.splice(0)) res.destroy();
    },
    async waitFor(check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the platform double');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
