/**
 * Writing first on Teams from a stored address: after a restart (SQLite) and from another process (Redis). The
 * address book holds the conversation reference (with its serviceUrl) sealed; a channel the app was installed in
 * can be reached at once, a person only after they opted in (a feature called ctx.rememberAddress).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore } from '../../src/app.js';
import type { FeatureDeps } from '../../src/core/feature-deps.js';
import type { Feature } from '../../src/core/context.js';
import { silentLogger } from '../../src/logger.js';
import { openRedisStore, openSqliteStore } from '../../src/store/create-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { activities, startConnector, startTeams } from '../adapters/teams/support/harness.js';
import {
  sampleFeatures,
  TEST_DATA_KEY,
  TEST_DIALOGS_DIR,
  TEST_PSEUDONYM_KEY,
  testConfig,
} from '../support/make-bot.js';
import { deleteNamespace, connectTestClient, redisAvailable, redisUrl, uniqueNamespace } from '../support/redis.js';

const run = promisify(execFile);
const message = { text: 'Herinnering', blocks: [{ type: 'text' as const, text: 'Herinnering' }] };
const CHANNEL_ID = '19:channel@thread.tacv2;messageid=1700000000000';

/** A feature whose `abonneer` command opts the person in to messages later (it remembers their address). */
const optIn: Feature = {
  id: 'optin',
  commands: { subscribe: { words: ['abonneer'], run: async (ctx) => void (await ctx.rememberAddress()) } },
};
const features = (deps: FeatureDeps) => [optIn, ...sampleFeatures(deps)];

async function coreOn(store: KeyValueStore) {
  const config = testConfig();
  return createCore(config, { log: silentLogger(), store, features, extraDialogDirs: [TEST_DIALOGS_DIR] });
}

function channelInstall(serviceUrl: string) {
  const channel = activities.channelMention(serviceUrl, '');
  return {
    ...channel,
    type: 'conversationUpdate',
    text: undefined,
    entities: [],
    membersAdded: [{ id: '28:bot-app' }],
  };
}

describe('deliver on Teams after a restart (SQLite)', () => {
  it('a channel installed before the restart and an opted-in person can be written to', async () => {
    const connector = await startConnector();
    const path = join(testConfig().keysDir, '..', 'deliver.sqlite');
    try {
      const first = await coreOn(openSqliteStore({ path, purgeIntervalMs: 0 }));
      const teamsA = await startTeams({ core: first });
      await teamsA.post(channelInstall(connector.url));
      await teamsA.post(activities.personal(connector.url, 'abonneer'));
      await first.pipeline.drain();
      const person = first.pseudonymize({ platform: 'teams', tenantId: 'tenant-1', userId: 'aad-user-1' });
      await teamsA.close();
      await first.store.close();

      const second = await coreOn(openSqliteStore({ path, purgeIntervalMs: 0 }));
      const teamsB = await startTeams({ core: second });
      const before = connector.calls.length;
      await second.deliver(second.addresses.channelAddress('teams', CHANNEL_ID), message);
      await second.deliver(second.addresses.personAddress('teams', person), message);
      const calls = connector.calls.slice(before);
      // Proactive sends: the conversation's activities, never a reply to some activity id.
      expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
        `POST /v3/conversations/${encodeURIComponent(CHANNEL_ID)}/activities`,
        'POST /v3/conversations/a%3Apersonal-1/activities',
      ]);
      expect(calls.map((c) => c.body.replyToId)).toEqual([undefined, undefined]);
      expect(calls.every((c) => c.body.text === 'Herinnering')).toBe(true);
      // Nothing stored reveals the platform ids without the data key.
      const raw = JSON.stringify(await second.store.list('address:'));
      for (const id of ['aad-user-1', '29:user-1', 'a:personal-1', CHANNEL_ID, 'tenant-1', connector.url]) {
        expect(raw).not.toContain(id);
      }
      await teamsB.close();
      await second.store.close();
    } finally {
      await connector.close();
    }
  });
});

describe.skipIf(!redisAvailable)('deliver on Teams from another process (Redis)', () => {
  const namespace = uniqueNamespace();
  let store: KeyValueStore;
  beforeAll(async () => {
    store = await openRedisStore({ url: redisUrl, namespace });
  });
  afterAll(async () => {
    await store.close();
    const client = await connectTestClient();
    await deleteNamespace(client, namespace);
    client.destroy();
  });

  it('a channel remembered by one replica is written to by another', async () => {
    const connector = await startConnector();
    const core = await coreOn(store);
    const teams = await startTeams({ core });
    try {
      await teams.post(channelInstall(connector.url));
      await core.pipeline.drain();
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'test/outbound/support/deliver-child.ts', redisUrl, namespace, CHANNEL_ID],
        {
          timeout: 30_000,
          env: { ...process.env, PSEUDONYM_KEY: TEST_PSEUDONYM_KEY, DATA_KEY: TEST_DATA_KEY, LOG_LEVEL: 'silent' },
        },
      );
      const result = JSON.parse(stdout.trim().split('\n').pop() as string);
      expect(result.error).toBeUndefined();
      expect(result.messageId).toMatch(/^sent-/);
      const call = (await connector.waitFor(2)).at(-1);
      expect(call?.path).toBe(`/v3/conversations/${encodeURIComponent(CHANNEL_ID)}/activities`);
      expect(call?.body.text).toBe('Uit een ander proces');
    } finally {
      await teams.close();
      await connector.close();
    }
  }, 40_000);
});
