/** Helpers for insights tests: a full check-in through the real dialog, and the insights feature of a bot. */
import { afterEach, beforeEach, vi } from 'vitest';
import type { Core } from '../../../src/app.js';
import type { InsightsFeature } from '../../../src/features/insights/feature.js';
import type { OutboundMessage } from '../../../src/message/types.js';
import { answerCheckin, type person, recordingIO } from '../../support/make-bot.js';

type Person = ReturnType<typeof person>;

/** A check-in that gives a result: a conflict with stage 4 signals (win-lose) unless `signals` say otherwise. */
export const answers = (signals: string[] = ['images']): Record<string, string | string[]> => ({
  kind: 'conflict',
  signals,
  safety: ['none'],
  participation: 'codecide',
  delivered: 'inform',
  voices: ['neighbours'],
  position: 'meSide',
  note: '',
});

/** Answer every question (the consent card first), from the message that asked the first; the last turn's messages. */
export async function answerAll(
  bot: Core,
  who: Person,
  first: OutboundMessage | undefined,
  given: Record<string, string | string[]>,
): Promise<OutboundMessage[]> {
  return (await answerCheckin(bot, who, first, given)).sent;
}

/** A whole check-in typed as `checkin`; returns the messages of its last turn (the result). */
export async function checkIn(bot: Core, who: Person, signals?: string[]): Promise<OutboundMessage[]> {
  const io = recordingIO();
  await bot.receive(who.command('checkin'), io);
  return answerAll(bot, who, io.last(), answers(signals));
}

export function insightsOf(bot: Core): InsightsFeature {
  return bot.pipeline.table.features.find((f) => f.id === 'insights') as InsightsFeature;
}

/** Everything a message says, blocks included. */
export const said = (messages: unknown) => JSON.stringify(messages ?? {});

/** Every test of the block under a fake Date; the test's bot is stopped and its store closed after it. */
export function fakeDateAndStopBot(current: () => Core | undefined): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(async () => {
    const bot = current();
    await bot?.stopBackground();
    await bot?.store.close();
    vi.useRealTimers();
  });
}
