import { Agent, request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage, Route } from '../../../src/core/index.js';
import { createTeamsAdapter } from '../../../adapters/teams/index.js';
import { silentLogger } from '../../../src/logger.js';
import { SAMPLE_MESSAGES } from './support/messages.js';
import { activities, BOT_ID, startConnector, startTeams, TENANT } from './support/harness.js';
import { cardProblems } from './support/validate-card.js';
import { makeBot } from '../../support/make-bot.js';

type Teams = Awaited<ReturnType<typeof startTeams>>;
type Connector = Awaited<ReturnType<typeof startConnector>>;

const reply = (text: string): OutboundMessage => ({ text, blocks: [{ type: 'text', text }] });
const at = (step: string): Route => ({
  feature: 'dialog',
  verb: 'answer',
  data: { d: 'dailyCheckIn', s: step, t: '3' },
});
const route = at('glasl');

/** The Connection header of a 413 answer (fetch hides that header): body declared too large, or chunked and too large. */
function connectionHeaderOf413(url: string, chunked: boolean): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    // Ask for keep-alive explicitly (the default client in this test run asks for close by itself).
    const headers: Record<string, string | number> = { 'content-type': 'application/json', connection: 'keep-alive' };
    if (!chunked) headers['content-length'] = 1_000_000;
    const req = request(
      `${url}/api/messages`,
      { method: 'POST', headers, agent: new Agent({ keepAlive: true }) },
      (res) => {
        res.resume();
        expect(res.statusCode).toBe(413);
        resolve(res.headers.connection);
        req.destroy();
      },
    );
    req.on('error', reject);
    req.write(`{"type":"message","text":"${'x'.repeat(300_000)}`);
  });
}

let teams: Teams;
let connector: Connector;

beforeEach(async () => {
  connector = await startConnector();
});
afterEach(async () => {
  await teams?.close();
  await connector.close();
});

describe('inbound messages', () => {
  it('a personal message reaches the core and the answer goes to the connector as a reply', async () => {
    teams = await startTeams({ script: async (_e, io) => void (await io.send(reply('Hallo terug'))) });
    const activity = activities.personal(connector.url, 'checkin');
    const res = await teams.post(activity);
    expect(res.status).toBe(200);
    const [event] = teams.events;
    expect(event).toMatchObject({
      kind: 'message',
      text: 'checkin',
      platform: 'teams',
      locale: 'nl-NL',
      id: activity.id,
    });
    expect(event!.user).toMatchObject({ platform: 'teams', tenantId: TENANT, userId: 'aad-user-1' });
    expect(event!.conversation).toMatchObject({
      conversationId: 'a:personal-1',
      isDirect: true,
      tenantId: TENANT,
      extra: { serviceUrl: connector.url, botId: BOT_ID, personUserId: 'aad-user-1' },
    });
    const [call] = await connector.waitFor(1);
    expect(call!.method).toBe('POST');
    expect(call!.path).toBe(`/v3/conversations/a%3Apersonal-1/activities/${activity.id}`);
    expect(call!.body).toMatchObject({ type: 'message', text: 'Hallo terug' });
  });

  it('a channel mention: the mention is removed, isMention is set, the answer stays in the thread', async () => {
    teams = await startTeams({ script: async (_e, io) => void (await io.send(reply('Zie je privéchat'))) });
    await teams.post(activities.channelMention(connector.url, 'help'));
    expect(teams.events[0]).toMatchObject({
      kind: 'message',
      text: 'help',
      isMention: true,
      conversation: { isDirect: false, threadId: '1700000000000' },
    });
    const [call] = await connector.waitFor(1);
    expect(decodeURIComponent(call!.path)).toContain(
      '/v3/conversations/19:channel@thread.tacv2;messageid=1700000000000/activities/',
    );
  });

  it('direct: true from a channel opens the personal chat and writes there', async () => {
    teams = await startTeams({ script: async (_e, io) => void (await io.send(reply('Vraag 1'), { direct: true })) });
    await teams.post(activities.channelMention(connector.url, 'checkin'));
    const calls = await connector.waitFor(2);
    expect(calls[0]).toMatchObject({ method: 'POST', path: '/v3/conversations' });
    expect(calls[0]!.body).toMatchObject({
      isGroup: false,
      bot: { id: BOT_ID },
      members: [{ id: '29:user-1' }],
      tenantId: TENANT,
    });
    expect(calls[1]!.path).toMatch(/^\/v3\/conversations\/a%3Adirect-1\/activities/);
    expect(calls[1]!.body.text).toBe('Vraag 1');
  });
});

