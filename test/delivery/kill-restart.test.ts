/**
 * A broadcast through the platform double, killed with SIGKILL at about half way in a child process and started
 * again, on SQLite and on Redis with BullMQ: nobody is lost, and only recipients in flight at the kill can get it
 * twice (once each at most). The double lives in this process, so it sees both runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AudienceSpec, expectedKeys } from '../support/broadcast-rig.js';
import { type PlatformDouble, startPlatformDouble } from '../support/platform-double.js';
import { connectTestClient, deleteNamespace, redisAvailable, redisUrl, uniqueNamespace } from '../support/redis.js';
import { tempDir } from '../support/temp.js';

const CHILD = resolve(import.meta.dirname, 'support/broadcast-child.ts');
const TSX = resolve(import.meta.dirname, '../../node_modules/.bin/tsx');
const SPEC: AudienceSpec = { slackChannels: 20, slackPeople: 40, teamsChannels: 60, teamsPeople: 480 };
const RECIPIENTS = SPEC.slackChannels + SPEC.slackPeople + SPEC.teamsChannels + SPEC.teamsPeople;
/** Send jobs at once in the child, per platform (the app's default), for two platforms: the most in flight. */
const IN_FLIGHT = 32 * 2;

const backends = [
  ['SQLite', true],
  ['Redis with BullMQ', redisAvailable],
] as const;

for (const [name, available] of backends) {
  describe.skipIf(!available)(`a broadcast killed half-way on ${name}`, () => {
    const children: ChildProcess[] = [];
    let double: PlatformDouble | undefined;
    let namespace = '';
    afterEach(async () => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await double?.close();
      if (namespace) {
        const client = await connectTestClient();
        await deleteNamespace(client, namespace);
        client.destroy();
      }
    });

    it('resumes after SIGKILL: everyone gets it, only recipients in flight at the kill twice', async () => {
      double = await startPlatformDouble({ scale: 10, rateLimitedRate: 0.02, unreachableRate: 0.02, seed: 5 });
      const d = double;
      const redis = name !== 'SQLite';
      namespace = redis ? uniqueNamespace() : '';
      const where = redis ? namespace : join(tempDir(), 'kill.sqlite');
      const args = [CHILD, redis ? 'redis' : 'sqlite', where, d.apiUrl, d.serviceUrl, JSON.stringify(SPEC)];
      const env = { ...process.env, REDIS_URL: redisUrl };
      const first = spawn(TSX, args, { stdio: 'ignore', env });
      children.push(first);
      const deadline = Date.now() + 60_000;
      while (d.deliveredPer().size < RECIPIENTS / 2) {
        if (Date.now() > deadline || first.exitCode !== null) throw new Error('the first run did not get half-way');
        await new Promise((r) => setTimeout(r, 5));
      }
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const atKill = d.deliveredPer().size;
      expect(atKill).toBeLessThan(RECIPIENTS);

      const second = spawn(TSX, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
      children.push(second);
      let out = '';
      second.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const code = await new Promise((r) => second.once('exit', r));
      expect(code).toBe(0);

      const expected = expectedKeys(SPEC, d.serviceUrl);
      const report = d.report(expected);
      expect(report.unreachable.length).toBeGreaterThan(0);
      expect(report.lost).toEqual([]);
      expect(report.delivered).toBe(RECIPIENTS - report.unreachable.length);
      expect(JSON.parse(out)).toEqual({
        total: RECIPIENTS,
        pending: 0,
        sent: report.delivered,
        failed: 0,
        blocked: report.unreachable.length,
      });
      // At most one duplicate each, and only for the sends in flight at the kill.
      const twice = [...d.deliveredPer().values()].filter((n) => n > 1);
      expect(twice.every((n) => n === 2)).toBe(true);
      expect(twice.length).toBeLessThanOrEqual(IN_FLIGHT);
      expect(report.overLimit).toBe(0);
    }, 120_000);
  });
}
