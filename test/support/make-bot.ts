/**
 * The real core for tests: real dialogs, locales and features, a memory store (or one you pass), fixed keys and
 * a silent logger. Adapters' end-to-end tests drive it through `receive` or an adapter host.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { type Core, createCore } from '../../src/app.js';
import { type Config, type Env, loadConfig } from '../../src/config.js';
import type { Feature } from '../../src/core/context.js';
import type { FeatureDeps } from '../../src/core/feature-deps.js';
import { createBasicsFeature } from '../../src/features/basics/basics.js';
import { createConsent } from '../../src/features/privacy/consent.js';
import { createPrivacyFeature } from '../../src/features/privacy/privacy.js';
import { silentLogger } from '../../src/logger.js';
import type { ActionPayload, Block, InboundEvent, OutboundMessage, SentRef, TurnIO } from '../../src/message/types.js';
import { openMemoryStore } from '../../src/store/create-store.js';
import type { KeyValueStore } from '../../src/store/store.js';
import { tempDir } from './temp.js';

export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-0123456789abcdef0123456789';
export const TEST_DATA_KEY = '0123456789abcdef'.repeat(4);

/** The folder of the test-only sample dialog (every step kind) and its texts. */
export const TEST_DIALOGS_DIR = resolve(import.meta.dirname, '../fixtures/dialogs');

/** A config for tests: local mode, a temp database path (removed after the test file), fixed keys. */
export function testConfig(env: Env = {}): Config {
  const dir = tempDir();
  return loadConfig(
    {
      BOT_LOCAL_MODE: '1',
      LOG_LEVEL: 'silent',
      DATABASE_PATH: join(dir, 'bb.sqlite'),
      KEYS_DIR: join(dir, 'keys'),
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      DATA_KEY: TEST_DATA_KEY,
      ...env,
    },
    {},
  );
}

/** The features of core tests: `checkin` runs the sample dialog, plus the product's basics and privacy. */
export function sampleFeatures(deps: Pick<FeatureDeps, 'sealer'>): Feature[] {
  const sample: Feature = {
    id: 'sample',
    commands: { checkin: { words: ['checkin', 'check in'], run: (ctx) => ctx.startDialog('sample') } },
    dialogs: {
      sample: { onDone: async (ctx) => void (await ctx.io.send({ text: ctx.t('common.done'), blocks: [] })) },
    },
  };
  return [sample, createBasicsFeature(), createPrivacyFeature(createConsent(deps.sealer))];
}

export interface MakeBotOptions {
  env?: Env;
  store?: KeyValueStore;
  log?: Logger;
  now?: () => number;
  /** How long an accepted event stays leased to this process (recovery tests shorten it). */
  inboxLeaseMs?: number;
  /** `sample`: the sample dialog instead of the check-in (core tests); or a factory of your own. */
  features?: 'sample' | ((deps: FeatureDeps) => Feature[]);
}

/** Build the real core (pipeline, translator, store) for a test. */
export async function makeBot(options: MakeBotOptions = {}): Promise<Core> {
  const config = testConfig(options.env);
  return createCore(config, {
    log: options.log ?? silentLogger(),
    store: options.store ?? openMemoryStore(options.now),
    now: options.now,
    features: options.features === 'sample' ? sampleFeatures : options.features,
    extraDialogDirs: [TEST_DIALOGS_DIR],
    inboxLeaseMs: options.inboxLeaseMs,
  });
}

/** What a turn did, in order. */
export type Recorded =
  | { op: 'send'; message: OutboundMessage; direct: boolean }
  | { op: 'update'; message: OutboundMessage; target?: SentRef }
  | { op: 'remove'; ref: SentRef };

/** A TurnIO that records everything, for core tests. */
export function recordingIO(): TurnIO & {
  log: Recorded[];
  texts(): string[];
  /** The messages sent (not the updates), in order. */
  sent(): OutboundMessage[];
  last(): OutboundMessage | undefined;
} {
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
    async update(message, target) {
      log.push(target ? { op: 'update', message, target } : { op: 'update', message });
    },
    async remove(ref) {
      log.push({ op: 'remove', ref });
      return true;
    },
    texts() {
      return log.flatMap((r) => ('message' in r ? [r.message.text] : []));
    },
    sent(): OutboundMessage[] {
      return log.flatMap((r) => (r.op === 'send' ? [r.message] : []));
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

type Control = Extract<Block, { type: 'single' | 'multi' | 'scale' | 'input' }>;

/** The interactive block of a message (single, multi, scale or input), if any. */
export function questionBlock(message: OutboundMessage | undefined): Control | undefined {
  return message?.blocks.find((b): b is Control => ['single', 'multi', 'scale', 'input'].includes(b.type));
}

/** The buttons of a message, by label. */
export function buttonsOf(message: OutboundMessage | undefined): Map<string, ActionPayload> {
  const found = new Map<string, ActionPayload>();
  for (const block of message?.blocks ?? []) {
    if (block.type === 'buttons') for (const b of block.buttons) found.set(b.label, { route: b.route });
  }
  return found;
}

/** The "Ja, ik doe mee" of a consent card, when the message is one. */
export function consentYes(message: OutboundMessage | undefined): ActionPayload | undefined {
  return [...buttonsOf(message).values()].find((b) => b.route.feature === 'privacy' && b.route.verb === 'consent');
}

/**
 * Go through a check-in from the message that opened it: agree on the consent card when it comes, then answer
 * every question from `answers` (by step id). Returns every message of every turn, and the last turn's.
 */
export async function answerCheckin(
  core: Core,
  who: ReturnType<typeof person>,
  first: OutboundMessage | undefined,
  answers: Record<string, string | string[]>,
): Promise<{ all: OutboundMessage[]; sent: OutboundMessage[] }> {
  let last = first;
  let sent: OutboundMessage[] = [];
  const all: OutboundMessage[] = [];
  for (let guard = 0; guard < 16; guard += 1) {
    const yes = consentYes(last);
    const q = yes ? undefined : questionBlock(last);
    if (!yes && !q) break;
    let action: ActionPayload;
    if (yes) action = yes;
    else {
      const control = q as Control;
      const value = answers[control.route.data?.s ?? ''];
      action =
        control.type === 'multi'
          ? { route: control.route, values: value as string[] }
          : control.type === 'input'
            ? { route: control.route, text: (value as string) ?? '' }
            : { route: control.route, choice: value as string };
    }
    const io = recordingIO();
    await core.receive(who.clicks(action), io);
    sent = io.sent();
    all.push(...sent);
    last = io.last();
  }
  return { all, sent };
}

/** Answers that take a conflict check-in to its result (debate signals), with `note` as the note. */
export const conflictAnswers = (note = ''): Record<string, string | string[]> => ({
  kind: 'conflict',
  signals: ['debating'],
  safety: ['none'],
  participation: 'codecide',
  delivered: 'inform',
  voices: ['neighbours'],
  position: 'meSide',
  note,
});

/** Type `checkin` and go through it to its end (consent included). */
export async function checkInWith(
  core: Core,
  who: ReturnType<typeof person>,
  answers: Record<string, string | string[]>,
): Promise<{ all: OutboundMessage[]; sent: OutboundMessage[] }> {
  const io = recordingIO();
  await core.receive(who.command('checkin'), io);
  return answerCheckin(core, who, io.last(), answers);
}
