/**
 * The ChatAdapter contract for Slack: the adapter on the real HTTP receiver (signed requests in) and the Web API
 * stand-in (the platform double, test/support/platform-double.ts) through SLACK_API_URL. A small recording front sits between them: it
 * notes what Slack answered (the ts of each message) and can make Slack refuse the next post.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startPlatformDouble } from '../support/platform-double.js';
import { makeBot } from '../support/make-bot.js';
import { blockAction, directMessage, TEST_TEAM } from '../support/slack-signed-request.js';
import { startSlack } from '../adapters/slack/harness.js';
import type { UserRef } from '../../src/message/types.js';
import { chatAdapterContract, type PlatformRecord } from './chat-adapter.contract.js';

const PERSON = 'U0PERSON';
const CHANNEL = 'C0RAAD';

interface FrontCall {
  method: string;
  body: Record<string, string>;
  status: number;
  answer: Record<string, unknown>;
}

/** Every string under a `text` key: what a person reads of a message (its text and its blocks). */
function readable(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(readable);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, v]) => (key === 'text' && typeof v === 'string' ? [v] : readable(v)));
  return [];
}

function parseBody(text: string): Record<string, string> {
  return text.startsWith('{')
    ? (JSON.parse(text) as Record<string, string>)
    : Object.fromEntries(new URLSearchParams(text));
}

/** A loopback front for the fake Slack: forwards every call, records it with Slack's answer, refuses on demand. */
async function startFront(upstream: string) {
  const calls: FrontCall[] = [];
  const refusals: ('blocked' | 'bad-request')[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '';
        const method = path.startsWith('/api/') ? (path.slice(5).split('?')[0] ?? '') : 'response_url';
        const body = parseBody(raw);
        const refusal = method === 'chat.postMessage' ? refusals.shift() : undefined;
        let status = 200;
        let answer: Record<string, unknown>;
        if (refusal === 'blocked') answer = { ok: false, error: 'channel_not_found' };
        else if (refusal === 'bad-request') {
          status = 400;
          answer = { ok: false, error: 'invalid_arguments' };
        } else {
          const forwarded = await fetch(new URL(path.replace(/^\/api\//, ''), upstream), {
            method: 'POST',
            headers: { 'content-type': String(req.headers['content-type'] ?? 'application/json') },
            body: raw,
          });
          const text = await forwarded.text();
          answer = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {};
        }
        calls.push({ method, body, status, answer });
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    apiUrl: `${origin}/api/`,
    calls,
    refuse: (kind: 'blocked' | 'bad-request') => void refusals.push(kind),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toRecord(call: FrontCall): PlatformRecord | undefined {
  const { body, answer } = call;
  const text = () => [body.text ?? '', ...readable(body.blocks ? JSON.parse(body.blocks) : [])].join('\n');
  switch (call.method) {
    case 'chat.postMessage':
      return {
        op: 'send',
        conversationId: body.channel,
        ...(answer.ok ? { messageId: String(answer.ts) } : {}),
        text: text(),
      };
    case 'chat.update':
      return { op: 'update', conversationId: body.channel, messageId: body.ts, text: text() };
    case 'chat.delete':
      return { op: 'remove', conversationId: body.channel, messageId: body.ts };
    case 'conversations.open':
      return { op: 'open', conversationId: (answer.channel as { id?: string } | undefined)?.id };
    case 'response_url':
      return { op: body.replace_original ? 'update' : 'send', text: text() };
    default:
      return undefined;
  }
}

type Element = { type?: string; text?: { text?: string }; action_id?: string; value?: string };

chatAdapterContract('slack', async () => {
  const fake = await startPlatformDouble({ limits: false });
  const front = await startFront(fake.apiUrl);
  const core = await makeBot({ features: 'sample' });
  // Retries on, so a refused call that were retried would show as a second call.
  const slack = await startSlack({ core, config: { apiUrl: front.apiUrl }, tuning: { webApiRetries: 2 } });
  const user: UserRef = { platform: 'slack', tenantId: TEST_TEAM, userId: PERSON };
  const settle = async () => {
    await slack.adapter.drain();
    await core.pipeline.drain();
  };
  const expectOk = async (response: Promise<Response>) => {
    const res = await response;
    if (res.status !== 200) throw new Error(`the receiver answered ${res.status}`);
  };
  const received = () => front.calls.map(toRecord).filter((r): r is PlatformRecord => r !== undefined);

  return {
    adapter: slack.adapter,
    core,
    capabilities: {
      update: 'in-place',
      remove: 'deletes',
      openDirect: 'opens-a-chat',
      finalErrors: 'platform-can-refuse',
      repeatClick: 'same-control-twice',
    },
    user,
    channel: { platform: 'slack', tenantId: TEST_TEAM, conversationId: CHANNEL, isDirect: false },
    received,
    async say(text) {
      await expectOk(slack.post(directMessage(PERSON, text)));
      await settle();
    },
    async click(messageId, label, times = 1) {
      const shown = front.calls.find((c) => c.method === 'chat.postMessage' && c.answer.ts === messageId);
      if (!shown) throw new Error(`no message ${messageId} on Slack`);
      const elements = (JSON.parse(shown.body.blocks ?? '[]') as { elements?: Element[] }[]).flatMap(
        (b) => b.elements ?? [],
      );
      const button = elements.find((e) => e.type === 'button' && e.text?.text === label);
      if (!button?.action_id) throw new Error(`no button "${label}" on message ${messageId}`);
      const click = () =>
        slack.post(
          blockAction({
            user: PERSON,
            channel: shown.body.channel ?? '',
            messageTs: messageId,
            actionId: button.action_id!,
            ...(button.value !== undefined ? { value: button.value } : {}),
            responseUrl: `${front.origin}/actions/${TEST_TEAM}/1/contract`,
          }),
        );
      // Both clicks are in flight at once, as a quick double click is.
      await Promise.all(Array.from({ length: times }, () => expectOk(click())));
      await settle();
    },
    refuseNext: front.refuse,
    async close() {
      await slack.close();
      await core.pipeline.drain();
      await core.store.close();
      await front.close();
      await fake.close();
    },
  };
});
