/**
 * Redis killed and restarted during traffic. While Redis is away an event cannot be recorded, so it is not
 * acknowledged: Slack gets a 503 without X-Slack-No-Retry and delivers it again (this test plays Slack and resends
 * every non-2xx). Readiness reports not ready while Redis is away and ready again once it is back, without a
 * restart. Counted at the end: every event answered once — none lost, none twice.
 *
 * A Redis server of its own (with an append-only file, so a restart keeps what was written) on a free port.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { openRedisStore } from '../../src/store/create-store.js';
import { fakeSlackApi, startSlack, type SlackHarness } from '../adapters/slack/harness.js';
import { freePort } from '../e2e/support/playground-client.js';
import { makeBot } from '../support/make-bot.js';
import { directMessage } from '../support/slack-signed-request.js';
import { tempDir } from '../support/temp.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer && process.env.CI === 'true') throw new Error('redis-server is needed for the outage test');
if (!hasRedisServer) console.warn('\n!!! redis-server not found: the Redis outage test is SKIPPED\n');

let redis: ChildProcess | undefined;
let slack: SlackHarness | undefined;
afterEach(async () => {
  await slack?.close();
  slack = undefined;
  redis?.kill('SIGKILL');
  redis = undefined;
});

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error('redis-server did not start')), 10_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        done();
      }
    });
  });
  return child;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe.skipIf(!hasRedisServer)('Redis killed and restarted during traffic', () => {
  it('refuses what it cannot record with 503, answers every event once after Redis is back', async () => {
    const port = await freePort();
    const dir = tempDir('bb-redis-');
    redis = await startRedis(port, dir);
    const store = await openRedisStore({ url: `redis://127.0.0.1:${port}`, namespace: 'outage' });
    const core = await makeBot({ store, inboxLeaseMs: 200 });
    const api = fakeSlackApi(nock);
    slack = await startSlack({ core });
    const harness = slack;

    const users = Array.from({ length: 30 }, (_, i) => `U${i}`);
    const pending = new Map(users.map((u) => [u, directMessage(u, 'help', `D${u}`, `Ev-${u}`)]));
    const refused = new Set<string>();
    let killedAt = -1;
    let round = 0;
    while (pending.size > 0 && round < 60) {
      round += 1;
      for (const [user, body] of [...pending]) {
        const status = (await harness.post(body)).status;
        if (status === 200) pending.delete(user);
        else {
          expect(status).toBe(503);
          refused.add(user);
        }
        // About a third of the way: Redis goes away (killed, not stopped); it comes back two seconds later.
        if (killedAt < 0 && pending.size < 20) {
          killedAt = Date.now();
          redis.kill('SIGKILL');
          await new Promise((done) => redis?.once('exit', done));
          expect((await store.health()).writable).toBe(false);
          setTimeout(() => {
            void startRedis(port, dir).then((child) => {
              redis = child;
            });
          }, 2_000);
        }
      }
      if (pending.size > 0) await sleep(250);
    }
    expect(pending.size).toBe(0);
    expect(refused.size).toBeGreaterThan(0);
    await harness.adapter.drain();
    await core.pipeline.drain();
    expect((await store.health()).writable).toBe(true);
    // Turns that were under way when Redis went away stayed recorded; recovery (which the server runs every
    // 30 seconds) finishes them now that their lease ran out.
    await sleep(300);
    await core.recover();
    await core.pipeline.drain();

    // Every person got exactly one answer: none lost, none twice.
    const help = core.translator.t('nl', 'common.help').split('\n')[0]!;
    const answered = api
      .of('chat.postMessage')
      .filter((c) => JSON.stringify(c.body).includes(help))
      .map((c) => c.body.channel);
    expect(answered.sort()).toEqual(users.map((u) => `D${u}`).sort());
    await store.close();
  }, 60_000);
});
