/**
 * SlackApi on its own, against a scripted fetch: nothing waits for a slot or a pause (RateLimitedError with the
 * wait instead), per channel and per workspace limits, 429 pauses per workspace and method, retries of network
 * errors and 5xx within the deadline, the response_url deadline, and forgetting one workspace's clients only.
 * Fake timers where time matters (the policy's windows and pauses, the retry backoff).
 */
import { WebClient } from '@slack/web-api';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TUNING, type SlackTuning } from '../../../adapters/slack/types.js';
import { SlackApi } from '../../../adapters/slack/web-api.js';
import { createKeyedHash } from '../../../src/crypto/pseudonym.js';
import { AdapterError, RateLimitedError, RecipientUnreachableError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { createOutboundPolicy, type OutboundPolicy } from '../../../src/outbound/policy.js';
import { API_ORIGIN, API_URL, BOT_TOKEN, fakeSlackApi } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const hash = createKeyedHash('web-api-test-key-0123456789abcdef');

function slackApi(
  options: { fetch?: typeof fetch; tuning?: Partial<SlackTuning>; policy?: OutboundPolicy } = {},
): SlackApi {
  return new SlackApi({
    apiUrl: API_URL,
    policy: options.policy ?? createOutboundPolicy({}, { platform: 'slack', hash }),
    log: silentLogger(),
    now: Date.now,
    tuning: { ...DEFAULT_TUNING, webApiRetries: 0, ...options.tuning },
    tokenFor: async () => BOT_TOKEN,
    fetch: options.fetch,
  });
}

/** A Web API stand-in: `answer(method, n)` per call (n counts calls of that method from 1); records every call. */
function scriptedFetch(answer: (method: string, n: number) => Response | Error = () => ok()) {
  const calls: { method: string; at: number; body: URLSearchParams }[] = [];
  const fetchFn = (async (url: string | URL, init?: RequestInit) => {
    const method = String(url).slice(String(url).lastIndexOf('/') + 1);
    calls.push({ method, at: Date.now(), body: new URLSearchParams(String(init?.body ?? '')) });
    const result = answer(method, calls.filter((c) => c.method === method).length);
    if (result instanceof Error) throw result;
    return result;
  }) as typeof fetch;
  return { fetch: fetchFn, calls, of: (method: string) => calls.filter((c) => c.method === method) };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const ok = () => json({ ok: true, channel: 'C1', ts: '1.1' });
const post = (api: SlackApi, channel: string, team = 'T1') =>
  api.postMessage(team, { channel, text: 'x', blocks: [] }).then(
    () => 'sent' as const,
    (error: unknown) => error,
  );

describe('chat.postMessage limits: a burst goes, then RateLimitedError with the wait (nothing sleeps)', () => {
  it('per channel (default windows): three at once, then refused until the second is over; 5 per 5 s', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const slack = scriptedFetch();
    const api = slackApi({ fetch: slack.fetch });
    expect([await post(api, 'C1'), await post(api, 'C1'), await post(api, 'C1')]).toEqual(['sent', 'sent', 'sent']);
    vi.advanceTimersByTime(400);
    const refused = await post(api, 'C1');
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterMs).toBe(600);
    // Another channel of the same workspace is not held up.
    expect(await post(api, 'C2')).toBe('sent');
    vi.advanceTimersByTime(600);
    expect([await post(api, 'C1'), await post(api, 'C1')]).toEqual(['sent', 'sent']);
    // Five in the five-second window now: the next waits for the window's end, 4 s on.
    const held = await post(api, 'C1');
    expect((held as RateLimitedError).retryAfterMs).toBe(4_000);
    expect(slack.of('chat.postMessage').filter((c) => c.body.get('channel') === 'C1')).toHaveLength(5);
  });

  it('per workspace, across channels; another workspace has its own', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const slack = scriptedFetch();
    const api = slackApi({ fetch: slack.fetch, tuning: { workspacePostLimits: [{ points: 2, durationMs: 1_000 }] } });
    expect(await post(api, 'C1')).toBe('sent');
    expect(await post(api, 'C2')).toBe('sent');
    const refused = await post(api, 'C3');
    expect((refused as RateLimitedError).retryAfterMs).toBe(1_000);
    expect(await post(api, 'C3', 'T2')).toBe('sent');
    vi.advanceTimersByTime(1_000);
    expect(await post(api, 'C3')).toBe('sent');
    expect(slack.of('chat.postMessage')).toHaveLength(4);
  });

  it('chat.update and other methods are not counted against the post limits', async () => {
    const slack = scriptedFetch();
    const api = slackApi({ fetch: slack.fetch, tuning: { channelPostLimits: [{ points: 1, durationMs: 60_000 }] } });
    expect(await post(api, 'C1')).toBe('sent');
    for (let i = 0; i < 5; i += 1) await api.update('T1', { channel: 'C1', ts: '1.1', text: 'x', blocks: [] });
    expect(slack.of('chat.update')).toHaveLength(5);
  });
});

