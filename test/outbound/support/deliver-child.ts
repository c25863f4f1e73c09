/**
 * Another process ("replica") for the Redis test: the real core on the same Redis and keys, with a Teams adapter,
 * writes to a channel another process remembered. Prints one JSON line: { messageId } or { error }.
 * Usage: node --import tsx deliver-child.ts <redisUrl> <namespace> <channel conversation id>
 */
import { createTeamsAdapter } from '../../../adapters/teams/index.js';
import { createCore } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { silentLogger } from '../../../src/logger.js';
import { openRedisStore } from '../../../src/store/create-store.js';

const [redisUrl, namespace, channelId] = process.argv.slice(2) as [string, string, string];
const store = await openRedisStore({ url: redisUrl, namespace });
try {
  const config = loadConfig({ ...process.env, BOT_LOCAL_MODE: '1' });
  const core = await createCore(config, { log: silentLogger(), store });
  const teams = await createTeamsAdapter(
    { appType: 'MultiTenant', allowedTenants: [], tenantRps: 30 },
    { log: silentLogger(), routes: { route: () => undefined }, localMode: true },
  );
  core.registry.register(teams);
  await teams.start(core.hostFor('teams'));
  const sent = await core.deliver(core.addresses.channelAddress('teams', channelId), {
    text: 'Uit een ander proces',
    blocks: [{ type: 'text', text: 'Uit een ander proces' }],
  });
  await teams.stop();
  process.stdout.write(`${JSON.stringify({ messageId: sent.messageId })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
  process.exitCode = 1;
} finally {
  await store.close();
}
