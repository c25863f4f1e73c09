/**
 * POST /slack/events never lets a throw escape: an exception inside the request handling would otherwise be
 * uncaught and stop the process. Only an error code and class are logged, never the message or the body.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventsRoute, type EventsRouteDeps } from '../../../adapters/slack/http-receiver.js';
import { captureLogger } from '../../support/capture-logger.js';
import { directMessage, postSigned, TEST_SIGNING_SECRET } from '../../support/slack-signed-request.js';

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
  server = createServer((req, res) => void route(req, res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  return { capture, post: (body: string) => postSigned(url, body) };
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
