/**
 * Slack payloads checked by shape before anything reads them: a field we use with the wrong type (or a required
 * one missing) is a logged refusal — 400 naming the field, X-Slack-No-Retry so Slack does not send it again — and
 * never an exception inside a turn. Slack's own nulls pass, and signed types we do not handle still get a 200.
 */
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../support/capture-logger.js';
import {
  appMention,
  blockAction,
  directMessage,
  eventCallback,
  homeOpened,
  slashCommand,
  viewSubmission,
} from '../../support/slack-signed-request.js';
import { fakeSlackApi, recordingSink, startSlack, type SlackHarness } from './harness.js';

let slack: SlackHarness | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

type Json = Record<string, any>;
/** A JSON body changed by `edit`. */
const json = (body: string, edit: (b: Json) => void) => {
  const parsed = JSON.parse(body) as Json;
  edit(parsed);
  return JSON.stringify(parsed);
};
/** An interactivity body (form field `payload`) changed by `edit`. */
const form = (body: string, edit: (p: Json) => void) => {
  const payload = JSON.parse(new URLSearchParams(body).get('payload')!) as Json;
  edit(payload);
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
};
const click = () => blockAction({ user: 'U1', channel: 'DU1', messageTs: '1.1', actionId: 'bb|c|core|command|help' });

describe('a field of the wrong type is refused with its name', () => {
  it.each([
    ['event_id a number', json(directMessage('U1', 'hoi'), (b) => (b.event_id = 42)), 'invalid_field', 'event_id'],
    ['event not an object', json(directMessage('U1', 'hoi'), (b) => (b.event = 'x')), 'invalid_field', 'event'],
    ['event type missing', json(directMessage('U1', 'hoi'), (b) => delete b.event.type), 'missing_field', 'event.type'],
    [
      'a message user a number',
      json(directMessage('U1', 'hoi'), (b) => (b.event.user = 7)),
      'invalid_field',
      'event.user',
    ],
    [
      'a message text an object',
      json(directMessage('U1', 'hoi'), (b) => (b.event.text = { canary: 'geheim-canary' })),
      'invalid_field',
      'event.text',
    ],
    [
      'no team anywhere',
      json(directMessage('U1', 'hoi'), (b) => {
        delete b.team_id;
        b.authorizations = [];
      }),
      'missing_field',
      'team_id',
    ],
    [
      'a mention channel a list',
      json(appMention('U1', 'hoi'), (b) => (b.event.channel = ['C1'])),
      'invalid_field',
      'event.channel',
    ],
    ['the Home tab a number', json(homeOpened('U1'), (b) => (b.event.tab = 1)), 'invalid_field', 'event.tab'],
    [
      'revoked tokens not a list',
      eventCallback({ type: 'tokens_revoked', tokens: { bot: 'UBOT' } }),
      'invalid_field',
      'event.tokens.bot',
    ],
    ['block_actions actions an object', form(click(), (p) => (p.actions = {})), 'invalid_field', 'actions'],
    ['an action value a number', form(click(), (p) => (p.actions[0].value = 3)), 'invalid_field', 'actions.0.value'],
    ['a click user id missing', form(click(), (p) => delete p.user.id), 'missing_field', 'user.id'],
    [
      'an ephemeral flag a string',
      form(click(), (p) => (p.container.is_ephemeral = 'yes')),
      'invalid_field',
      'container.is_ephemeral',
    ],
    [
      'ticked boxes not a list (ids as keys shown as *)',
      form(click(), (p) => (p.state = { values: { 'geheim-blok': { 'bb|x|a': { selected_options: 'x' } } } })),
      'invalid_field',
      'state.values.*.*.selected_options',
    ],
    ['a view a string', form(viewSubmission('U1', '{}', 'x'), (p) => (p.view = 'x')), 'invalid_field', 'view'],
    [
      'modal text a number',
      form(viewSubmission('U1', '{}', 'x'), (p) => (p.view.state.values['bb-input'].text.value = 5)),
      'invalid_field',
      'view.state.values.*.text.value',
    ],
    ['a type a number', JSON.stringify({ type: 5 }), 'invalid_field', 'type'],
  ])('%s', async (_name, body, reason, field) => {
    const capture = captureLogger();
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink, log: capture.log });
    const response = await slack.post(body);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-slack-no-retry')).toBe('1');
    expect(await response.json()).toEqual({ error: reason, field });
    await slack.adapter.drain();
    expect(recorder.events).toHaveLength(0);
    expect(capture.lines().find((l) => l.msg === 'slack payload refused')).toMatchObject({ reason, field, level: 40 });
    expect(capture.text()).not.toContain('geheim');
  });

  it('a slash command without its trigger id (form fields come as text, so only absence can be wrong)', async () => {
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    const params = new URLSearchParams(slashCommand('U1', 'help', 'C1'));
    params.delete('trigger_id');
    const response = await slack.post(params.toString());
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'missing_field', field: 'trigger_id' });
    params.set('trigger_id', '');
    expect(await (await slack.post(params.toString())).json()).toEqual({ error: 'missing_field', field: 'trigger_id' });
    expect(recorder.events).toHaveLength(0);
  });
});

describe('what Slack really sends passes', () => {
  it('nulls where Slack sends them (org team, bot id, authorizations) and fields we do not read', async () => {
    fakeSlackApi(nock);
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    const message = json(directMessage('U1', 'hoi'), (b) => {
      b.event.bot_id = null;
      b.event.blocks = [{ type: 'rich_text', elements: [] }];
      b.event.client_msg_id = 'abc';
      b.authorizations = [{ team_id: null, user_id: 'UBOT0001', enterprise_id: null }];
      b.is_ext_shared_channel = false;
    });
    expect((await slack.post(message)).status).toBe(200);
    const orgClick = form(click(), (p) => {
      p.team = null;
      p.enterprise = null;
      p.actions[0].selected_option = null;
    });
    expect((await slack.post(orgClick)).status).toBe(200);
    await slack.adapter.drain();
    expect(recorder.events.map((e) => [e.kind, e.user.tenantId])).toEqual([
      ['message', 'T0TEST'],
      ['action', 'T0TEST'],
    ]);
  });

  it('an event type we do not use is acknowledged whatever its fields, and runs nothing', async () => {
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    const response = await slack.post(eventCallback({ type: 'reaction_added', user: 5, item: 'x' }));
    expect(response.status).toBe(200);
    await slack.adapter.drain();
    expect(recorder.events).toHaveLength(0);
  });
});
