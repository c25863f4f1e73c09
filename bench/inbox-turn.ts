/**
 * A diagnostic, not an aim: the core's per-event path without HTTP — the inbox's `accept` (claim and sealed record),
 * the turn of a `checkin` from a person who has not agreed yet, and the record's removal — in one process on SQLite,
 * 15 events at a time as a busy Slack workspace sends them. Prints the CPU per event for 5 rounds of 10,000 events.
 *   npm run build && npx tsx bench/inbox-turn.ts         (INBOX_ONLY=1: accept and finish without the turn)
 * The whole Slack pipeline against bare Bolt is bench/slack.ts; this isolates what the store and the turn cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { InboundEvent, TurnIO } from '../src/message/types.js';
import { benchEnv } from './bench-env.js';

const load = <T>(path: string): Promise<T> => import(`../dist/${path}`) as Promise<T>;
const { loadConfig } = await load<typeof import('../src/config.js')>('src/config.js');
const { createCore } = await load<typeof import('../src/app.js')>('src/app.js');
const { openSqliteStore } = await load<typeof import('../src/store/create-store.js')>('src/store/create-store.js');

const PEOPLE = 10_000;
const AT_ONCE = 15;
const ROUNDS = 5;
const PER_ROUND = 10_000;
const inboxOnly = process.env.INBOX_ONLY === '1';

const dir = mkdtempSync(join(tmpdir(), 'bb-bench-inbox-'));
const config = loadConfig(benchEnv(join(dir, 'bb.sqlite')), {});
const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
const store = openSqliteStore({ path: config.store.databasePath, log });
const core = await createCore(config, { log, store });
const host = core.hostFor('slack');
const io: TurnIO = { send: async () => undefined, update: async () => undefined, remove: async () => false };

let n = 0;
async function oneEvent(): Promise<void> {
  n += 1;
  const userId = `UB${(n % PEOPLE).toString(36).toUpperCase()}`;
  const user = { platform: 'slack' as const, tenantId: 'T0BENCH', userId };
  const event: InboundEvent = {
    kind: 'message',
    id: `Ev${n.toString(36)}`,
    platform: 'slack',
    user,
    conversation: { platform: 'slack', tenantId: 'T0BENCH', conversationId: `D${userId}`, isDirect: true },
    text: 'checkin',
    receivedAt: Date.now(),
  };
  const payload = { type: 'turn', event, target: { teamId: 'T0BENCH', userId, channel: `D${userId}`, isDirect: true } };
  const sentAt = Math.floor(Date.now() / 1000) * 1000;
  if (!(await host.accept('slack', event.id, { payload, user, sentAt }))) return;
  if (inboxOnly) await host.finish('slack', event.id);
  else await core.pipeline.handle(event, io);
}

async function round(events: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < events; i += AT_ONCE) await Promise.all(Array.from({ length: AT_ONCE }, oneEvent));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / events;
}

try {
  await round(PER_ROUND); // warm-up: JIT, and one event per person
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await round(PER_ROUND));
  const sorted = [...rounds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  console.log(
    `${inboxOnly ? 'inbox' : 'inbox and turn'}: CPU µs per event, rounds ${rounds.map((x) => x.toFixed(1)).join(', ')}; median ${median.toFixed(1)}`,
  );
} finally {
  await core.pipeline.drain();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