describe('card actions', () => {
  it('Action.Execute: the updated card is the invoke response; a new question goes to the chat', async () => {
    teams = await startTeams({
      script: async (_e, io) => {
        await io.update(SAMPLE_MESSAGES.result!);
        await io.send(SAMPLE_MESSAGES.scale!);
      },
    });
    const res = await teams.post(activities.execute(connector.url, { verb: 'bb', bb: { route, choice: 'camps' } }));
    expect(res.status).toBe(200);
    expect(teams.events[0]).toMatchObject({
      kind: 'action',
      action: { route, choice: 'camps' },
      source: { messageId: 'card-1' },
    });
    expect(res.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardProblems(res.json.value)).toEqual([]);
    const [call] = await connector.waitFor(1);
    expect(call!.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
  });

  it('Action.Submit fallback: the same payload, and the update replaces the clicked card', async () => {
    teams = await startTeams({ script: async (_e, io) => io.update(SAMPLE_MESSAGES.result!) });
    const res = await teams.post(
      activities.submit(connector.url, { verb: 'bb', bb: { route, choice: 'camps' } }, 'card-9'),
    );
    expect(res.status).toBe(200);
    expect(teams.events[0]).toMatchObject({ kind: 'action', action: { route, choice: 'camps' } });
    const [call] = await connector.waitFor(1);
    expect(call).toMatchObject({ method: 'PUT', path: '/v3/conversations/a%3Apersonal-1/activities/card-9' });
  });

  it('multi-select and text inputs arrive as values and text', async () => {
    teams = await startTeams();
    await teams.post(
      activities.execute(connector.url, { verb: 'bb', bb: { route: at('voices') }, bb_values: 'youth,farmers' }),
    );
    await teams.post(
      activities.submit(connector.url, { verb: 'bb', bb: { route: at('note') }, bb_text: '  een notitie  ' }),
    );
    await teams.post(
      activities.submit(connector.url, { verb: 'bb', bb: { route: at('note'), skip: true }, bb_text: 'genegeerd' }),
    );
    expect(teams.events.map((e) => (e.kind === 'action' ? e.action : undefined))).toEqual([
      { route: at('voices'), values: ['youth', 'farmers'] },
      { route: at('note'), text: 'een notitie' },
      { route: at('note'), text: '' },
    ]);
  });

  it('a card action that is not ours goes to the core as an unknown action; the card stays, no adapter text', async () => {
    teams = await startTeams();
    const res = await teams.post(activities.execute(connector.url, { verb: 'bb', other: 1 }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: '' });
    expect(teams.events).toEqual([
      expect.objectContaining({
        kind: 'action',
        action: { route: { feature: '$unknown', verb: '$unknown' } },
        source: expect.objectContaining({ messageId: 'card-1' }),
      }),
    ]);
  });

  it('with the real core, the person reads errors.unknownAction in Dutch, whatever locale the client reports', async () => {
    const core = await makeBot();
    try {
      teams = await startTeams({ core });
      await teams.post({
        ...activities.execute(connector.url, { verb: 'bb', bb: { route: { feature: 'gone', verb: 'x' } } }),
        locale: 'en-US',
      });
      await teams.post(activities.execute(connector.url, { verb: 'bb', other: 1 }));
      await core.pipeline.drain();
      const texts = (await connector.waitFor(2)).map((c) => JSON.stringify(c.body));
      const nl = core.translator.t('nl', 'errors.unknownAction');
      expect(texts[0]).toContain(nl);
      expect(texts[1]).toContain(nl);
    } finally {
      await core.pipeline.drain();
    }
  });

  it('an Action.Execute the core does not update keeps the card (empty message response)', async () => {
    teams = await startTeams();
    const res = await teams.post(activities.execute(connector.url, { verb: 'bb', bb: { route } }));
    expect(res.json).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: '' });
  });
});

