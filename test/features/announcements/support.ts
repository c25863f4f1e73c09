/** A bot with the product's features, an organiser, and a recording adapter for everything delivered. */
import type { Core } from '../../../src/app.js';
import type { ChatAdapter } from '../../../src/message/adapter.js';
import type { ActionPayload, Block, ConversationRef, OutboundMessage, SentRef } from '../../../src/message/types.js';
import { makeBot, person, recordingIO } from '../../support/make-bot.js';

export interface Delivered {
  to: ConversationRef;
  message: OutboundMessage;
}

/** A console adapter stand-in that records proactive sends and updates. */
export function recordingAdapter() {
  const sent: Delivered[] = [];
  const updates: { ref: SentRef; message: OutboundMessage }[] = [];
  const adapter: ChatAdapter = {
    platform: 'console',
    start: async () => undefined,
    stop: async () => undefined,
    async send(to, message) {
      sent.push({ to, message });
      return { conversation: to, messageId: `m${sent.length}` };
    },
    async update(ref, message) {
      updates.push({ ref, message });
    },
    openDirect: async (user) => ({
      platform: 'console',
      tenantId: user.tenantId,
      conversationId: `D-${user.userId}`,
      isDirect: true,
    }),
  };
  return { adapter, sent, updates };
}

export async function organiserBot(env: Record<string, string> = {}) {
  const bot = await makeBot({ env: { ORGANISERS: 'slack:UORG,teams:aad-org', QUIET_HOURS: 'off', ...env } });
  const recorder = recordingAdapter();
  bot.registry.register(recorder.adapter);
  return { bot, ...recorder };
}

/** Run one event and return what the turn sent. */
export async function turn(bot: Core, event: Parameters<Core['receive']>[0]) {
  const io = recordingIO();
  await bot.receive(event, io);
  return io;
}

export function formOf(message: OutboundMessage | undefined): Extract<Block, { type: 'form' }> | undefined {
  return message?.blocks.find((b): b is Extract<Block, { type: 'form' }> => b.type === 'form');
}

export function submit(
  form: Extract<Block, { type: 'form' }>,
  fields: Record<string, string | string[]>,
): ActionPayload {
  return { route: form.route, fields };
}

export const consoleOrganiser = () => person('UORG', 'console');
export { person };
