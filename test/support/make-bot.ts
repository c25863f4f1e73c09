/**
 * The real bot for tests: real dialogs, locales and features, a memory store (or one you pass),
 * a fixed pseudonym key and a silent logger. Adapters' end-to-end tests drive it through `sink`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig, type Config, type Env } from '../../src/config.js';
import type { Feature } from '../../src/core/context.js';
import type { ActionPayload, Block, InboundEvent, OutboundMessage, SentRef, TurnIO } from '../../src/core/types.js';
import { createCore, type Core } from '../../src/main.js';
import { silentLogger } from '../../src/logger.js';
import { openMemoryStore } from '../../src/store/create-store.js';
import type { KeyValueStore } from '../../src/store/store.js';

export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-0123456789abcdef0123456789';

/** A config for tests: local mode, a temp database path, a fixed pseudonym key. */
export function testConfig(env: Env = {}): Config {
  const dir = mkdtempSync(join(tmpdir(), 'bb-test-'));
  return loadConfig(
    {
      BOT_LOCAL_MODE: '1',
      LOG_LEVEL: 'silent',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      ...env,
    },
    {},
  );
}

export interface MakeBotOptions {
  env?: Env;
  store?: KeyValueStore;
  log?: Logger;
  now?: () => number;
  /** Replace the product features (core tests pass [] to run the sample dialog through `checkin`). */
  features?: Feature[];
}

/** Build the real core (bot, translator, store) for a test. */
export async function makeBot(options: MakeBotOptions = {}): Promise<Core> {
  const config = testConfig(options.env);
  return createCore(config, {
    log: options.log ?? silentLogger(),
    store: options.store ?? openMemoryStore(options.now),
    now: options.now,
    features: options.features,
  });
}

/** What a turn did, in order. */
export type Recorded =
  | { op: 'send'; message: OutboundMessage; direct: boolean }
  | { op: 'update'; message: OutboundMessage }
  | { op: 'remove'; ref: SentRef };

/** A TurnIO that records everything, for core tests. */
export function recordingIO(): TurnIO & { log: Recorded[]; texts(): string[]; last(): OutboundMessage | undefined } {
  const log: Recorded[] = [];
  let n = 0;
  return {
    log,
    async send(message, options) {
      log.push({ op: 'send', message, direct: options?.direct === true });
      n += 1;
      return {
        conversation: { platform: 'console', tenantId: 't', conversationId: 'c', isDirect: true },
        messageId: `m${n}`,
      };
    },
    async update(message) {
      log.push({ op: 'update', message });
    },
    async remove(ref) {
      log.push({ op: 'remove', ref });
      return true;
    },
    texts() {
      return log.flatMap((r) => ('message' in r ? [r.message.text] : []));
    },
    last() {
      const messages = log.flatMap((r) => ('message' in r ? [r.message] : []));
      return messages[messages.length - 1];
    },
  };
}

let counter = 0;
/** Build inbound events for one person in a 1:1 conversation. */
export function person(userId = 'U1', platform: InboundEvent['platform'] = 'console') {
  const base = () => ({
    id: `evt-${++counter}-${Math.random().toString(36).slice(2)}`,
    platform,
    user: { platform, tenantId: 'T1', userId },
    conversation: { platform, tenantId: 'T1', conversationId: `D-${userId}`, isDirect: true },
    receivedAt: Date.now(),
  });
  return {
    says: (text: string): InboundEvent => ({ ...base(), kind: 'message', text }),
    command: (text: string): InboundEvent => ({ ...base(), kind: 'command', text }),
    clicks: (action: ActionPayload): InboundEvent => ({ ...base(), kind: 'action', action }),
    installs: (): InboundEvent => ({ ...base(), kind: 'install' }),
  };
}

/** The interactive block of a message (single, multi, scale or input), if any. */
export function questionBlock(
  message: OutboundMessage | undefined,
): Extract<Block, { type: 'single' | 'multi' | 'scale' | 'input' }> | undefined {
  return message?.blocks.find((b): b is Extract<Block, { type: 'single' | 'multi' | 'scale' | 'input' }> =>
    ['single', 'multi', 'scale', 'input'].includes(b.type),
  );
}