describe('installation', () => {
  it('installationUpdate and conversationUpdate each reach the core as an install of the personal chat', async () => {
    teams = await startTeams();
    await teams.post(activities.installation(connector.url));
    await teams.post(activities.membersAdded(connector.url));
    expect(teams.events.map((e) => [e.kind, e.conversation.isDirect])).toEqual([
      ['install', true],
      ['install', true],
    ]);
    expect(teams.events[0]?.conversation).toMatchObject({
      conversationId: 'a:personal-1',
      extra: { serviceUrl: connector.url },
    });
  });

  it('with the real core the twin events greet once, and removal then reinstall greets again', async () => {
    const core = await makeBot();
    teams = await startTeams({ core });
    await teams.post(activities.installation(connector.url));
    await teams.post(activities.membersAdded(connector.url));
    await core.pipeline.drain();
    const welcome = core.translator.t('nl', 'common.welcome');
    const welcomes = () => connector.calls.filter((c) => JSON.stringify(c.body).includes(welcome)).length;
    expect(welcomes()).toBe(1);
    await teams.post(activities.installation(connector.url, 'remove'));
    await teams.post(activities.installation(connector.url));
    await core.pipeline.drain();
    expect(welcomes()).toBe(2);
  });

  it('a team channel install is an install in a shared conversation', async () => {
    teams = await startTeams();
    const channel = activities.channelMention(connector.url, '');
    await teams.post({
      ...channel,
      type: 'conversationUpdate',
      text: undefined,
      entities: [],
      membersAdded: [{ id: BOT_ID }],
    });
    expect(teams.events.map((e) => e.kind)).toEqual(['install']);
    expect(teams.events[0]?.conversation).toMatchObject({ isDirect: false, extra: { serviceUrl: connector.url } });
  });
});

