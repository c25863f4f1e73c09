import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signSlackBody, verifySlackRequest } from '../../../adapters/slack/verify.js';
import { captureLogger } from '../../support/capture-logger.js';
import {
  directMessage,
  signature,
  signedRequest,
  TEST_SIGNING_SECRET,
  urlVerification,
} from '../../support/slack-signed-request.js';
import { recordingSink, sleep, startSlack, type SlackHarness } from './harness.js';

describe('verifySlackRequest', () => {
  const body = Buffer.from('{"type":"event_callback"}');
  const now = 1_700_000_000_000;
  const ts = now / 1000;
  const sig = signSlackBody(TEST_SIGNING_SECRET, ts, body);

  it('accepts the reference signature', () => {
    expect(sig).toBe(signature(TEST_SIGNING_SECRET, ts, body.toString()));
    expect(
      verifySlackRequest(TEST_SIGNING_SECRET, { signature: sig, timestamp: String(ts) }, body, now),
    ).toBeUndefined();
  });

  it('accepts up to 300 s of skew either way and refuses beyond', () => {
    for (const skew of [-300, 300]) {
      const t = ts + skew;
      expect(
        verifySlackRequest(
          TEST_SIGNING_SECRET,
          { signature: signSlackBody(TEST_SIGNING_SECRET, t, body), timestamp: String(t) },
          body,
          now,
        ),
      ).toBeUndefined();
    }
    const old = ts - 301;
    const future = ts + 301;
    expect(
      verifySlackRequest(
        TEST_SIGNING_SECRET,
        { signature: signSlackBody(TEST_SIGNING_SECRET, old, body), timestamp: String(old) },
        body,
        now,
      ),
    ).toBe('stale_timestamp');
    expect(
      verifySlackRequest(
        TEST_SIGNING_SECRET,
        { signature: signSlackBody(TEST_SIGNING_SECRET, future, body), timestamp: String(future) },
        body,
        now,
      ),
    ).toBe('future_timestamp');
  });

  it('refuses missing, malformed, truncated and foreign signatures', () => {
    const check = (signatureHeader?: string, timestamp: string | undefined = String(ts)) =>
      verifySlackRequest(TEST_SIGNING_SECRET, { signature: signatureHeader, timestamp }, body, now);
    expect(check(undefined)).toBe('missing_signature');
    expect(verifySlackRequest(TEST_SIGNING_SECRET, { signature: sig }, body, now)).toBe('missing_timestamp');
    expect(check(sig, 'soon')).toBe('missing_timestamp');
    expect(check(sig.slice(0, -1))).toBe('bad_signature');
    expect(check(`${sig}0`)).toBe('bad_signature');
    expect(check(sig.toUpperCase())).toBe('bad_signature');
    expect(check(signSlackBody('another-secret-0123456789', ts, body))).toBe('bad_signature');
    expect(
      verifySlackRequest(
        TEST_SIGNING_SECRET,
        { signature: sig, timestamp: String(ts) },
        Buffer.from('{"type": "event_callback"}'),
        now,
      ),
    ).toBe('bad_signature');
  });
});

describe('POST /slack/events refuses what Slack did not sign', () => {
  let slack: SlackHarness;
  let recorder: ReturnType<typeof recordingSink>;
  const capture = captureLogger();

  beforeEach(async () => {
    recorder = recordingSink();
    slack = await startSlack({ sink: recorder.sink, log: capture.log });
  });
  afterEach(async () => {
    await slack.close();
  });

  const body = () => directMessage('U1', 'geheim-antwoord-canary');

  async function expectRefused(response: Response, reason: string) {
    expect(response.status).toBe(401);
    expect(response.headers.get('x-slack-no-retry')).toBe('1');
    expect(await response.json()).toEqual({ error: reason });
    await sleep(50);
    expect(recorder.events).toHaveLength(0);
  }

  it('missing signature', async () => {
    const signed = signedRequest(body());
    delete signed.headers['x-slack-signature'];
    await expectRefused(
      await fetch(slack.eventsUrl, { method: 'POST', headers: signed.headers, body: signed.body }),
      'missing_signature',
    );
  });

  it('wrong secret', async () => {
    await expectRefused(await slack.post(body(), { secret: 'not-the-signing-secret-000000' }), 'bad_signature');
  });

  it('stale timestamp (6 minutes old)', async () => {
    await expectRefused(
      await slack.post(body(), { timestamp: Math.floor(Date.now() / 1000) - 360 }),
      'stale_timestamp',
    );
  });

  it('future timestamp (6 minutes ahead)', async () => {
    await expectRefused(
      await slack.post(body(), { timestamp: Math.floor(Date.now() / 1000) + 360 }),
      'future_timestamp',
    );
  });

  it('a re-serialised body (same JSON, other bytes)', async () => {
    const original = body();
    const signed = signedRequest(original);
    const reserialised = JSON.stringify(JSON.parse(original), null, 1);
    await expectRefused(
      await fetch(slack.eventsUrl, { method: 'POST', headers: signed.headers, body: reserialised }),
      'bad_signature',
    );
  });

  it('never logs the body of a refused request', async () => {
    await slack.post(body(), { secret: 'not-the-signing-secret-000000' });
    expect(capture.text()).toContain('slack request refused');
    expect(capture.text()).not.toContain('geheim-antwoord-canary');
  });

  it('url_verification is answered only with a valid signature', async () => {
    const refused = await slack.post(urlVerification('challenge-123'), { secret: 'not-the-signing-secret-000000' });
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain('challenge-123');
    const answered = await slack.post(urlVerification('challenge-123'));
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ challenge: 'challenge-123' });
  });

  it('a valid request is acknowledged with an empty 200 and handed on', async () => {
    const response = await slack.post(body());
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await slack.adapter.drain();
    expect(recorder.events).toHaveLength(1);
  });
});
