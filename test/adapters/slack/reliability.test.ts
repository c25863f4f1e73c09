/**
 * The Slack adapter under trouble, with the real bot: redeliveries, two replicas on one store, a hanging or failing
 * Web API after the ack, 429s and post limits (never waited out inside a turn, shared by replicas through Redis),
 * and the language (Slack is never asked for it).
 */
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp.js';
import { RateLimitedError } from '../../../src/errors.js';
import type { Core } from '../../../src/app.js';
import { createPseudonymizer } from '../../../src/crypto/pseudonym.js';
import { openRedisStore, openSqliteStore } from '../../../src/store/create-store.js';
import type { RedisClient } from '../../../src/store/redis-connections.js';
import type { KeyValueStore } from '../../../src/store/store.js';
import type { TurnIO } from '../../../src/message/types.js';
import { DEFAULT_TUNING, type SlackTuning } from '../../../adapters/slack/types.js';
import { captureLogger } from '../../support/capture-logger.js';
import { makeBot, TEST_PSEUDONYM_KEY } from '../../support/make-bot.js';
import {
  connectTestClient,
  deleteNamespace,
  redisAvailable,
  redisUrl,
  type TestRedisClient,
  uniqueNamespace,
} from '../../support/redis.js';
import { blockAction, directMessage } from '../../support/slack-signed-request.js';
import { agreeToConsent, API_ORIGIN, fakeSlackApi, startSlack, waitFor, type SlackHarness } from './harness.js';

const personOf = createPseudonymizer(TEST_PSEUDONYM_KEY);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A replica: the real bot and the Slack adapter on its own HTTP server, over the given store. */
async function replica(
  store?: KeyValueStore,
  options: Parameters<typeof startSlack>[0] = {},
): Promise<{ core: Core; slack: SlackHarness }> {
  const core = await makeBot({ store, log: options.log });
  const slack = await startSlack({ core, ...options });
  cleanups.push(async () => {
    await slack.close();
    await core.pipeline.drain();
  });
  return { core, slack };
}

const settle = async (...replicas: { core: Core; slack: SlackHarness }[]) => {
  for (const r of replicas) await r.slack.adapter.drain();
  for (const r of replicas) await r.core.pipeline.drain();
};

