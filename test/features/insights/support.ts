/** Helpers for insights tests: a full check-in through the real dialog, and the insights feature of a bot. */
import type { Core } from '../../../src/app.js';
import type { InsightsFeature } from '../../../src/features/insights/feature.js';
import type { ActionPayload, OutboundMessage } from '../../../src/message/types.js';
import { type person, questionBlock, recordingIO } from '../../support/make-bot.js';

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

/** Answer every question, starting from the message that asked the first; returns the last turn's messages. */
export async function answerAll(
  bot: Core,
  who: Person,
  first: OutboundMessage | undefined,
  given: Record<string, string | string[]>,
): Promise<OutboundMessage[]> {
  let last = first;
  let sent: OutboundMessage[] = [];
  for (let guard = 0; guard < 15; guard += 1) {
    const q = questionBlock(last);
    if (!q) break;
    const value = given[q.route.data?.s ?? ''];
    const action: ActionPayload =
      q.type === 'multi'
        ? { route: q.route, values: value as string[] }
        : q.type === 'input'
          ? { route: q.route, text: (value as string) ?? '' }
          : { route: q.route, choice: value as string };
    const io = recordingIO();
    await bot.receive(who.clicks(action), io);
    sent = io.sent();
    last = io.last();
  }
  return sent;
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
