/**
 * A Slack Web API stand-in on a real loopback HTTP server (for child processes, where nock cannot reach): answers
 * conversations.open, users.info, chat.postMessage/update/delete like Slack, records every call, and can hold
 * calls of one method unanswered (a slow Web API).
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlackCall {
  method: string;
  body: Record<string, string>;
}

export interface FakeSlackServer {
  /** The base URL to give as SLACK_API_URL. */
  apiUrl: string;
  calls: FakeSlackCall[];
  of(method: string): FakeSlackCall[];
  /** Hold every call of `method` unanswered from now on (until `release`). */
  hang(method: string): void;
  release(): void;
  /** Answer the next `times` calls of `method` with HTTP 429 and Retry-After: 1, as Slack does under its rate limits. */
  rateLimit(method: string, times?: number): void;
  waitFor(check: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlackServer> {
  const calls: FakeSlackCall[] = [];
  const hanging = new Set<string>();
  const limited = new Map<string, number>();
  const held: ServerResponse[] = [];
  let ts = 1_700_000_000;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text.startsWith('{')
        ? (JSON.parse(text) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(text));
      calls.push({ method, body });
      if (hanging.has(method)) {
        held.push(res);
        return;
      }
      const left = limited.get(method) ?? 0;
      if (left > 0) {
        limited.set(method, left - 1);
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' })
          .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      let answer: Record<string, unknown> = { ok: true };
      if (method === 'conversations.open') answer = { ok: true, channel: { id: `D${body.users}` } };
      if (method === 'users.info') answer = { ok: true, user: { id: body.user, locale: 'nl-NL' } };
      if (method === 'chat.postMessage') answer = { ok: true, channel: body.channel, ts: `${++ts}.000100` };
      if (method === 'chat.update') answer = { ok: true, channel: body.channel, ts: body.ts };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    of: (method) => calls.filter((c) => c.method === method),
    hang: (method) => void hanging.add(method),
    rateLimit: (method, times = 1) => void limited.set(method, times),
    release() {
      hanging.clear();
      for (const res of held.splice(0)) res.destroy();
    },
    async waitFor(check, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error('timed out waiting for the fake Slack');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
