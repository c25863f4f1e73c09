/** SlackApi on its own: the response_url deadline, and forgetting one workspace's clients only. */
import { WebClient } from '@slack/web-api';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TUNING } from '../../../adapters/slack/types.js';
import { SlackApi } from '../../../adapters/slack/web-api.js';
import { AdapterError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/logger.js';
import { createKeyedHash } from '../../../src/crypto/pseudonym.js';
import { createOutboundPolicy } from '../../../src/outbound/policy.js';
import { API_ORIGIN, API_URL, BOT_TOKEN, fakeSlackApi } from './harness.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function slackApi(options: { fetch?: typeof fetch; webApiTimeoutMs?: number } = {}) {
  return new SlackApi({
    apiUrl: API_URL,
    policy: createOutboundPolicy({ platform: 'slack', hash: createKeyedHash('web-api-test-key-0123456789abcdef') }),
    log: silentLogger(),
    now: Date.now,
    tuning: {
      ...DEFAULT_TUNING,
      channelGapMs: 0,
      webApiRetries: 0,
      webApiTimeoutMs: options.webApiTimeoutMs ?? DEFAULT_TUNING.webApiTimeoutMs,
    },
    tokenFor: async () => BOT_TOKEN,
    fetch: options.fetch,
  });
}

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
    const api = slackApi({ fetch: hanging, webApiTimeoutMs: 200 });
    const started = Date.now();
    const error = await api.respond(`${API_ORIGIN}/commands/T0TEST/1/abc`, { text: 'x' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).message).toBe('response_url timed out');
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
