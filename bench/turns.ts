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
import { createCore } from '../src/app.js';
import { dialogKey } from '../src/dialog/runner.js';
import { silentLogger } from '../src/logger.js';
import type { ActionPayload, Block, InboundEvent, OutboundMessage, TurnIO } from '../src/message/types.js';
import { openMemoryStore, openSqliteStore } from '../src/store/create-store.js';
import type { KeyValueStore } from '../src/store/store.js';

export interface TurnsResult {
  store: 'sqlite' | 'memory';
  turnsPerSecond: number;
  turns: number;
  seconds: number;
  /** JSON bytes of one person's stored dialog state half-way through the sample dialog. */
  bytesPerActiveDialog: number;
}

/**
 * An answer to any check-in question, as a person who ticks the first option would give it, but never the
 * safety route (that would end the check-in early) and never "weet niet" (that shortens the path).
 */
function answer(block: Extract<Block, { type: 'single' | 'multi' | 'scale' | 'input' }>): ActionPayload {
  const usable =
    'choices' in block ? block.choices.filter((c) => !/^(dontKnow|threats|damage|doxxing)$/.test(c.id)) : [];
  const first = usable.find((c) => c.id === 'none') ?? usable[0];
  if (block.type === 'single') return { route: block.route, choice: first?.id };
  // "Nee" / "geen van deze" stand alone (exclusive): ticked with another option the answer is refused.
  if (block.type === 'multi')
    return { route: block.route, values: first?.id === 'none' ? ['none'] : usable.slice(0, 2).map((c) => c.id) };
  if (block.type === 'scale') return { route: block.route, choice: String(block.min) };
  return { route: block.route, text: '' };
}

function lastQuestion(message: OutboundMessage | undefined): ActionPayload | undefined {
  const block = message?.blocks.find(
    (b): b is Extract<Block, { type: 'single' | 'multi' | 'scale' | 'input' }> =>
      b.type === 'single' || b.type === 'multi' || b.type === 'scale' || b.type === 'input',
  );
  if (block) return answer(block);
  // The first check-in asks for consent before its first question: "Ja, ik doe mee" is a turn too.
  const consent = message?.blocks
    .flatMap((b) => (b.type === 'buttons' ? b.buttons : []))
    .find((b) => b.route.feature === 'privacy' && b.route.verb === 'consent');
  return consent ? { route: consent.route } : undefined;
}

export async function benchTurns(options: { store: 'sqlite' | 'memory'; seconds?: number }): Promise<TurnsResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-bench-'));
  const config = loadConfig(
    {
      BOT_LOCAL_MODE: '1',
      LOG_LEVEL: 'silent',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      PSEUDONYM_KEY: 'bench-key-0123456789abcdef0123456789abcdef',
      DATA_KEY: 'b'.repeat(64),
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

  // One person's whole check-in: start, consent, then every answer.
  const conversation = async (userId: string) => {
    await core.receive(event(userId, { kind: 'message', text: 'checkin' }), io);
    let turns = 1;
    for (let action = lastQuestion(last); action; action = lastQuestion(last)) {
      if (turns > 20) throw new Error('bench: the check-in did not end');
      await core.receive(event(userId, { kind: 'action', action }), io);
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
  await core.receive(event('size', { kind: 'message', text: 'checkin' }), io);
  for (let i = 0; i < 2; i++) {
    const action = lastQuestion(last);
    if (action) await core.receive(event('size', { kind: 'action', action }), io);
  }
  const { createPseudonymizer } = await import('../src/crypto/pseudonym.js');
  const person = createPseudonymizer(config.pseudonymKey ?? '')({
    platform: 'console',
    tenantId: 'bench',
    userId: 'size',
  });
  const { value: state } = await store.getVersioned(dialogKey(person));
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
