/**
 * T3 across replicas: one process stores the reference at install in Redis; a second, separate Node process reads
 * it and writes first through the Bot Connector stand-in.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/core/index.js';
import { createRedisConnections, openRedisStore } from '../../../src/store/create-store.js';
import type { KeyValueStore } from '../../../src/core/index.js';
import { connectTestClient, deleteNamespace, redisAvailable, redisUrl, uniqueNamespace } from '../../support/redis.js';
import { activities, startConnector, startTeams } from './support/harness.js';

const run = promisify(execFile);

describe.skipIf(!redisAvailable)('proactive send from another process (Redis)', () => {
  const namespace = uniqueNamespace();
  const connections = createRedisConnections(redisUrl);
  let store: KeyValueStore;
  beforeAll(async () => {
    store = await openRedisStore({ connections, namespace });
  });
  afterAll(async () => {
    await store.close();
    await connections.closeAll();
    const client = await connectTestClient();
    await deleteNamespace(client, namespace);
    client.destroy();
  });

  it('a reference stored by one replica lets another replica write first', async () => {
    const connector = await startConnector();
    const redis = await connections.client('limiter');
    const teams = await startTeams({ store, deps: { pseudonymize: (u) => `p-${u.userId}`, redis } });
    try {
      expect((await teams.post(activities.installation(connector.url))).status).toBe(200);
      expect(await store.get(keys.conversation('p-aad-user-1'))).toBeTruthy();
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'test/adapters/teams/support/proactive-child.ts', redisUrl, namespace, 'p-aad-user-1'],
        { timeout: 30_000 },
      );
      const result = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(result.error).toBeUndefined();
      expect(result.messageId).toMatch(/^sent-/);
      const [call] = await connector.waitFor(1);
      expect(call!.path).toMatch(/^\/v3\/conversations\/a%3Apersonal-1\/activities/);
      expect(call!.body.text).toBe('Uit een ander proces');
    } finally {
      await teams.close();
      await connector.close();
    }
  }, 40_000);
});
