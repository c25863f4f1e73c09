/**
 * POST /slack/events never lets a throw escape: an exception inside the request handling would otherwise be
 * uncaught and stop the process. Only an error code and class are logged, never the message or the body.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventsRoute, type EventsRouteDeps } from '../../../adapters/slack/http-receiver.js';
import { captureLogger } from '../../support/capture-logger.js';
import { directMessage, postSigned, signature, TEST_SIGNING_SECRET } from '../../support/slack-signed-request.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** The route alone on a loopback server; `route` returning a rejected promise would surface as an unhandled rejection. */
async function serve(overrides: Partial<EventsRouteDeps>) {
  const capture = captureLogger();
  const route = createEventsRoute({
    signingSecret: TEST_SIGNING_SECRET,
    log: capture.log,
    now: Date.now,
    maxBodyBytes: 64 * 1024,
    isBusy: () => false,
    admit: async (work) => work,
    dispatch: () => undefined,
    ...overrides,
  });
  server = createServer((req, res) => void route(req, res, {}));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  return { capture, url, post: (body: string) => postSigned(url, body) };
}

/** Send only the headers of a 1 KB POST and hold the body back: the answer can only come without reading it. */
function headersOnly(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': 1024, ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          req.destroy();
        });
      },
    );
    req.on('error', reject);
    req.flushHeaders();
  });
}

class CanaryError extends Error {
  override name = 'CanaryError';
}

describe('a throw while handling a request', () => {
  it('before the ack: answered 500, logged with its class only, and the server keeps serving', async () => {
    let busyCalls = 0;
    const { capture, post } = await serve({
      isBusy: () => {
        busyCalls += 1;
        if (busyCalls === 1) throw new CanaryError('geheime-melding-canary');
        return false;
      },
    });
    const response = await post(directMessage('UCANARY42', 'geheim-antwoord-canary'));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'internal' });
    const line = capture.lines().find((l) => l.msg === 'slack request failed');
    expect(line).toMatchObject({ errName: 'CanaryError', code: 'CanaryError' });
    for (const canary of ['geheime-melding-canary', 'geheim-antwoord-canary', 'UCANARY42'])
      expect(capture.text()).not.toContain(canary);
    expect((await post(directMessage('U1', 'hallo'))).status).toBe(200);
  });

  it('after the ack (dispatch throws): the 200 stands, the failure is logged, the process lives on', async () => {
    let dispatched = 0;
    const { capture, post } = await serve({
      dispatch: () => {
        dispatched += 1;
        throw new CanaryError('geheime-melding-canary');
      },
    });
    const response = await post(directMessage('U1', 'geheim-antwoord-canary'));
    expect(response.status).toBe(200);
    expect(dispatched).toBe(1);
    expect(capture.lines().find((l) => l.msg === 'slack request failed')).toMatchObject({ errName: 'CanaryError' });
    expect(capture.text()).not.toContain('canary');
    expect((await post(directMessage('U1', 'nog eens'))).status).toBe(200);
    expect(dispatched).toBe(2);
  });
});

describe('reading the body', () => {
  it('too large: 413 with X-Slack-No-Retry, nothing dispatched', async () => {
    let dispatched = 0;
    const { post } = await serve({
      maxBodyBytes: 512,
      dispatch: () => {
        dispatched += 1;
      },
    });
    const response = await post(directMessage('U1', 'x'.repeat(2_000)));
    expect(response.status).toBe(413);
    expect(response.headers.get('x-slack-no-retry')).toBe('1');
    expect(await response.json()).toEqual({ error: 'payload_too_large' });
    expect(dispatched).toBe(0);
  });
});

describe('signature headers are checked before the body is read', () => {
  const sig = signature(TEST_SIGNING_SECRET, 1, 'x');
  const nowS = () => Math.floor(Date.now() / 1000);

  it.each([
    ['no signature', { 'x-slack-request-timestamp': String(nowS()) }, 'missing_signature'],
    ['no timestamp', { 'x-slack-signature': sig }, 'missing_timestamp'],
    [
      'a timestamp that is not a number',
      { 'x-slack-signature': sig, 'x-slack-request-timestamp': '1e9' },
      'missing_timestamp',
    ],
    [
      'a signature that is not v0 hex',
      { 'x-slack-signature': 'v1=abc', 'x-slack-request-timestamp': String(nowS()) },
      'bad_signature',
    ],
    [
      'a timestamp 6 minutes old',
      { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(nowS() - 360) },
      'stale_timestamp',
    ],
    [
      'a timestamp 6 minutes ahead',
      { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(nowS() + 360) },
      'future_timestamp',
    ],
  ])('%s: 401 with X-Slack-No-Retry and the connection closed, body unread', async (_name, headers, reason) => {
    let dispatched = 0;
    const { capture, url } = await serve({
      dispatch: () => {
        dispatched += 1;
      },
    });
    const reply = await headersOnly(url, headers as Record<string, string>);
    expect(reply.status).toBe(401);
    expect(reply.headers['x-slack-no-retry']).toBe('1');
    expect(reply.headers.connection).toBe('close');
    expect(JSON.parse(reply.body)).toEqual({ error: reason });
    expect(capture.lines().find((l) => l.msg === 'slack request refused')).toMatchObject({ reason });
    expect(dispatched).toBe(0);
  });

  it('unsigned, only a tiny ssl_check form is read (and answered 200); anything larger is refused unread', async () => {
    const { url } = await serve({});
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const check = await fetch(url, { method: 'POST', headers: form, body: 'ssl_check=1&token=x' });
    expect(check.status).toBe(200);
    const notACheck = await fetch(url, { method: 'POST', headers: form, body: 'command=%2Fbubbelbreker' });
    expect(notACheck.status).toBe(401);
    const large = await fetch(url, { method: 'POST', headers: form, body: `ssl_check=1&token=${'x'.repeat(300)}` });
    expect(large.status).toBe(401);
    expect(await large.json()).toEqual({ error: 'missing_signature' });
  });

  it('well-formed, fresh headers: the body is read and its HMAC checked', async () => {
    const { url } = await serve({});
    let answered = false;
    const pending = headersOnly(url, { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(nowS()) }).then(
      (reply) => {
        answered = true;
        return reply;
      },
    );
    await new Promise((r) => setTimeout(r, 100));
    // Waiting for the body it was promised: no answer yet.
    expect(answered).toBe(false);
    server?.closeAllConnections();
    await pending.catch(() => undefined);
  });
});
