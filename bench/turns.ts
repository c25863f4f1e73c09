/**
 * Dialog turns per second through the whole core on the real check-in (dedupe claim, pseudonym, person lock,
 * engine, render, state write; the last turn diagnoses and stores the result) with the SQLite store and with the in-memory store, and the stored bytes per active dialog.
 *   npx tsx bench/turns.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config.js';
import type { ActionPayload, InboundEvent, OutboundMessage, TurnIO } from '../src/core/types.js';
import { createCore } from '../src/main.js';
import { silentLogger } from '../src/logger.js';
import { openMemoryStore, openSqliteStore } from '../src/store/create-store.js';
import { keys } from '../src/store/keys.js';
import type { KeyValueStore } from '../src/store/store.js';

export interface TurnsResult {
  store: 'sqlite' | 'memory';
  turnsPerSecond: number;
  turns: number;
  seconds: number;
  /** JSON bytes of one person's stored dialog state half-way through the sample dialog. */
  bytesPerActiveDialog: number;
}

/** Answers for the real check-in, by step: a council member on a dossier that is both conflict and polarisation. */
const ANSWER: Record<string, Partial<ActionPayload>> = {
  kind: { choiceId: 'both' },
  signals: { values: ['debating', 'images'] },
  safety: { values: ['none'] },
  participation: { choiceId: 'codecide' },
  delivered: { choiceId: 'inform' },
  voices: { values: ['youth', 'distrust'] },
  roles: { values: ['pushers', 'silentMiddle', 'meAbove'] },
  gameChangers: { values: ['tone'] },
  note: { text: '' },
};

function lastQuestion(message: OutboundMessage | undefined): ActionPayload | undefined {
  const block = message?.blocks.find(
    (b) => b.type === 'single' || b.type === 'multi' || b.type === 'scale' || b.type === 'input',
  );
  return block && 'action' in block ? block.action : undefined;
}

export async function benchTurns(options: { store: 'sqlite' | 'memory'; seconds?: number }): Promise<TurnsResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-bench-'));
  const config = loadConfig(
    {
      BOT_LOCAL_MODE: '1',
      LOG_LEVEL: 'silent',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      PSEUDONYM_KEY: 'bench-key-0123456789abcdef0123456789abcdef',
    },
    {},
  );
  const store: KeyValueStore =
    options.store === 'sqlite'
      ? openSqliteStore({ path: config.store.databasePath, log: silentLogger() })
      : openMemoryStore();
  const core = await createCore(config, { log: silentLogger(), store });
  let last: OutboundMessage | undefined;
  const io: TurnIO = {
    send: async (m) => {
      last = m;
      return undefined;
    },
    update: async (m) => {
      last = m;
    },
    remove: async () => false,
  };
  let n = 0;
  const event = (userId: string, rest: Pick<InboundEvent, 'kind'> & Record<string, unknown>): InboundEvent =>
    ({
      id: `bench-${n++}`,
      platform: 'console',
      user: { platform: 'console', tenantId: 'bench', userId },
      conversation: { platform: 'console', tenantId: 'bench', conversationId: userId, isDirect: true },
      receivedAt: 0,
      ...rest,
    }) as InboundEvent;

  // One person's whole sample dialog: start + 5 answers = 6 turns.
  const conversation = async (userId: string) => {
    await core.bot.sink(event(userId, { kind: 'message', text: 'checkin' }), io);
    let turns = 1;
    for (let question = lastQuestion(last); question; question = lastQuestion(last)) {
      const answer = ANSWER[question.stepId];
      if (!answer || turns > 20) throw new Error(`bench: no answer for step ${question.stepId}`);
      await core.bot.sink(event(userId, { kind: 'action', action: { ...question, ...answer } }), io);
      turns += 1;
    }
    return turns;
  };

  for (let i = 0; i < 200; i++) await conversation(`warm-${i}`);
  const seconds = options.seconds ?? 3;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  let turns = 0;
  let people = 0;
  while (process.hrtime.bigint() < deadline) turns += await conversation(`p-${people++}`);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;

  // Bytes of an active dialog: start one and answer two questions, then read the stored state back.
  await core.bot.sink(event('size', { kind: 'message', text: 'checkin' }), io);
  for (let i = 0; i < 2; i++) {
    const q = lastQuestion(last);
    if (q) await core.bot.sink(event('size', { kind: 'action', action: { ...q, ...ANSWER[q.stepId] } }), io);
  }
  const { createPseudonymizer } = await import('../src/privacy/pseudonym.js');
  const person = createPseudonymizer(config.pseudonymKey ?? '')({
    platform: 'console',
    tenantId: 'bench',
    userId: 'size',
  });
  const state = await store.get(keys.dialog(person));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    store: options.store,
    turnsPerSecond: Math.round(turns / elapsed),
    turns,
    seconds: Number(elapsed.toFixed(2)),
    bytesPerActiveDialog: Buffer.byteLength(JSON.stringify(state)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const store of ['memory', 'sqlite'] as const) console.log(JSON.stringify(await benchTurns({ store })));
}