describe('redeliveries cause one side effect', () => {
  it('the same event_id with X-Slack-Retry-Num 1–3 (also an hour later) answers once', async () => {
    const api = fakeSlackApi(nock);
    let offset = 0;
    const core = await makeBot({ now: () => Date.now() + offset });
    const slack = await startSlack({ core });
    const r = { core, slack };
    cleanups.push(async () => {
      await slack.close();
      await core.pipeline.drain();
    });
    const body = directMessage('U1', 'help', 'DU1', 'EvRetry1');
    expect((await r.slack.post(body)).status).toBe(200);
    for (const n of [1, 2, 3]) {
      const response = await r.slack.post(body, {
        headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' },
      });
      expect(response.status).toBe(200);
    }
    await settle(r);
    // Slack's last retry can come about an hour later (the store's clock moves; the request is freshly signed).
    offset = 60 * 60 * 1000;
    expect((await r.slack.post(body, { headers: { 'x-slack-retry-num': '3' } })).status).toBe(200);
    await settle(r);
    expect(api.of('chat.postMessage')).toHaveLength(1);
  });

  it('a double click on one question stores one answer and moves on once', async () => {
    const api = fakeSlackApi(nock);
    const r = await replica();
    await r.slack.post(directMessage('U2', 'checkin', 'DU2'));
    await settle(r);
    await agreeToConsent(r.slack, api, 'U2', 'DU2');
    await settle(r);
    const updatesBefore = api.of('chat.update').length;
    const question = api.messages().at(-1)!;
    const buttons = JSON.stringify(question.blocks).match(/bb\|a\|dialog\|answer\|[^|"]*t=0\|[A-Za-z]+/g)!;
    expect(buttons.length).toBeGreaterThan(1);
    const click = (actionId: string) =>
      r.slack.post(blockAction({ user: 'U2', channel: 'DU2', messageTs: question.ts!, actionId }));
    const [a, b] = await Promise.all([click(buttons[0]!), click(buttons[1]!)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await settle(r);
    // One click moved the dialog on (the question replaced by the next, whose buttons carry turn 1); the other changed nothing.
    const updates = api.of('chat.update').slice(updatesBefore);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body.blocks).toMatch(/t=1\|/);
    const { value: state } = await r.core.store.getVersioned<{ turn: number; answers: Record<string, unknown> }>(
      `dialog:${personOf({ platform: 'slack', tenantId: 'T0TEST', userId: 'U2' })}`,
    );
    expect(state?.turn).toBe(1);
    expect(Object.keys(state?.answers ?? {})).toHaveLength(1);
  });
});

describe('two replicas sharing one store', () => {
  const stores: [string, () => Promise<KeyValueStore>][] = [
    ['SQLite file', async () => openSqliteStore({ path: join(tempDir('bb-slack-'), 'bb.sqlite') })],
  ];
  if (redisAvailable)
    stores.push(['Redis', async () => openRedisStore({ url: redisUrl, namespace: uniqueNamespace() })]);

  it.each(stores)('the same event at once to both replicas answers once (%s)', async (_name, open) => {
    const api = fakeSlackApi(nock);
    const shared = await open();
    cleanups.push(() => shared.close());
    const one = await replica(shared);
    const two = await replica(shared);
    for (let i = 0; i < 5; i += 1) {
      const body = directMessage(`U3${i}`, 'help', `DU3${i}`, `EvTwice${i}`);
      const [a, b] = await Promise.all([one.slack.post(body), two.slack.post(body)]);
      expect([a.status, b.status]).toEqual([200, 200]);
    }
    await settle(one, two);
    expect(api.of('chat.postMessage')).toHaveLength(5);
  });
});

describe('acknowledge at once, and never fail Slack after the ack', () => {
  it('50 events in flight while the Web API hangs: every one is acknowledged without waiting for it', async () => {
    // A Web API that answers nothing until the test releases it. Every acknowledgement has to arrive while all
    // calls still hang: an ack that waited for the Web API would never come (a behaviour, not a timing).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let hanging = 0;
    let answered = 0;
    const hangingFetch = async () => {
      hanging += 1;
      await released;
      answered += 1;
      return new Response(JSON.stringify({ ok: false, error: 'service_unavailable' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const r = await replica(undefined, { fetch: hangingFetch, tuning: { webApiTimeoutMs: 60_000 } });
    try {
      const statuses = await Promise.all(
        Array.from(
          { length: 50 },
          async (_, i) => (await r.slack.post(directMessage(`U4${i}`, 'help', `DU4${i}`))).status,
        ),
      );
      expect(statuses).toEqual(Array.from({ length: 50 }, () => 200));
      expect(answered).toBe(0);
      await waitFor(() => hanging >= 50, 10_000, 'every turn waiting on the Web API');
      expect(answered).toBe(0);
    } finally {
      release();
    }
  });

  it('a failing turn or a failing Web API after the ack is logged, never a 500', async () => {
    const postScope = nock(API_ORIGIN).post('/api/chat.postMessage').times(2).reply(500, 'upstream broke');
    const capture = captureLogger();
    const r = await replica(undefined, { log: capture.log });
    const response = await r.slack.post(directMessage('U5', 'help', 'DU5'));
    expect(response.status).toBe(200);
    await settle(r);
    expect(postScope.isDone()).toBe(true);
    expect(capture.text()).toContain('turn failed');
  });
});

describe('rate limits: no send waits inside a turn', () => {
  const to = (conversationId: string) => ({
    platform: 'slack' as const,
    tenantId: 'T0TEST',
    conversationId,
    isDirect: conversationId.startsWith('D'),
  });
  const message = { text: 'hallo', blocks: [{ type: 'text' as const, text: 'hallo' }] };

  it('a 429 in a turn: the turn ends at once (no retry, no waiting), the wait is kept and logged', async () => {
    const posts = nock(API_ORIGIN)
      .post('/api/chat.postMessage')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '30' });
    const capture = captureLogger();
    const r = await replica(undefined, { log: capture.log, tuning: { webApiRetries: 2 } });
    const started = Date.now();
    expect((await r.slack.post(directMessage('U6', 'help', 'DU6'))).status).toBe(200);
    await settle(r);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(posts.isDone()).toBe(true);
    expect(capture.lines().find((l) => l.msg === 'slack rate limit')).toMatchObject({
      method: 'chat.postMessage',
      retryAfterMs: 30_000,
    });
    // The friendly error message of the failed turn was not sent either: the method is paused.
    expect(capture.text()).toContain('could not send the error message');
    // No interceptor is left: a call now would fail with a network error instead of this RateLimitedError.
    const later = await r.slack.adapter.send(to('DU6'), message).catch((e: unknown) => e);
    expect(later).toBeInstanceOf(RateLimitedError);
    expect((later as RateLimitedError).retryAfterMs).toBeGreaterThan(25_000);
  });

  it('the pause ends: once Slack’s wait is over the method is called again', async () => {
    const api = fakeSlackApi(nock);
    nock.cleanAll();
    nock(API_ORIGIN)
      .post('/api/chat.postMessage')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '2' });
    let offset = 0;
    const { slack } = await replica(undefined, { now: () => Date.now() + offset });
    await expect(slack.adapter.send(to('DU7'), message)).rejects.toBeInstanceOf(RateLimitedError);
    offset = 1_000;
    const still = await slack.adapter.send(to('DU7'), message).catch((e: unknown) => e);
    expect((still as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(1_000);
    offset = 2_000;
    const answered = fakeSlackApi(nock);
    await expect(slack.adapter.send(to('DU7'), message)).resolves.toMatchObject({ messageId: /^\d+\.000100$/ });
    expect(answered.of('chat.postMessage')).toHaveLength(1);
    expect(api.of('chat.postMessage')).toHaveLength(0);
  });

  it('a turn that posts two messages in a row to one chat sends both under the default limits', async () => {
    const api = fakeSlackApi(nock);
    const say = (text: string) => ({ text, blocks: [{ type: 'text' as const, text }] });
    const sink = async (_event: unknown, io: TurnIO) => {
      await io.send(say('Je antwoorden zijn binnen.'));
      await io.send(say('Je resultaat'));
    };
    const slack = await startSlack({ sink, tuning: { channelPostLimits: DEFAULT_TUNING.channelPostLimits } });
    cleanups.push(() => slack.close());
    await slack.post(directMessage('U8', 'klaar', 'DU8'));
    await slack.adapter.drain();
    expect(api.of('chat.postMessage').map((c) => c.body.text)).toEqual(['Je antwoorden zijn binnen.', 'Je resultaat']);
  });

  describe.skipIf(!redisAvailable)('shared by replicas through Redis', () => {
    let clients: TestRedisClient[] = [];
    beforeAll(async () => {
      clients = [await connectTestClient(), await connectTestClient()];
    });
    afterAll(() => {
      for (const c of clients) c.destroy();
    });
    const replicas = async (tuning: Partial<SlackTuning> = {}) => {
      const limitsPrefix = uniqueNamespace();
      cleanups.push(() => deleteNamespace(clients[0]!, limitsPrefix));
      const one = await replica(undefined, { limitsRedis: clients[0] as RedisClient, limitsPrefix, tuning });
      const two = await replica(undefined, { limitsRedis: clients[1] as RedisClient, limitsPrefix, tuning });
      return [one, two] as const;
    };

    it('a 429 told to one replica: the other does not call that method before the wait is over', async () => {
      nock(API_ORIGIN)
        .post('/api/chat.postMessage')
        .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '30' });
      const [one, two] = await replicas();
      await expect(one.slack.adapter.send(to('DU9'), message)).rejects.toBeInstanceOf(RateLimitedError);
      const error = await two.slack.adapter.send(to('C0OTHER'), message).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).retryAfterMs).toBeGreaterThan(25_000);
    });

    it('a burst of three per channel between both replicas, then RateLimitedError; other channels go', async () => {
      const api = fakeSlackApi(nock);
      const [one, two] = await replicas({ channelPostLimits: DEFAULT_TUNING.channelPostLimits });
      const sends = [one, two, one, two].map((r) => r.slack.adapter.send(to('C0BUSY'), message).catch((e) => e));
      const results = await Promise.all(sends);
      expect(results.filter((r) => r instanceof RateLimitedError)).toHaveLength(1);
      const wait = (results.find((r) => r instanceof RateLimitedError) as RateLimitedError).retryAfterMs;
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(1_000);
      await expect(two.slack.adapter.send(to('C0QUIET'), message)).resolves.toBeDefined();
      expect(api.of('chat.postMessage').filter((c) => c.body.channel === 'C0BUSY')).toHaveLength(3);
    });
  });
});

describe('the language', () => {
  it('Slack is never asked: an English Slack gets Dutch, and no locale is kept about the person', async () => {
    const api = fakeSlackApi(nock, { locales: { U9: 'en-US' } });
    const r = await replica();
    await r.slack.post(directMessage('U9', 'help', 'DU9'));
    await settle(r);
    expect(api.of('users.info')).toHaveLength(0);
    expect(api.messages().at(-1)!.text).toContain(r.core.translator.t('nl', 'common.help').split('\n')[0]!);
    const person = personOf({ platform: 'slack', tenantId: 'T0TEST', userId: 'U9' });
    // Only the inbox record of the event in flight; no locale cache under the person.
    expect((await r.core.store.keysOf(person)).filter((key) => !key.startsWith('inbox:'))).toEqual([]);
  });
});
