/**
 * Another process ("replica") for the Redis test: it reads the conversation reference another process stored at
 * install and writes first. Prints one JSON line: { messageId } or { error }.
 * Usage: node --import tsx proactive-child.ts <redisUrl> <namespace> <person>
 */
import { keys, type ConversationRef } from '../../../../src/core/index.js';
import { silentLogger } from '../../../../src/logger.js';
import { createRedisConnections, openRedisStore } from '../../../../src/store/create-store.js';
import { createTeamsAdapter } from '../../../../adapters/teams/index.js';

const [redisUrl, namespace, person] = process.argv.slice(2) as [string, string, string];
const connections = createRedisConnections(redisUrl);
const store = await openRedisStore({ connections, namespace });
try {
  const ref = await store.get<ConversationRef>(keys.conversation(person));
  if (!ref) throw new Error('no stored reference');
  const teams = await createTeamsAdapter(
    { appType: 'MultiTenant', allowedTenants: [], tenantRps: 30 },
    {
      log: silentLogger(),
      store,
      routes: { route: () => undefined },
      localMode: true,
      redis: await connections.client('limiter'),
    },
  );
  await teams.start(async () => undefined);
  const sent = await teams.send(ref, {
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
  await connections.closeAll();
}
