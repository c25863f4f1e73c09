import { join } from 'node:path';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../support/temp.js';
import { RateLimitedError } from '../../../src/errors.js';
import type { Core } from '../../../src/app.js';
import { createPseudonymizer } from '../../../src/crypto/pseudonym.js';
import { openRedisStore, openSqliteStore } from '../../../src/store/create-store.js';
import type { KeyValueStore } from '../../../src/store/store.js';
import { captureLogger } from '../../support/capture-logger.js';
import { makeBot, TEST_PSEUDONYM_KEY } from '../../support/make-bot.js';
import { redisAvailable, redisUrl, uniqueNamespace } from '../../support/redis.js';
import { blockAction, directMessage } from '../../support/slack-signed-request.js';
import { API_ORIGIN, fakeSlackApi, startSlack, waitFor, type SlackHarness } from './harness.js';

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

describe('S2: redeliveries cause one side effect', () => {
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
    const question = api.messages().at(-1)!;
    const buttons = JSON.stringify(question.blocks).match(/bb\|a\|dialog\|answer\|[^|"]*t=0\|[A-Za-z]+/g)!;
    expect(buttons.length).toBeGreaterThan(1);
    const click = (actionId: string) =>
      r.slack.post(blockAction({ user: 'U2', channel: 'DU2', messageTs: question.ts!, actionId }));
    const [a, b] = await Promise.all([click(buttons[0]!), click(buttons[1]!)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await settle(r);
    // One click moved the dialog on (the question replaced by the next, whose buttons carry turn 1); the other changed nothing.
    const updates = api.of('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body.blocks).toMatch(/t=1\|/);
    const { value: state } = await r.core.store.getVersioned<{ turn: number; answers: Record<string, unknown> }>(
      `dialog:${personOf({ platform: 'slack', tenantId: 'T0TEST', userId: 'U2' })}`,
    );
    expect(state?.turn).toBe(1);
    expect(Object.keys(state?.answers ?? {})).toHaveLength(1);
  });
});

describe('S3: two replicas sharing one store', () => {
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

describe('S1 and S6: acknowledge at once, and never fail Slack after the ack', () => {
  it('50 events in flight while the Web API hangs 10 s: every ack well under 300 ms', async () => {
    // A Web API that answers nothing for 10 s (released early at the end, so the test does not wait it out).
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let hanging = 0;
    const hangingFetch = async () => {
      hanging += 1;
      await Promise.race([released, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      return new Response(JSON.stringify({ ok: false, error: 'service_unavailable' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const r = await replica(undefined, { fetch: hangingFetch, tuning: { webApiTimeoutMs: 15_000 } });
    // Warm up the code paths first (the first requests of a process pay for JIT and connection set-up).
    await Promise.all(Array.from({ length: 20 }, (_, i) => r.slack.post(directMessage(`W${i}`, 'help', `DW${i}`))));
    const latencies = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const started = performance.now();
        const response = await r.slack.post(directMessage(`U4${i}`, 'help', `DU4${i}`));
        expect(response.status).toBe(200);
        return performance.now() - started;
      }),
    );
    latencies.sort((x, y) => x - y);
    const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
    expect(p99).toBeLessThan(300);
    await waitFor(() => hanging >= 70, 5_000, 'every turn waiting on the Web API');
    release();
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

describe('S7: rate limits', () => {
  it('429 with a short Retry-After: waited out, then sent once; nothing is called before it elapses', async () => {
    fakeSlackApi(nock);
    nock.cleanAll();
    const times: number[] = [];
    nock(API_ORIGIN)
      .post('/api/chat.postMessage')
      .reply(() => {
        times.push(Date.now());
        return [429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '1' }];
      })
      .post('/api/chat.postMessage')
      .reply(() => {
        times.push(Date.now());
        return [200, { ok: true, ts: '1.2', channel: 'DU6' }];
      });
    const r = await replica();
    await r.slack.post(directMessage('U6', 'help', 'DU6'));
    await settle(r);
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000);
  });

  it('429 with a long Retry-After: RateLimitedError, and the method is not called again before it elapses', async () => {
    nock(API_ORIGIN)
      .post('/api/chat.postMessage')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '30' });
    const { slack } = await replica();
    const to = { platform: 'slack' as const, tenantId: 'T0TEST', conversationId: 'DU7', isDirect: true };
    const message = { text: 'hallo', blocks: [{ type: 'text' as const, text: 'hallo' }] };
    const first = await slack.adapter.send(to, message).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RateLimitedError);
    expect((first as RateLimitedError).retryAfterMs).toBe(30_000);
    // No interceptor is left: a call now would fail with a network error instead of this RateLimitedError.
    const second = await slack.adapter.send(to, message).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RateLimitedError);
    expect((second as RateLimitedError).retryAfterMs).toBeGreaterThan(25_000);
  });

  const sharedStores: [string, () => Promise<KeyValueStore>][] = [
    // Two processes on one SQLite file share it too, when told to (shareLimits); Redis shares by default.
    ['SQLite file, shareLimits', async () => openSqliteStore({ path: join(tempDir('bb-slack-'), 'bb.sqlite') })],
  ];
  if (redisAvailable)
    sharedStores.push(['Redis', async () => openRedisStore({ url: redisUrl, namespace: uniqueNamespace() })]);

  it.each(sharedStores)('the pause is shared: another replica does not call early either (%s)', async (name, open) => {
    nock(API_ORIGIN)
      .post('/api/chat.postMessage')
      .reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '30' });
    const shared = await open();
    cleanups.push(() => shared.close());
    const shareLimits = name.startsWith('SQLite');
    const one = await replica(shared, { shareLimits });
    const two = await replica(shared, { shareLimits });
    const to = { platform: 'slack' as const, tenantId: 'T0TEST', conversationId: 'DU8', isDirect: true };
    const message = { text: 'hallo', blocks: [{ type: 'text' as const, text: 'hallo' }] };
    await expect(one.slack.adapter.send(to, message)).rejects.toBeInstanceOf(RateLimitedError);
    await expect(two.slack.adapter.send(to, message)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it.each(sharedStores)(
    'at most one chat.postMessage per channel per gap, across replicas (%s)',
    async (name, open) => {
      const api = fakeSlackApi(nock);
      const shared = await open();
      cleanups.push(() => shared.close());
      const gap = 250;
      const tuning = { channelGapMs: gap };
      const shareLimits = name.startsWith('SQLite');
      const one = await replica(shared, { shareLimits, tuning });
      const two = await replica(shared, { shareLimits, tuning });
      const to = { platform: 'slack' as const, tenantId: 'T0TEST', conversationId: 'C0BUSY', isDirect: false };
      const message = { text: 'aankondiging', blocks: [{ type: 'text' as const, text: 'aankondiging' }] };
      await Promise.all([0, 1, 2, 3, 4, 5].map((i) => (i % 2 === 0 ? one : two).slack.adapter.send(to, message)));
      const times = api
        .of('chat.postMessage')
        .map((c) => c.at)
        .sort((a, b) => a - b);
      expect(times).toHaveLength(6);
      for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(gap - 15);
    },
  );

  it('one process paces per channel in memory; other channels are not held up', async () => {
    const api = fakeSlackApi(nock);
    const gap = 200;
    const { slack } = await replica(undefined, { tuning: { channelGapMs: gap } });
    const message = { text: 'x', blocks: [{ type: 'text' as const, text: 'x' }] };
    const to = (channel: string) => ({
      platform: 'slack' as const,
      tenantId: 'T0TEST',
      conversationId: channel,
      isDirect: false,
    });
    const started = Date.now();
    await Promise.all([
      slack.adapter.send(to('C1'), message),
      slack.adapter.send(to('C1'), message),
      slack.adapter.send(to('C1'), message),
      slack.adapter.send(to('C2'), message),
    ]);
    const c1 = api
      .of('chat.postMessage')
      .filter((c) => c.body.channel === 'C1')
      .map((c) => c.at);
    const c2 = api
      .of('chat.postMessage')
      .filter((c) => c.body.channel === 'C2')
      .map((c) => c.at);
    expect(c1[1]! - c1[0]!).toBeGreaterThanOrEqual(gap - 15);
    expect(c1[2]! - c1[1]!).toBeGreaterThanOrEqual(gap - 15);
    expect(c2[0]! - started).toBeLessThan(gap);
  });

  it('a channel backed up beyond the wait limit fails fast with RateLimitedError', async () => {
    fakeSlackApi(nock);
    const { slack } = await replica(undefined, { tuning: { channelGapMs: 1_000, maxPaceWaitMs: 1_500 } });
    const message = { text: 'x', blocks: [{ type: 'text' as const, text: 'x' }] };
    const to = { platform: 'slack' as const, tenantId: 'T0TEST', conversationId: 'C9', isDirect: false };
    const results = await Promise.allSettled([0, 1, 2, 3].map(() => slack.adapter.send(to, message)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .every((r) => (r as PromiseRejectedResult).reason instanceof RateLimitedError),
    ).toBe(true);
  });

  it('the Web API client is bounded: a hanging 5xx retry ends within its deadline', async () => {
    nock(API_ORIGIN).persist().post('/api/chat.update').reply(503, 'unavailable');
    const { slack } = await replica(undefined, { tuning: { webApiRetries: 2, webApiMaxRetryTimeMs: 1_500 } });
    const started = Date.now();
    await expect(
      slack.adapter.update(
        {
          conversation: { platform: 'slack', tenantId: 'T0TEST', conversationId: 'D1', isDirect: true },
          messageId: '1.1',
        },
        { text: 'x', blocks: [] },
      ),
    ).rejects.toMatchObject({
      code: 'ADAPTER_FAILED',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
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
