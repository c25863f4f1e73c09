/**
 * Proactive messages through the adapter: sends from a stored reference, with nock standing in for the Bot
 * Connector at the serviceUrl (an exact path: no replyToId); retries for 429/412/502/504; a blocked recipient is
 * final.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AdapterError,
  type ConversationRef,
  RateLimitedError,
  RecipientUnreachableError,
} from '../../../src/core/index.js';
import { startTeams, TENANT } from './support/harness.js';

const SERVICE = 'https://smba.example.test';
const SERVICE_URL = `${SERVICE}/emea/`;
const ref: ConversationRef = {
  platform: 'teams',
  tenantId: TENANT,
  conversationId: 'a:personal-1',
  isDirect: true,
  extra: {
    serviceUrl: SERVICE_URL,
    channelId: 'msteams',
    botId: '28:bot-app',
    conversationType: 'personal',
    userId: '29:user-1',
    personUserId: 'aad-user-1',
  },
};
const message = {
  text: 'Herinnering: je check-in',
  blocks: [{ type: 'text' as const, text: 'Herinnering: je check-in' }],
};
const activitiesPath = '/emea/v3/conversations/a%3Apersonal-1/activities';

type Teams = Awaited<ReturnType<typeof startTeams>>;
let teams: Teams | undefined;
afterEach(async () => {
  await teams?.close();
  teams = undefined;
  nock.cleanAll();
});

describe('proactive send from a stored reference', () => {
  it('posts to the conversation at the stored serviceUrl and returns the message id', async () => {
    teams = await startTeams();
    const scope = nock(SERVICE)
      .post(
        activitiesPath,
        (body) => body.text === 'Herinnering: je check-in' && body.conversation.id === 'a:personal-1',
      )
      .reply(201, { id: 'msg-1' });
    const sent = await teams.adapter.send(ref, message);
    expect(sent).toEqual({ conversation: ref, messageId: 'msg-1' });
    scope.done();
  });

  it('update and delete reach the same message', async () => {
    teams = await startTeams();
    const scope = nock(SERVICE)
      .put('/emea/v3/conversations/a%3Apersonal-1/activities/msg-1')
      .reply(200, { id: 'msg-1' })
      .delete('/emea/v3/conversations/a%3Apersonal-1/activities/msg-1')
      .reply(200);
    await teams.adapter.update({ conversation: ref, messageId: 'msg-1' }, message);
    expect(await teams.adapter.remove!({ conversation: ref, messageId: 'msg-1' })).toBe(true);
    scope.done();
  });

  for (const status of [429, 412, 502, 504]) {
    it(`${status} is retried with backoff and then succeeds`, async () => {
      teams = await startTeams();
      const scope = nock(SERVICE)
        .post(activitiesPath)
        .reply(status, { error: { code: 'Throttled' } })
        .post(activitiesPath)
        .reply(status)
        .post(activitiesPath)
        .reply(201, { id: 'msg-2' });
      expect((await teams.adapter.send(ref, message)).messageId).toBe('msg-2');
      scope.done();
    });
  }

  it('gives up after the bound: a persistent 502 becomes an AdapterError after maxAttempts', async () => {
    teams = await startTeams({ deps: { tuning: { maxAttempts: 4 } } });
    const scope = nock(SERVICE).post(activitiesPath).times(4).reply(502);
    const error = await teams.adapter.send(ref, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toContain('502');
    scope.done();
  });

  it('a persistent 429 ends as RateLimitedError with Retry-After', async () => {
    teams = await startTeams();
    const scope = nock(SERVICE).post(activitiesPath).times(3).reply(429, {}, { 'Retry-After': '0' });
    const error = await teams.adapter.send(ref, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    scope.done();
  });

  it('a long Retry-After is not waited out here: RateLimitedError at once, carrying the wait', async () => {
    teams = await startTeams();
    const scope = nock(SERVICE).post(activitiesPath).once().reply(429, {}, { 'Retry-After': '3600' });
    const error = await teams.adapter.send(ref, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(3_600_000);
    scope.done();
  });

  it('a 503 (not in the list Teams asks to retry) is tried once', async () => {
    teams = await startTeams();
    // Were anything retrying it, the second answer would make the send succeed.
    nock(SERVICE)
      .post(activitiesPath)
      .once()
      .reply(503, {}, { 'Retry-After': '0' })
      .post(activitiesPath)
      .once()
      .reply(201, { id: 'too-late' });
    const error = await teams.adapter.send(ref, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(nock.pendingMocks()).toHaveLength(1);
  });

  for (const body of [
    { error: { code: 'Forbidden', subCode: 'MessageWritesBlocked', message: 'blocked' } },
    { error: { code: 'ConversationBlockedByUser', message: 'User blocked the conversation with the bot.' } },
    { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } },
  ]) {
    it(`403 ${body.error.subCode ?? body.error.code} → RecipientUnreachableError (blocked), never retried`, async () => {
      teams = await startTeams();
      const scope = nock(SERVICE).post(activitiesPath).once().reply(403, body);
      const error = await teams.adapter.send(ref, message).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecipientUnreachableError);
      expect((error as RecipientUnreachableError).reason).toBe('blocked');
      scope.done();
      expect(nock.pendingMocks()).toEqual([]);
    });
  }

  it('another 403 (no blocked code) is not retried and is no unreachable recipient', async () => {
    teams = await startTeams();
    const scope = nock(SERVICE)
      .post(activitiesPath)
      .once()
      .reply(403, { error: { code: 'Forbidden', message: 'nope' } });
    const error = await teams.adapter.send(ref, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).not.toBeInstanceOf(RecipientUnreachableError);
    scope.done();
  });
});