describe('bad requests', () => {
  it('malformed bodies get a 400 with a reason, and the process keeps serving', async () => {
    teams = await startTeams();
    const empty = await teams.post({});
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatch(/type/);
    expect((await teams.post('{not json')).status).toBe(400);
    expect((await teams.post('[1,2]')).status).toBe(400);
    expect((await teams.post({ ...activities.personal(connector.url, 'x'), serviceUrl: 'nope' })).status).toBe(400);
    expect(
      (
        await teams.post({
          type: 'message',
          channelId: 'msteams',
          serviceUrl: connector.url,
          from: { id: 'u' },
          recipient: { id: 'b' },
        })
      ).json.error,
    ).toMatch(/conversation/);
    const big = await teams.post({ ...activities.personal(connector.url, 'x'), text: 'x'.repeat(300_000) });
    expect(big.status).toBe(413);
    expect(await connectionHeaderOf413(teams.url, false)).toBe('close');
    expect(await connectionHeaderOf413(teams.url, true)).toBe('close');
    expect(teams.events).toHaveLength(0);
    expect((await teams.post(activities.personal(connector.url, 'nog steeds hier'))).status).toBe(200);
    expect(teams.events).toHaveLength(1);
  });

  it('a field of the wrong type is a 400 naming the field; no turn runs and the process keeps serving', async () => {
    teams = await startTeams();
    const base = activities.personal(connector.url, 'x');
    const conversation = base.conversation as Record<string, unknown>;
    const execute = (value: unknown) => ({ ...activities.execute(connector.url, {}), value });
    const cases: [unknown, string][] = [
      [{ ...base, locale: 1 }, 'locale: expected string'],
      [{ ...base, text: {} }, 'text: expected string'],
      [{ ...base, from: 'x' }, 'from: expected object'],
      [{ ...base, from: { id: 5 } }, 'from.id: expected string'],
      [{ ...base, recipient: undefined }, 'recipient: recipient is missing'],
      [{ ...base, id: 7 }, 'id: expected string'],
      [{ ...base, conversation: { ...conversation, isGroup: 'yes' } }, 'conversation.isGroup: expected boolean'],
      [{ ...base, conversation: { ...conversation, tenantId: ['t'] } }, 'conversation.tenantId: expected string'],
      [{ ...base, channelData: { tenant: 'tenant-1' } }, 'channelData.tenant: expected object'],
      [{ ...base, entities: {} }, 'entities: expected array'],
      [{ ...base, entities: [{ type: 'mention', mentioned: 'bot' }] }, 'entities[0].mentioned: expected object'],
      [{ ...base, membersAdded: [{ id: 1 }] }, 'membersAdded[0].id: expected string'],
      [{ ...base, timestamp: 1700000000 }, 'timestamp: expected string'],
      [{ ...base, serviceUrl: 42 }, 'serviceUrl: expected string'],
      [execute('bb'), 'value: expected object'],
      [execute({ action: 'Action.Execute' }), 'value.action: expected object'],
      [execute({ action: { type: 'Action.Execute', verb: 'bb', data: 'x' } }), 'value.action.data: expected object'],
      [execute({ action: { type: 'Action.Execute', verb: 3, data: {} } }), 'value.action.verb: expected string'],
      [{ ...activities.submit(connector.url, {}), value: ['bb'] }, 'value: expected object'],
    ];
    for (const [body, reason] of cases) {
      const res = await teams.post(body);
      expect({ status: res.status, error: res.json?.error }).toEqual({ status: 400, error: reason });
    }
    expect(teams.events).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
    expect((await teams.post(activities.personal(connector.url, 'nog steeds hier'))).status).toBe(200);
    expect(teams.events).toHaveLength(1);
  });

  it('a tenant outside the allow-list gets 403 and no handler runs', async () => {
    teams = await startTeams({ config: { allowedTenants: ['other-tenant'] } });
    const res = await teams.post(activities.personal(connector.url, 'hallo'));
    expect(res.status).toBe(403);
    expect(teams.events).toHaveLength(0);
    expect(connector.calls).toHaveLength(0);
  });
});

describe('timing and lifecycle', () => {
  it('a slow turn is answered within the budget and finishes proactively', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    teams = await startTeams({
      deps: { tuning: { turnBudgetMs: 200 } },
      script: async (_e, io) => {
        await gate;
        await io.send(reply('Eindelijk'));
      },
    });
    const started = Date.now();
    const activity = activities.personal(connector.url, 'checkin');
    const res = await teams.post(activity);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(connector.calls).toHaveLength(0);
    release();
    const [call] = await connector.waitFor(1);
    // Proactive: the turn has ended, so no reply to its activity (and no made-up activity id either).
    expect(call!.path).toBe('/v3/conversations/a%3Apersonal-1/activities');
    expect(call!.body.replyToId).toBeUndefined();
    expect(call!.body.text).toBe('Eindelijk');
  });

  it('requests that arrive while the SDK still loads wait for it', async () => {
    teams = await startTeams({ deps: { tuning: { sdkLoad: 'background' } } });
    const res = await teams.post(activities.personal(connector.url, 'vroeg'));
    expect(res.status).toBe(200);
    expect(teams.events).toHaveLength(1);
    expect(await teams.adapter.ready()).toBeGreaterThan(0);
  });

  it('refuses to start without an app id outside local mode', async () => {
    const routes = { route: () => undefined };
    await expect(
      createTeamsAdapter(
        { appType: 'MultiTenant', allowedTenants: [], tenantRps: 30 },
        { log: silentLogger(), routes, localMode: false },
      ),
    ).rejects.toThrow(/MICROSOFT_APP_ID/);
  });
});
