/**
 * Our Bot Connector client and the Outbox on it, against a loopback stand-in: the exact paths and methods, the
 * JSON body, one kept-alive connection for many calls, Retry-After honoured (fake timers), a blocked recipient
 * final, 5xx retries bounded, a deadline on every call, and only http(s) service URLs called.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AdapterError,
  type ConversationRef,
  RateLimitedError,
  RecipientUnreachableError,
} from '../../../src/core/index.js';
import { silentLogger } from '../../../src/logger.js';
import { type ConnectorClient, createConnectorClient } from '../../../adapters/teams/connector.js';
import { createHttpClient, type HttpClient } from '../../../adapters/teams/http-client.js';
import { Outbox } from '../../../adapters/teams/outbox.js';
import { type ConnectorCall, startConnector } from './support/harness.js';

const run = promisify(execFile);
type Connector = Awaited<ReturnType<typeof startConnector>>;
let stand: Connector | undefined;
let http: HttpClient | undefined;
afterEach(async () => {
  vi.useRealTimers();
  http?.close();
  await stand?.close();
  stand = undefined;
  http = undefined;
});

async function setUp(respond?: (call: ConnectorCall, res: import('node:http').ServerResponse) => boolean) {
  stand = await startConnector(respond);
  http = createHttpClient({ timeoutMs: 2_000 });
  const connector = createConnectorClient({ http });
  const acquired: string[] = [];
  const outbox = new Outbox({
    connector,
    limiter: { acquire: async (conversation) => void acquired.push(conversation) },
    retry: { maxAttempts: 3, baseMs: 10, maxMs: 20_000 },
    log: silentLogger(),
  });
  const ref: ConversationRef = {
    platform: 'teams',
    tenantId: 'tenant-1',
    conversationId: '19:chan@thread.tacv2;messageid=17',
    isDirect: false,
    extra: { serviceUrl: stand.url, channelId: 'msteams', botId: '28:bot', botName: 'Bubbelbreker' },
  };
  return { stand, connector, outbox, ref, acquired };
}

const message = { type: 'message', text: 'Hallo' };
const replyWith = (status: number, body: unknown, headers: Record<string, string> = {}) => {
  return (res: import('node:http').ServerResponse) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
};

describe('the connector client', () => {
  it('uses the Bot Connector paths and methods, with the JSON body sent once and ids encoded', async () => {
    const { stand, connector } = await setUp();
    const sent = await connector.send(stand.url, 'a:1', message);
    const reply = await connector.send(stand.url.replace(/\/$/, ''), 'a:1', message, 'act/1');
    await connector.update(stand.url, 'a:1', 'm 2', { ...message, id: 'm 2' });
    await connector.remove(stand.url, 'a:1', 'm-3');
    const created = await connector.createConversation(stand.url, {
      isGroup: false,
      bot: { id: '28:bot' },
      members: [{ id: '29:u' }],
      tenantId: 't',
    });
    expect(sent.id).toBe('sent-1');
    expect(reply.id).toBe('sent-2');
    expect(created.id).toMatch(/^a:direct-/);
    expect(stand.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /v3/conversations/a%3A1/activities',
      'POST /v3/conversations/a%3A1/activities/act%2F1',
      'PUT /v3/conversations/a%3A1/activities/m%202',
      'DELETE /v3/conversations/a%3A1/activities/m-3',
      'POST /v3/conversations',
    ]);
    expect(stand.calls[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(stand.calls[0]!.body).toEqual(message);
    expect(stand.calls[3]!.body).toBeUndefined();
  });

  it('keeps one connection alive for many calls', async () => {
    // In a child process: nock's interceptor in this one opens a fresh socket for every request it lets through.
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'test/adapters/teams/support/keep-alive-child.ts'],
      {
        timeout: 30_000,
      },
    );
    const result = JSON.parse(stdout.trim());
    expect(result.calls).toBe(8);
    // Five calls one after another share one connection; three at once need at most two more.
    expect(result.sequential).toBe(1);
    expect(result.connections).toBeLessThanOrEqual(3);
  });

  it('only calls http(s) service URLs, and sends the token over http only to this machine', async () => {
    http = createHttpClient({ timeoutMs: 2_000 });
    const withToken: ConnectorClient = createConnectorClient({
      http,
      token: { get: async () => 'tok', invalidate: () => undefined },
    });
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'not a url', 'https://user:pw@smba.example/']) {
      await expect(withToken.send(url, 'a:1', message)).rejects.toBeInstanceOf(AdapterError);
    }
    await expect(withToken.send('http://smba.example.test/', 'a:1', message)).rejects.toThrow(/not https/);
  });
});

describe('the Outbox on it', () => {
  it('a proactive send never carries a replyToId; an open turn replies to its activity', async () => {
    const { stand, outbox, ref, acquired } = await setUp();
    await outbox.send(ref, message);
    await outbox.send(ref, message, () => 'act-9');
    await outbox.send(ref, message, () => undefined);
    const path = `/v3/conversations/${encodeURIComponent(ref.conversationId)}/activities`;
    expect(stand.calls.map((c) => c.path)).toEqual([path, `${path}/act-9`, path]);
    expect(stand.calls.map((c) => c.body.replyToId)).toEqual([undefined, 'act-9', undefined]);
    expect(stand.calls[0]!.body).toMatchObject({
      type: 'message',
      text: 'Hallo',
      channelId: 'msteams',
      serviceUrl: stand.url,
      from: { id: '28:bot', name: 'Bubbelbreker' },
      conversation: { id: ref.conversationId, tenantId: 'tenant-1', isGroup: true },
    });
    expect(acquired).toEqual([ref.conversationId, ref.conversationId, ref.conversationId]);
  });

  it('429 with Retry-After: waits that long (not less), then succeeds', async () => {
    let failed = 0;
    const { stand, outbox, ref } = await setUp((_call, res) => {
      if (failed > 0) return false;
      failed += 1;
      replyWith(429, { error: { code: 'TooManyRequests' } }, { 'retry-after': '3' })(res);
      return true;
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sending = outbox.send(ref, message);
    await vi.waitFor(() => expect(stand.calls).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(2_900);
    expect(stand.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    vi.useRealTimers();
    expect(await sending).toBe('sent-1');
    expect(stand.calls).toHaveLength(2);
  });

  it('403 MessageWritesBlocked → RecipientUnreachableError (blocked), one call only', async () => {
    const { stand, outbox, ref } = await setUp((_call, res) => {
      replyWith(403, { error: { code: 'Forbidden', subCode: 'MessageWritesBlocked' } })(res);
      return true;
    });
    const error = await outbox.send(ref, message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecipientUnreachableError);
    expect((error as RecipientUnreachableError).reason).toBe('blocked');
    expect(stand.calls).toHaveLength(1);
  });

  it('502 is retried up to the bound, 500 not at all; a persistent 429 ends as RateLimitedError', async () => {
    let status = 502;
    const { stand, outbox, ref } = await setUp((_call, res) => {
      replyWith(status, {}, { 'retry-after': '0' })(res);
      return true;
    });
    await expect(outbox.send(ref, message)).rejects.toThrow(/502/);
    expect(stand.calls).toHaveLength(3);
    status = 500;
    await expect(outbox.send(ref, message)).rejects.toBeInstanceOf(AdapterError);
    expect(stand.calls).toHaveLength(4);
    status = 429;
    await expect(outbox.send(ref, message)).rejects.toBeInstanceOf(RateLimitedError);
    expect(stand.calls).toHaveLength(7);
  });

  it('a connector that never answers: the call ends at its deadline, not retried (it may have arrived)', async () => {
    const { stand, outbox, ref } = await setUp(() => true);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const sending = outbox.send(ref, message).catch((e: unknown) => e);
    await vi.waitFor(() => expect(stand.calls).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(2_001);
    const error = await sending;
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toContain('no response');
    expect(stand.calls).toHaveLength(1);
  });

  it('a stored reference without serviceUrl fails clearly, without a call', async () => {
    const { stand, outbox, ref } = await setUp();
    const broken = { ...ref, extra: { botId: '28:bot' } };
    await expect(outbox.send(broken, message)).rejects.toThrow(/serviceUrl/);
    expect(stand.calls).toHaveLength(0);
  });
});
