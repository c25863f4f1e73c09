import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionKind, encodeActionId } from '../../../adapters/slack/action-id.js';
import { interpret } from '../../../adapters/slack/inbound.js';
import { commandRoute } from '../../../src/core/context.js';
import { dialogRoute } from '../../../src/dialog/render.js';
import type { ActionEvent, CommandEvent, InboundEvent, MessageEvent } from '../../../src/message/types.js';
import { captureLogger } from '../../support/capture-logger.js';
import {
  appMention,
  blockAction,
  directMessage,
  eventCallback,
  signedRequest,
  slashCommand,
  viewSubmission,
} from '../../support/slack-signed-request.js';
import { messageProblems, viewProblems } from './block-kit.js';
import { BOT_TOKEN, fakeSlackApi, recordingSink, startSlack, waitFor, type SlackHarness } from './harness.js';

let slack: SlackHarness | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
});

const say = (text: string) => ({ text, blocks: [{ type: 'text' as const, text }] });
/** The action_id a check-in control of `step` at `turn` gets from the renderer. */
const control = (kind: ActionKind, step: string, turn: number, choice?: string) =>
  encodeActionId(kind, dialogRoute('answer', 'checkin', step, turn), choice);

describe('inbound Slack payloads become neutral events', () => {
  it("an event carries Slack's event_time as the moment it happened (for the inbox); a wrong one is left out", () => {
    const event = { type: 'message', user: 'U1', text: 'help', ts: '1.1', channel: 'DU1', channel_type: 'im' };
    const body = JSON.parse(eventCallback(event)) as Record<string, unknown>;
    const outcome = interpret({ ...body, event_time: 1_764_000_000 }, Date.now());
    expect(outcome.ack === 'ok' && outcome.sentAt).toBe(1_764_000_000_000);
    for (const wrong of ['1764000000', 1.5, -3, undefined]) {
      const other = interpret({ ...body, event_time: wrong }, Date.now());
      expect(other.ack === 'ok' && other.work.length, String(wrong)).toBe(1);
      expect(other.ack === 'ok' && other.sentAt, String(wrong)).toBeUndefined();
    }
  });

  it('a direct message: message event answered in the same 1:1 chat; Slack is never asked for a locale', async () => {
    const api = fakeSlackApi(nock, { locales: { U1: 'en-US' } });
    const recorder = recordingSink((_event, io) => io.send(say('hoi')).then(() => undefined));
    slack = await startSlack({ sink: recorder.sink });
    expect((await slack.post(directMessage('U1', 'checkin', 'DU1', 'Ev001'))).status).toBe(200);
    await slack.adapter.drain();
    const event = recorder.events[0] as MessageEvent;
    expect(event).toMatchObject({ kind: 'message', id: 'Ev001', platform: 'slack', text: 'checkin' });
    // Dutch first: the person's Slack locale plays no part, so users.info is never called.
    expect(api.of('users.info')).toHaveLength(0);
    expect(event.user).toEqual({ platform: 'slack', tenantId: 'T0TEST', userId: 'U1' });
    expect(event.conversation).toMatchObject({ conversationId: 'DU1', isDirect: true });
    const [post] = api.of('chat.postMessage');
    expect(post?.body.channel).toBe('DU1');
    expect(post?.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(messageProblems(api.messages()[0]!)).toEqual([]);
  });

  it('ignores the bot itself, edits and other subtypes', async () => {
    fakeSlackApi(nock);
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    const base = { type: 'message', channel: 'DU1', ts: '1.1', channel_type: 'im' };
    for (const event of [
      { ...base, user: 'UBOT0001', text: 'mijn eigen bericht' },
      { ...base, user: 'U1', bot_id: 'B1', text: 'bot' },
      { ...base, user: 'U1', subtype: 'message_changed', text: 'bewerkt' },
      { ...base, user: 'U1', channel_type: 'channel', text: 'kanaal' },
    ])
      expect((await slack.post(eventCallback(event))).status).toBe(200);
    await slack.adapter.drain();
    expect(recorder.events).toEqual([]);
  });

  it('a mention in a channel: the mention is stripped, answers go to the thread, direct ones to the 1:1 chat', async () => {
    const api = fakeSlackApi(nock);
    const recorder = recordingSink(async (_event, io) => {
      await io.send(say('Ik heb je een privébericht gestuurd.'));
      await io.send(say('Vraag 1'), { direct: true });
    });
    slack = await startSlack({ sink: recorder.sink });
    await slack.post(appMention('U2', 'checkin', 'C0RAAD'));
    await slack.adapter.drain();
    const event = recorder.events[0] as MessageEvent;
    expect(event).toMatchObject({ kind: 'message', text: 'checkin', isMention: true });
    expect(event.conversation).toMatchObject({ conversationId: 'C0RAAD', isDirect: false });
    const posts = api.of('chat.postMessage');
    expect(posts[0]?.body).toMatchObject({ channel: 'C0RAAD', thread_ts: event.conversation.threadId });
    expect(api.of('conversations.open')[0]?.body.users).toBe('U2');
    expect(posts[1]?.body.channel).toBe('DU2');
    expect(posts[1]?.body.thread_ts).toBeUndefined();
  });

  it('a slash command in a channel is answered privately through response_url; the check-in goes to the 1:1 chat', async () => {
    const api = fakeSlackApi(nock);
    const recorder = recordingSink(async (_event, io) => {
      await io.send(say('help tekst'));
      await io.send(say('Vraag 1'), { direct: true });
    });
    slack = await startSlack({ sink: recorder.sink });
    const response = await slack.post(slashCommand('U3', 'checkin', 'C0RAAD'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await slack.adapter.drain();
    expect(recorder.events[0]).toMatchObject({
      kind: 'command',
      text: 'checkin',
      conversation: { conversationId: 'C0RAAD', isDirect: false },
    });
    expect((recorder.events[0] as CommandEvent).id).toMatch(/^cmd:/);
    const [privately] = api.of('response_url');
    expect(privately?.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(api.of('chat.postMessage').map((c) => c.body.channel)).toEqual(['DU3']);
  });

  it('a slash command in the bot’s own 1:1 chat counts as direct and is answered in the open', async () => {
    const api = fakeSlackApi(nock);
    const recorder = recordingSink((_event, io) => io.send(say('help tekst')).then(() => undefined));
    slack = await startSlack({ sink: recorder.sink });
    await slack.post(slashCommand('U4', 'help', 'DU4'));
    await slack.adapter.drain();
    expect(recorder.events[0]?.conversation.isDirect).toBe(true);
    expect(api.of('chat.postMessage').map((c) => c.body.channel)).toEqual(['DU4']);
    expect(api.of('response_url')).toHaveLength(0);
  });

  it('a button click: action event with its payload and source; update replaces that message', async () => {
    const api = fakeSlackApi(nock);
    const recorder = recordingSink((_event, io) => io.update(say('beantwoord')));
    slack = await startSlack({ sink: recorder.sink });
    await slack.post(
      blockAction({
        user: 'U5',
        channel: 'DU5',
        messageTs: '1700.0001',
        actionId: control('a', 'kind', 2, 'conflict'),
      }),
    );
    await slack.adapter.drain();
    const event = recorder.events[0] as ActionEvent;
    expect(event.action).toEqual({ route: dialogRoute('answer', 'checkin', 'kind', 2), choice: 'conflict' });
    expect(event.source).toEqual({
      conversation: expect.objectContaining({ conversationId: 'DU5', isDirect: true }),
      messageId: '1700.0001',
    });
    expect(api.of('chat.update')[0]?.body).toMatchObject({ channel: 'DU5', ts: '1700.0001' });
  });

  it('multi choice: the submit button carries the ticked boxes; ticking alone does nothing', async () => {
    fakeSlackApi(nock);
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    await slack.post(
      blockAction({ user: 'U6', channel: 'DU6', messageTs: '1.1', actionId: control('x', 'voices', 4) }),
    );
    const state = {
      blk1: {
        [control('x', 'voices', 4)]: {
          type: 'checkboxes',
          selected_options: [{ value: 'youth' }, { value: 'farmers' }],
        },
      },
      blk2: { [`${control('x', 'voices', 4)}|1`]: { type: 'checkboxes', selected_options: [{ value: 'elderly' }] } },
      other: { [control('x', 'voices', 3)]: { type: 'checkboxes', selected_options: [{ value: 'stale' }] } },
    };
    await slack.post(
      blockAction({ user: 'U6', channel: 'DU6', messageTs: '1.1', actionId: control('m', 'voices', 4), state }),
    );
    await slack.adapter.drain();
    expect(recorder.events).toHaveLength(1);
    expect((recorder.events[0] as ActionEvent).action).toEqual({
      route: dialogRoute('answer', 'checkin', 'voices', 4),
      values: ['youth', 'farmers', 'elderly'],
    });
  });

  it('a scale select carries the chosen number', async () => {
    fakeSlackApi(nock);
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    await slack.post(
      blockAction({
        user: 'U6',
        channel: 'DU6',
        messageTs: '1.1',
        actionId: control('s', 'glasl', 5),
        selectedOption: '7',
      }),
    );
    await slack.adapter.drain();
    expect((recorder.events[0] as ActionEvent).action).toEqual({
      route: dialogRoute('answer', 'checkin', 'glasl', 5),
      choice: '7',
    });
  });

  it('typed input: the button opens a modal at once, its submission becomes an answer that updates the question', async () => {
    const api = fakeSlackApi(nock);
    const recorder = recordingSink((_event, io) => io.update(say('dank je')));
    slack = await startSlack({ sink: recorder.sink });
    const value = JSON.stringify({ l: 'Wil je nog iets kwijt?', p: 'Typ hier', m: 280, s: 'Versturen', o: 'nl' });
    await slack.post(
      blockAction({ user: 'U7', channel: 'DU7', messageTs: '1700.0007', actionId: control('i', 'note', 6), value }),
    );
    await waitFor(() => api.of('views.open').length === 1, 2_000, 'views.open');
    expect(recorder.events).toHaveLength(0);
    const view = JSON.parse(api.of('views.open')[0]!.body.view!) as Record<string, unknown>;
    expect(viewProblems(view)).toEqual([]);
    expect(JSON.stringify(view)).toContain('"max_length":280');
    const response = await slack.post(viewSubmission('U7', view.private_metadata as string, 'Een notitie met <!here>'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await slack.adapter.drain();
    const event = recorder.events[0] as ActionEvent;
    expect(event.action).toEqual({
      route: dialogRoute('answer', 'checkin', 'note', 6),
      text: 'Een notitie met <!here>',
    });
    expect(event.id).toMatch(/^view:/);
    expect(api.of('chat.update')[0]?.body).toMatchObject({ channel: 'DU7', ts: '1700.0007' });
  });

  it('a tampered action id still reaches the core (which answers kindly); foreign action ids are ignored', async () => {
    fakeSlackApi(nock);
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    await slack.post(
      blockAction({
        user: 'U8',
        channel: 'DU8',
        messageTs: '1.1',
        actionId: 'bb|a|dialog|answer|d=checkin&t=2|x|1|extra',
      }),
    );
    await slack.post(blockAction({ user: 'U8', channel: 'DU8', messageTs: '1.1', actionId: 'someone-elses-button' }));
    await slack.adapter.drain();
    expect(recorder.events.map((e) => (e as ActionEvent).action.route.feature)).toEqual(['$invalid']);
  });

  it('app_uninstalled reaches the core as an uninstall event; nothing is sent', async () => {
    const api = fakeSlackApi(nock);
    const recorder = recordingSink((_event, io) => io.send(say('dag')).then(() => undefined));
    slack = await startSlack({ sink: recorder.sink });
    await slack.post(eventCallback({ type: 'app_uninstalled', event_ts: '1.1' }, 'EvUninstall'));
    await slack.adapter.drain();
    expect(recorder.events.map((e: InboundEvent) => e.kind)).toEqual(['uninstall']);
    expect(api.calls).toHaveLength(0);
  });
});

describe('event ids', () => {
  it('a click: the same id when Slack delivers it again, another for another click, and no user id in either', async () => {
    fakeSlackApi(nock);
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    const click = blockAction({
      user: 'UCANARY42',
      channel: 'DUCANARY42',
      messageTs: '1700.0001',
      actionId: control('a', 'kind', 2, 'conflict'),
    });
    await slack.post(click);
    await slack.adapter.drain();
    // The redelivery has the same id, so it is recorded as seen already and never reaches the turn.
    await slack.post(click, { headers: { 'x-slack-retry-num': '1' } });
    await slack.post(
      blockAction({
        user: 'UCANARY42',
        channel: 'DUCANARY42',
        messageTs: '1700.0001',
        actionId: control('a', 'kind', 2, 'conflict'),
      }),
    );
    await slack.post(
      blockAction({
        user: 'UCANARY42',
        channel: '',
        messageTs: '',
        actionId: encodeActionId('a', commandRoute('help')),
        fromHome: true,
      }),
    );
    await slack.adapter.drain();
    const ids = recorder.events.map((e) => e.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      expect(id).toMatch(/^act:T0TEST:/);
      expect(id).not.toContain('UCANARY42');
      // The action id can carry the chosen answer: it stays out of the (logged) event id.
      expect(id).not.toContain('conflict');
    }
  });

  it('slash commands and modal submissions carry no user id either', async () => {
    const api = fakeSlackApi(nock);
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    await slack.post(slashCommand('UCANARY42', 'help', 'C0RAAD'));
    const value = JSON.stringify({ l: 'Nog iets?', m: 280, s: 'Versturen', o: 'nl' });
    await slack.post(
      blockAction({
        user: 'UCANARY42',
        channel: 'DUCANARY42',
        messageTs: '1700.0007',
        actionId: control('i', 'note', 6),
        value,
      }),
    );
    await waitFor(() => api.of('views.open').length === 1, 2_000, 'views.open');
    const view = JSON.parse(api.of('views.open')[0]!.body.view!) as Record<string, unknown>;
    await slack.post(viewSubmission('UCANARY42', view.private_metadata as string, 'notitie'));
    await slack.adapter.drain();
    expect(recorder.events.map((e) => e.kind)).toEqual(['command', 'action']);
    for (const event of recorder.events) expect(event.id).not.toContain('UCANARY42');
  });
});

describe('signed payloads we do not handle', () => {
  it.each(['shortcut', 'message_action', 'block_suggestion', 'view_closed', 'workflow_step_edit'])(
    '%s: an empty 200, no work, only its type logged',
    async (type) => {
      const capture = captureLogger();
      const recorder = recordingSink();
      slack = await startSlack({ sink: recorder.sink, log: capture.log });
      const payload = {
        type,
        team: { id: 'T0TEST' },
        user: { id: 'UCANARY42' },
        trigger_id: 'trig.1',
        callback_id: 'geheim-canary',
        message: { text: 'geheim-canary' },
      };
      const response = await slack.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
      expect(response.status).toBe(200);
      expect(response.headers.get('x-slack-no-retry')).toBeNull();
      expect(await response.text()).toBe('');
      await slack.adapter.drain();
      expect(recorder.events).toHaveLength(0);
      expect(capture.text()).not.toContain('geheim-canary');
      expect(capture.text()).not.toContain('UCANARY42');
      if (type !== 'view_closed')
        expect(capture.lines().find((l) => l.msg === 'slack payload type not handled')).toMatchObject({
          payloadType: type,
          level: 20,
        });
    },
  );

  it('a type that does not look like one is logged as “other”', async () => {
    const capture = captureLogger();
    slack = await startSlack({ log: capture.log });
    const response = await slack.post(JSON.stringify({ type: 'Geheim canary tekst' }));
    expect(response.status).toBe(200);
    expect(capture.text()).not.toContain('canary');
    expect(capture.lines().find((l) => l.msg === 'slack payload type not handled')).toMatchObject({
      payloadType: 'other',
    });
  });
});

describe('bad input is refused with a reason and crashes nothing', () => {
  it.each([
    ['malformed JSON', '{"type": "event_callback",', 'application/json', 400, { error: 'malformed_json' }],
    ['a JSON array', '[1,2,3]', 'application/json', 400, { error: 'body_not_an_object' }],
    [
      'a payload without any type',
      JSON.stringify({ foo: 'bar' }),
      'application/json',
      400,
      { error: 'unknown_payload_type' },
    ],
    [
      'an event without its fields',
      JSON.stringify({ type: 'event_callback' }),
      'application/json',
      400,
      { error: 'missing_field', field: 'event_id' },
    ],
    [
      'an action without a user',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [] }))}`,
      'application/x-www-form-urlencoded',
      400,
      { error: 'missing_field', field: 'user' },
    ],
    [
      'broken interactivity JSON',
      'payload=%7Bnope',
      'application/x-www-form-urlencoded',
      400,
      { error: 'malformed_json' },
    ],
    ['an unknown content type', 'hello', 'text/plain', 415, { error: 'unsupported_content_type' }],
  ])('%s', async (_name, body, contentType, status, answer) => {
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    const signed = signedRequest(body, { contentType });
    const response = await fetch(slack.eventsUrl, { method: 'POST', headers: signed.headers, body });
    expect(response.status).toBe(status);
    expect(response.headers.get('x-slack-no-retry')).toBe('1');
    expect(await response.json()).toEqual(answer);
    // Still serving afterwards.
    fakeSlackApi(nock);
    expect((await slack.post(directMessage('U1', 'hallo'))).status).toBe(200);
    await slack.adapter.drain();
    expect(recorder.events).toHaveLength(1);
  });

  it('a body over the size limit gets 413 before any work', async () => {
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink, tuning: { maxBodyBytes: 1024 } });
    const response = await slack.post(directMessage('U1', 'x'.repeat(5000)));
    expect(response.status).toBe(413);
    expect(recorder.events).toHaveLength(0);
  });

  it('an unsigned ssl_check is answered without running anything', async () => {
    const recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink });
    const response = await fetch(slack.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=x',
    });
    expect(response.status).toBe(200);
    expect(recorder.events).toHaveLength(0);
  });
});