describe('429: a pause per workspace and method, never a retry', () => {
  it('RateLimitedError with Slack’s wait; the method is not called again before it elapses', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    const slack = scriptedFetch((method, n) =>
      method === 'chat.postMessage' && n === 1
        ? json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': '30' })
        : ok(),
    );
    // Retries left, and still only one call: a 429 is never retried.
    const api = slackApi({ fetch: slack.fetch, tuning: { webApiRetries: 3 } });
    const first = await post(api, 'C1');
    expect(first).toBeInstanceOf(RateLimitedError);
    expect((first as RateLimitedError).retryAfterMs).toBe(30_000);
    vi.advanceTimersByTime(10_000);
    const second = await post(api, 'C9');
    expect((second as RateLimitedError).retryAfterMs).toBe(20_000);
    expect(slack.of('chat.postMessage')).toHaveLength(1);
    // Other methods of the workspace, and the same method in another workspace, carry on.
    await api.update('T1', { channel: 'C1', ts: '1.1', text: 'x', blocks: [] });
    expect(await post(api, 'C1', 'T2')).toBe('sent');
    vi.advanceTimersByTime(20_000);
    expect(await post(api, 'C1')).toBe('sent');
    expect(slack.of('chat.postMessage')).toHaveLength(3);
  });

  it('a 429 without a usable Retry-After pauses one second', async () => {
    const slack = scriptedFetch(() => json({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': '0' }));
    const error = await post(slackApi({ fetch: slack.fetch }), 'C1');
    expect((error as RateLimitedError).retryAfterMs).toBe(1_000);
  });
});

describe('retries: network errors and 5xx, within the deadline', () => {
  it('a 5xx is tried again with backoff until the next try would start after the deadline', async () => {
    vi.useFakeTimers({ now: 0 });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const slack = scriptedFetch(() => new Response('unavailable', { status: 503 }));
    const api = slackApi({ fetch: slack.fetch, tuning: { webApiRetries: 5, webApiMaxRetryTimeMs: 1_000 } });
    const outcome = post(api, 'C1');
    await vi.runAllTimersAsync();
    const error = await outcome;
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).code).toBe('ADAPTER_FAILED');
    // Waits of 200 and 400 ms; the next (800 ms) would start at 1,400 ms, past the 1,000 ms deadline.
    expect(slack.calls.map((c) => c.at)).toEqual([0, 200, 600]);
  });

  it('a network error is retried and the call then succeeds; a platform error is final at once', async () => {
    vi.useFakeTimers({ now: 0 });
    const flaky = scriptedFetch((_m, n) => (n <= 2 ? new TypeError('fetch failed') : ok()));
    const sent = post(slackApi({ fetch: flaky.fetch, tuning: { webApiRetries: 2 } }), 'C1');
    await vi.runAllTimersAsync();
    expect(await sent).toBe('sent');
    expect(flaky.calls).toHaveLength(3);

    const gone = scriptedFetch(() => json({ ok: false, error: 'channel_not_found' }));
    const error = await post(slackApi({ fetch: gone.fetch, tuning: { webApiRetries: 2 } }), 'C1');
    expect(error).toBeInstanceOf(RecipientUnreachableError);
    expect(gone.calls).toHaveLength(1);
  });
});

describe('respond (response_url)', () => {
  it('gives up after the Web API timeout instead of hanging', async () => {
    // A response_url that never answers; it only lets go when the request is aborted (or after 5 s).
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((resolve, reject) => {
        const timer = setTimeout(() => resolve(new Response('ok')), 5_000);
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(init.signal!.reason as Error);
        });
      })) as typeof fetch;
    const api = slackApi({ fetch: hanging, tuning: { webApiTimeoutMs: 200 } });
    const started = Date.now();
    const error = await api.respond(`${API_ORIGIN}/commands/T0TEST/1/abc`, { text: 'x' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).message).toBe('response_url timed out');
  });

  it('a 429 is RateLimitedError with its wait; a 5xx is retried', async () => {
    vi.useFakeTimers({ now: 0 });
    const limited = scriptedFetch(() => new Response('slow down', { status: 429, headers: { 'retry-after': '7' } }));
    const error = await slackApi({ fetch: limited.fetch, tuning: { webApiRetries: 2 } })
      .respond(`${API_ORIGIN}/commands/T0TEST/1/abc`, { text: 'x' })
      .catch((e: unknown) => e);
    expect((error as RateLimitedError).retryAfterMs).toBe(7_000);
    expect(limited.calls).toHaveLength(1);

    const flaky = scriptedFetch((_m, n) => new Response('x', { status: n === 1 ? 502 : 200 }));
    const done = slackApi({ fetch: flaky.fetch, tuning: { webApiRetries: 2 } }).respond(
      `${API_ORIGIN}/actions/T0TEST/1/abc`,
      { text: 'x' },
    );
    await vi.runAllTimersAsync();
    await expect(done).resolves.toBeUndefined();
    expect(flaky.calls).toHaveLength(2);
  });
});

describe('forgetTeam', () => {
  it('drops only that workspace’s client; another workspace keeps its own', async () => {
    fakeSlackApi(nock);
    // Which WebClient instance made each call (the same bot token serves both workspaces here).
    const used: { team: string; client: WebClient }[] = [];
    let team = '';
    const apiCall = WebClient.prototype.apiCall;
    vi.spyOn(WebClient.prototype, 'apiCall').mockImplementation(function (
      this: WebClient,
      ...args: Parameters<WebClient['apiCall']>
    ) {
      used.push({ team, client: this });
      return apiCall.apply(this, args);
    });
    const api = slackApi();
    const remove = async (teamId: string) => {
      team = teamId;
      expect(await api.delete(teamId, { channel: 'C1', ts: '1.1' })).toBe(true);
    };
    await remove('T0ONE');
    await remove('T0TWO');
    api.forgetTeam('T0ONE');
    await remove('T0TWO');
    await remove('T0ONE');
    const clientsOf = (t: string) => used.filter((u) => u.team === t).map((u) => u.client);
    const [twoBefore, twoAfter] = clientsOf('T0TWO');
    const [oneBefore, oneAfter] = clientsOf('T0ONE');
    expect(twoAfter).toBe(twoBefore);
    expect(oneAfter).not.toBe(oneBefore);
  });
});
