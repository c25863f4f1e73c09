/**
 * A broadcast in a process of its own, for the kill test: argv = database path, delivery log path, recipients.
 * Every delivery appends one line (the recipient) to the log before it resolves; the parent kills this process with
 * SIGKILL half-way and starts it again on the same database.
 */
import { appendFileSync } from 'node:fs';
import { createKeyedHash } from '../../../src/crypto/pseudonym.js';
import { createSealer, parseDataKeys } from '../../../src/crypto/sealer.js';
import { createBroadcaster } from '../../../src/delivery/broadcaster.js';
import { silentLogger } from '../../../src/logger.js';
import { openSqliteQueue } from '../../../src/queue/sqlite-queue.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';

const [dbPath, logPath, countText] = process.argv.slice(2) as [string, string, string];
const count = Number(countText);
const store = openSqliteStore({ path: dbPath });
const queue = openSqliteQueue(store, { pollMs: 10, leaseMs: 500 });
const broadcaster = createBroadcaster({
  store,
  queue,
  hash: createKeyedHash('kill-test-key-0123456789abcdef0123'),
  sealer: createSealer(parseDataKeys('0123456789abcdef'.repeat(4))),
  log: silentLogger(),
  deliver: async (address) => {
    await new Promise((r) => setTimeout(r, 2));
    appendFileSync(logPath, `${address.kind === 'channel' ? address.channel : ''}\n`);
    return {
      conversation: { platform: 'console', tenantId: 't', conversationId: 'c', isDirect: false },
      messageId: 'm',
    };
  },
  update: async () => undefined,
  maxAttempts: 10,
  concurrency: 8,
  quietHours: 'off',
  timeZone: 'Europe/Amsterdam',
  retentionDays: 30,
  progressIntervalMs: 50,
});
broadcaster.registerKind('kill', {
  async audience(_b, cursor) {
    const start = Number(cursor ?? 0);
    const end = Math.min(count, start + 50);
    const recipients = [];
    for (let i = start; i < end; i += 1)
      recipients.push({ address: { kind: 'channel' as const, platform: 'slack' as const, channel: `r${i}` } });
    return { recipients, ...(end < count ? { next: String(end) } : {}) };
  },
  message: async () => ({ text: 'hallo', blocks: [] }),
});
await broadcaster.start();
if (!(await broadcaster.get('kill'))) {
  await broadcaster.create({ id: 'kill', kind: 'kill', sendAt: Date.now(), createdBy: 'api', locale: 'nl' });
}
for (;;) {
  const b = await broadcaster.get('kill');
  if (b?.status === 'done') break;
  await new Promise((r) => setTimeout(r, 20));
}
process.stdout.write(`${JSON.stringify(await broadcaster.counts('kill'))}\n`);
await broadcaster.stop();
await store.close();
