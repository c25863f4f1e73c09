/**
 * Socket Mode feeds the same path as HTTP. A local WebSocket server stands in for Slack's
 * (apps.connections.open → its URL); Bolt's SocketModeReceiver connects to it for real.
 */
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeActionId } from '../../../adapters/slack/action-id.js';
import { commandRoute } from '../../../src/core/context.js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../../../src/app.js';
import { makeBot } from '../../support/make-bot.js';
import { blockAction, directMessage, slashCommand } from '../../support/slack-signed-request.js';
import { API_ORIGIN, fakeSlackApi, startSlack, translator, waitFor, type SlackHarness } from './harness.js';

let wss: WebSocketServer | undefined;
let slack: SlackHarness | undefined;
let core: Core | undefined;
afterEach(async () => {
  await slack?.close();
  await core?.pipeline.drain();
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  for (const client of wss?.clients ?? []) client.terminate();
  wss = undefined;
  slack = undefined;
});

/** A fake Slack Socket Mode server: says hello, sends envelopes, collects acks. */
async function fakeSocketServer() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const acks: { envelope_id: string; payload?: unknown }[] = [];
  let socket: WebSocket | undefined;
  const connected = new Promise<void>((resolve) => {
    server.on('connection', (ws) => {
      socket = ws;
      ws.on('message', (data) => acks.push(JSON.parse(String(data)) as { envelope_id: string }));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0TEST' } }));
      resolve();
    });
  });
  return {
    server,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link`,
    acks,
    connected,
    send: (envelope: Record<string, unknown>) => socket!.send(JSON.stringify(envelope)),
  };
}

describe('Socket Mode (SLACK_APP_TOKEN)', () => {
  it('acks every envelope, de-duplicates retries like HTTP, and handles commands and clicks', async () => {
    const fake = await fakeSocketServer();
    wss = fake.server;
    const opened = nock(API_ORIGIN)
      .post('/api/apps.connections.open')
      .matchHeader('authorization', 'Bearer xapp-test-token')
      .reply(200, { ok: true, url: fake.url });
    const api = fakeSlackApi(nock);
    core = await makeBot();
    slack = await startSlack({
      core,
      config: { appToken: 'xapp-test-token' },
    });
    await fake.connected;
    expect(opened.isDone()).toBe(true);

    const event = JSON.parse(directMessage('U1', 'help', 'DU1', 'EvSocket1')) as Record<string, unknown>;
    fake.send({
      envelope_id: 'env-1',
      type: 'events_api',
      payload: event,
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: '',
    });
    fake.send({
      envelope_id: 'env-2',
      type: 'events_api',
      payload: event,
      accepts_response_payload: false,
      retry_attempt: 1,
      retry_reason: 'timeout',
    });
    const command = Object.fromEntries(new URLSearchParams(slashCommand('U2', 'help', 'DU2')));
    fake.send({ envelope_id: 'env-3', type: 'slash_commands', payload: command, accepts_response_payload: true });
    await waitFor(() => fake.acks.length === 3, 5_000, 'three acks');
    expect(fake.acks.map((a) => a.envelope_id).sort()).toEqual(['env-1', 'env-2', 'env-3']);
    await waitFor(() => api.of('chat.postMessage').length >= 2, 5_000, 'answers');
    await slack.adapter.drain();
    await core.pipeline.drain();
    // The redelivered event answered once; the command was answered in the 1:1 chat it came from.
    expect(
      api
        .of('chat.postMessage')
        .map((c) => c.body.channel)
        .sort(),
    ).toEqual(['DU1', 'DU2']);

    const question = api.messages().find((m) => m.channel === 'DU2')!;
    const click = JSON.parse(
      new URLSearchParams(
        blockAction({
          user: 'U2',
          channel: 'DU2',
          messageTs: question.ts!,
          actionId: encodeActionId('a', commandRoute('checkin')),
        }),
      ).get('payload')!,
    ) as Record<string, unknown>;
    fake.send({ envelope_id: 'env-4', type: 'interactive', payload: click, accepts_response_payload: false });
    await waitFor(() => fake.acks.length === 4, 5_000, 'the click ack');
    // The check-in's first answer: the consent card, before any question.
    await waitFor(() => api.of('chat.postMessage').length >= 3, 5_000, 'the consent card');
    expect(api.of('chat.postMessage').at(-1)?.body.text).toContain(translator.t('nl', 'privacy.consent.title'));
  });

  it('a refused form submission: the acknowledgement carries the reason, so the modal stays open', async () => {
    const fake = await fakeSocketServer();
    wss = fake.server;
    nock(API_ORIGIN).post('/api/apps.connections.open').reply(200, { ok: true, url: fake.url });
    const api = fakeSlackApi(nock);
    core = await makeBot({ env: { ORGANISERS: 'slack:U3' } });
    slack = await startSlack({ core, config: { appToken: 'xapp-test-token' } });
    await fake.connected;
    const submission = {
      type: 'view_submission',
      team: { id: 'T0TEST', domain: 'gemeente' },
      user: { id: 'U3', team_id: 'T0TEST' },
      api_app_id: 'A0TEST',
      trigger_id: 'trig.socket.1',
      view: {
        id: 'VSOCKET1',
        hash: 'hash1',
        type: 'modal',
        callback_id: 'bb-form',
        private_metadata: JSON.stringify({ a: encodeActionId('a', { feature: 'announcements', verb: 'submit' }) }),
        state: { values: { text: { text: { type: 'plain_text_input', value: '' } } } },
      },
    };
    fake.send({ envelope_id: 'env-form', type: 'interactive', payload: submission, accepts_response_payload: true });
    await waitFor(() => fake.acks.length === 1, 5_000, 'the ack');
    expect(fake.acks[0]).toEqual({
      envelope_id: 'env-form',
      payload: { response_action: 'errors', errors: { text: 'Schrijf eerst een tekst voor de aankondiging.' } },
    });
    await slack.adapter.drain();
    await core.pipeline.drain();
    expect(api.of('views.open')).toEqual([]);
  });
});
