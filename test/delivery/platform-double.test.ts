/**
 * Broadcasts through the platform double on the real outbound path (address book, deliver, the Slack and Teams
 * adapters with their limiters and retries, ledger, durable queue) on SQLite and on Redis with BullMQ: with injected
 * 429s, unreachable recipients and recipients whose every post fails, everyone else gets the message exactly once,
 * the ledger names the rest, and the double's limits are kept. The double itself is checked first.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AudienceSpec, openRig, type Rig } from '../support/broadcast-rig.js';
import { APP_LIMITS, type PlatformDouble, startPlatformDouble } from '../support/platform-double.js';
import { connectTestClient, deleteNamespace, redisAvailable, redisUrl, uniqueNamespace } from '../support/redis.js';
import { tempDir } from '../support/temp.js';

const postSlack = (double: PlatformDouble, channel: string, token = 'xoxb-a') =>
  fetch(`${double.apiUrl}chat.postMessage`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel, text: 'hallo' }),
  });
const postTeams = (double: PlatformDouble, conversation: string, tenantId = 't1') =>
  fetch(`${double.serviceUrl}v3/conversations/${encodeURIComponent(conversation)}/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: 'hallo', conversation: { id: conversation, tenantId } }),
  });

describe('the platform double', () => {
  let double: PlatformDouble | undefined;
  afterEach(async () => {
    await double?.close();
    double = undefined;
  });

  it('answers 429 with Retry-After past a Slack channel limit, and tells the ignored Retry-After apart', async () => {
    double = await startPlatformDouble({ graceMs: 0 });
    // Slack about one per second per channel: three at once, the fourth refused.
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await postSlack(double, 'C1')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = double.posts[3];
    expect(refused?.outcome).toBe('over-limit');
    expect(refused?.retryAfterMs).toBe(1000);
    // Another channel is not held by that channel's limit, but by the Retry-After the workspace was just told.
    await new Promise((r) => setTimeout(r, 5));
    expect((await postSlack(double, 'C2')).status).toBe(429);
    expect(double.posts[4]?.outcome).toBe('ignored-retry-after');
    // Another workspace is free.
    expect((await postSlack(double, 'C2', 'xoxb-b')).status).toBe(200);
    const report = double.report(['slack:C1', 'slack:C2', 'slack:C3']);
    expect(report.delivered).toBe(2);
    expect(report.duplicates).toBe(2);
    expect(report.duplicated).toEqual(['slack:C1']);
    expect(report.lost).toEqual(['slack:C3']);
    expect(report.overLimit).toBe(1);
    expect(report.ignoredRetryAfter).toBe(1);
  });

  it('holds Teams to a per-conversation and a per-tenant window, scaled', async () => {
    // Minute-long windows, so the many requests at once surely fall into one window.
    double = await startPlatformDouble({
      scale: 2,
      limits: {
        ...APP_LIMITS,
        teamsConversation: [{ points: 7, durationMs: 60_000 }],
        teamsTenant: [{ points: 30, durationMs: 60_000 }],
      },
    });
    const d = double;
    // 7 per conversation × 2, all at once.
    const one = await Promise.all(Array.from({ length: 20 }, () => postTeams(d, 'a:1')));
    expect(one.filter((r) => r.status === 201)).toHaveLength(14);
    const refused = one.find((r) => r.status === 429);
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused?.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // The tenant: 30 × 2, of which 14 are used above; another tenant is not counted.
    const rest = await Promise.all(Array.from({ length: 80 }, (_, i) => postTeams(d, `a:x${i}`)));
    const other = await postTeams(d, 'a:y', 't2');
    expect(rest.filter((r) => r.status === 201)).toHaveLength(60 - 14);
    expect(other.status).toBe(201);
    expect(d.report().overLimit).toBe(20 - 14 + 80 - 46);
  });

  it('injects the same 429s and unreachable recipients for the same seed', async () => {
    const run = async () => {
      const d = await startPlatformDouble({ limits: false, rateLimitedRate: 0.2, unreachableRate: 0.1, seed: 7 });
      const statuses = [];
      for (let i = 0; i < 60; i += 1) statuses.push((await postTeams(d, `a:${i}`)).status);
      await d.close();
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.filter((s) => s === 429).length).toBeGreaterThan(3);
    expect(first.filter((s) => s === 403).length).toBeGreaterThan(1);
  });
});

const SPEC: AudienceSpec = { slackChannels: 30, slackPeople: 70, teamsChannels: 50, teamsPeople: 250 };
const SCALE = 10;

const backends = [
  ['SQLite', true],
  ['Redis with BullMQ', redisAvailable],
] as const;

for (const [name, available] of backends) {
  describe.skipIf(!available)(`a broadcast through the double on ${name}`, () => {
    let rig: Rig | undefined;
    let double: PlatformDouble | undefined;
    let namespace = '';
    afterEach(async () => {
      await rig?.close();
      await double?.close();
      rig = undefined;
      double = undefined;
      if (name !== 'SQLite') {
        const client = await connectTestClient();
        await deleteNamespace(client, namespace);
        client.destroy();
      }
    });

    it('reaches everyone once except the unreachable and failing, whom the ledger names, within the limits', async () => {
      double = await startPlatformDouble({
        scale: SCALE,
        rateLimitedRate: 0.05,
        unreachableRate: 0.03,
        failingRate: 0.02,
        seed: 11,
      });
      namespace = uniqueNamespace();
      rig = await openRig({
        backend: name === 'SQLite' ? 'sqlite' : 'redis',
        dbPath: join(tempDir(), 'double.sqlite'),
        redisUrl,
        namespace,
        apiUrl: double.apiUrl,
        serviceUrl: double.serviceUrl,
        scale: SCALE,
        maxAttempts: 3,
        pollMs: 20,
      });
      await rig.seed(SPEC);
      const counts = await rig.run('b1', SPEC);
      const expected = rig.expected(SPEC);
      const report = double.report(expected);

      expect(report.unreachable.length).toBeGreaterThan(0);
      expect(report.failing.length).toBeGreaterThan(0);
      expect(report.injected429).toBeGreaterThan(0);
      expect(report.lost).toEqual([]);
      expect(report.duplicates).toBe(0);
      expect(report.delivered).toBe(expected.length - report.unreachable.length - report.failing.length);
      expect(counts).toEqual({
        total: expected.length,
        pending: 0,
        sent: report.delivered,
        blocked: report.unreachable.length,
        failed: report.failing.length,
      });
      // The ledger names each final failure with its last outcome.
      const failures = await rig.broadcaster.ledger.failures('b1', 1000);
      expect(failures).toHaveLength(report.unreachable.length + report.failing.length);
      expect(failures.filter((r) => r.status === 'blocked').every((r) => r.lastStatus === 'blocked')).toBe(true);
      const failed = failures.filter((r) => r.status === 'failed');
      expect(failed.every((r) => r.lastStatus === 'platform_error' && r.attempts === 3)).toBe(true);
      // The app's own limiter keeps the double's limits: no call over a limit (its windows close 50 ms early).
      expect(report.overLimit).toBe(0);
      // A call already on its way when a 429 was answered may still arrive: at most the sends in flight.
      expect(report.ignoredRetryAfter).toBeLessThanOrEqual(32 * report.injected429);
    }, 120_000);
  });
}
