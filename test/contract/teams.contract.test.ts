/**
 * The ChatAdapter contract for Teams: activities posted to the real /api/messages route, and a Bot Connector
 * stand-in at the conversation reference's serviceUrl that records every call, gives ids and can refuse a send.
 * The refreshed card of an Action.Execute comes back in the invoke response: that is an update in place too.
 */
import type { ServerResponse } from 'node:http';
import { conversationRefOf, userRefOf } from '../../adapters/teams/parse.js';
import { makeBot } from '../support/make-bot.js';
import { activities, type ConnectorCall, startConnector, startTeams } from '../adapters/teams/support/harness.js';
import { chatAdapterContract, type PlatformRecord } from './chat-adapter.contract.js';

type Json = Record<string, unknown>;

/** Every string under a `text` key: what a person reads of an activity or a card. */
function readable(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(readable);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, v]) => (key === 'text' && typeof v === 'string' ? [v] : readable(v)));
  return [];
}

/** The data of the card control labelled `label`: a button, or a choice row (a container with a selectAction). */
function controlData(card: unknown, label: string): Json | undefined {
  if (Array.isArray(card)) {
    for (const item of card) {
      const found = controlData(item, label);
      if (found) return found;
    }
    return undefined;
  }
  if (!card || typeof card !== 'object') return undefined;
  const node = card as Json;
  if (node.type === 'Action.Execute' && node.title === label) return node.data as Json;
  const select = node.selectAction as Json | undefined;
  if (select?.type === 'Action.Execute' && readable(node.items).includes(label)) return select.data as Json;
  for (const value of Object.values(node)) {
    const found = controlData(value, label);
    if (found) return found;
  }
  return undefined;
}

chatAdapterContract('teams', async () => {
  const records: PlatformRecord[] = [];
  const activitiesById = new Map<string, Json>();
  const refusals: ('blocked' | 'bad-request')[] = [];
  let n = 0;
  const connector = await startConnector((call: ConnectorCall, res: ServerResponse) => {
    const [, conversation = '', , activityId] =
      /^\/v3\/conversations\/?([^/]*)(\/activities\/?([^/]*))?/.exec(call.path) ?? [];
    const conversationId = decodeURIComponent(conversation);
    const answer = (status: number, body: Json) =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const text = () => [call.body?.text ?? '', ...readable(call.body?.attachments)].join('\n');
    if (call.method === 'POST' && conversationId === '') {
      n += 1;
      records.push({ op: 'open', conversationId: `a:direct-${n}` });
      answer(200, { id: `a:direct-${n}` });
    } else if (call.method === 'POST') {
      const refusal = refusals.shift();
      if (refusal) {
        records.push({ op: 'send', conversationId, text: text() });
        if (refusal === 'blocked') answer(403, { error: { code: 'ConversationBlockedByUser', message: 'blocked' } });
        else answer(400, { error: { code: 'BadArgument', message: 'bad request' } });
        return true;
      }
      n += 1;
      const id = `sent-${n}`;
      activitiesById.set(id, call.body as Json);
      records.push({ op: 'send', conversationId, messageId: id, text: text() });
      answer(200, { id });
    } else if (call.method === 'PUT') {
      const id = decodeURIComponent(activityId ?? '');
      activitiesById.set(id, call.body as Json);
      records.push({ op: 'update', conversationId, messageId: id, text: text() });
      answer(200, { id });
    } else {
      records.push({ op: 'remove', conversationId, messageId: decodeURIComponent(activityId ?? '') });
      answer(200, {});
    }
    return true;
  });
  const core = await makeBot({ features: 'sample' });
  const teams = await startTeams({ core });
  const personal = activities.personal(connector.url, '');
  const post = async (activity: unknown) => {
    const response = await teams.post(activity);
    if (response.status >= 300) throw new Error(`/api/messages answered ${response.status}`);
    return response;
  };

  return {
    adapter: teams.adapter,
    core,
    capabilities: {
      update: 'in-place',
      remove: 'deletes',
      openDirect: 'opens-a-chat',
      finalErrors: 'platform-can-refuse',
      repeatClick: 'same-control-twice',
    },
    user: userRefOf(personal as never),
    channel: conversationRefOf(activities.channelMention(connector.url, '') as never),
    received: () => records,
    async say(text) {
      await post(activities.personal(connector.url, text));
      await core.pipeline.drain();
    },
    async click(messageId, label, times = 1) {
      const shown = activitiesById.get(messageId);
      const data = controlData(shown?.attachments, label);
      if (!data) throw new Error(`no control "${label}" on activity ${messageId}`);
      // Both clicks are in flight at once, as a quick double click is.
      const answers = await Promise.all(
        Array.from({ length: times }, () => post(activities.execute(connector.url, data, messageId))),
      );
      for (const answer of answers) {
        // The refreshed card is the invoke response: Teams replaces the clicked card with it.
        const card = (answer.json as Json | undefined)?.value;
        if (card && typeof card === 'object')
          records.push({ op: 'update', messageId, text: readable(card).join('\n') });
      }
      await core.pipeline.drain();
    },
    refuseNext: (kind) => void refusals.push(kind),
    async close() {
      await teams.close();
      await core.pipeline.drain();
      await core.store.close();
      await connector.close();
    },
  };
});
