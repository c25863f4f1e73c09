import type { ConversationRef, Locale, OutboundMessage, SentRef, TurnIO } from '../../src/core/index.js';
import { renderFormModal } from './form.js';
import { renderMessage, type Label } from './render.js';
import type { ReplyTarget, Translate } from './types.js';
import type { SlackApi } from './web-api.js';

/** Where a form submission's turn may answer in the HTTP response (TurnWork.answerInView). */
export interface ViewAnswerSlot {
  /** Offered every message of the turn: true when it became the answer (a form); anything else closes the modal. */
  offer(message: OutboundMessage): boolean;
}

export interface TurnIODeps {
  api: SlackApi;
  translate: Translate;
  defaultLocale: Locale;
}

export const labelFor =
  (deps: Pick<TurnIODeps, 'translate' | 'defaultLocale'>, message: OutboundMessage): Label =>
  (key) =>
    deps.translate(message.locale ?? deps.defaultLocale, key);

const ref = (teamId: string, channel: string, isDirect: boolean, threadTs?: string): ConversationRef => ({
  platform: 'slack',
  tenantId: teamId,
  conversationId: channel,
  ...(threadTs ? { threadId: threadTs } : {}),
  isDirect,
});

/**
 * How the core answers one Slack event:
 * - `send` posts in the conversation the event came from (in the thread of a mention). `direct` — and anything
 *   from the App Home — goes to the person's 1:1 chat with the bot. A slash command outside that chat is answered
 *   through its response_url, visible to the person only, so nobody else sees it.
 * - `update` replaces a question card the core names, or else the message the click came from (chat.update, or
 *   response_url for ephemeral messages), so old buttons cannot be pressed again; without either it sends instead.
 * - `remove` deletes a message the bot sent (chat.delete).
 * - In answer to a form modal's submission, a form the core sends back (refused, with the reason) is not posted: it
 *   becomes the HTTP answer (`viewAnswer`), so the modal stays open with what was typed.
 */
export function createTurnIO(target: ReplyTarget, deps: TurnIODeps, viewAnswer?: ViewAnswerSlot): TurnIO {
  const { api } = deps;
  const { teamId, userId } = target;

  async function post(
    channel: string,
    message: OutboundMessage,
    isDirect: boolean,
    threadTs?: string,
  ): Promise<SentRef> {
    const rendered = renderMessage(message, labelFor(deps, message));
    const sent = await api.postMessage(teamId, { channel, ...rendered, ...(threadTs ? { thread_ts: threadTs } : {}) });
    return { conversation: ref(teamId, sent.channel, isDirect, threadTs), messageId: sent.ts };
  }

  async function respond(message: OutboundMessage, replace: boolean): Promise<void> {
    const rendered = renderMessage(message, labelFor(deps, message));
    await api.respond(target.responseUrl!, { ...rendered, response_type: 'ephemeral', replace_original: replace });
  }

  let trigger = target.triggerId;
  /** A form in answer to a click or command opens as a modal (once per trigger); false when it cannot. */
  async function openForm(message: OutboundMessage): Promise<boolean> {
    const form = message.blocks.find((b) => b.type === 'form');
    if (!form || form.type !== 'form' || !trigger) return false;
    const triggerId = trigger;
    trigger = undefined;
    try {
      await api.openView(teamId, triggerId, renderFormModal(form, target.channel));
      return true;
    } catch {
      // The trigger expired (3 s): the form goes as a message with a button that opens it again.
      return false;
    }
  }

  const io: TurnIO = {
    async send(message, options) {
      // A form in answer to a form's submission: the modal stays open and shows it (the HTTP answer).
      if (viewAnswer?.offer(message)) return undefined;
      if (await openForm(message)) return undefined;
      // Already in the bot's 1:1 chat: "direct" is this chat (no conversations.open needed).
      if (options?.direct && target.isDirect && target.channel) return post(target.channel, message, true);
      if (options?.direct || !target.channel) return post(await api.openDm(teamId, userId), message, true);
      // A slash command, or a click on a message only this person can see: answer just as privately.
      const privateOnly =
        !target.isDirect &&
        target.responseUrl !== undefined &&
        (target.source ? target.source.ephemeral : !target.threadTs);
      if (privateOnly) {
        await respond(message, false);
        return undefined;
      }
      return post(target.channel, message, target.isDirect, target.threadTs);
    },
    async update(message, card) {
      if (viewAnswer?.offer(message)) return;
      if (card) {
        const rendered = renderMessage(message, labelFor(deps, message));
        await api.update(teamId, { channel: card.conversation.conversationId, ts: card.messageId, ...rendered });
        return;
      }
      const source = target.source;
      if (source && !source.ephemeral) {
        const rendered = renderMessage(message, labelFor(deps, message));
        await api.update(teamId, { channel: source.channel, ts: source.ts, ...rendered });
        return;
      }
      if (source?.ephemeral && target.responseUrl) return respond(message, true);
      await io.send(message);
    },
    async remove(sent) {
      return api.delete(teamId, { channel: sent.conversation.conversationId, ts: sent.messageId });
    },
  };
  return io;
}

/** A TurnIO for events nobody can be answered on (the app was removed). */
export const silentTurnIO: TurnIO = {
  send: async () => undefined,
  update: async () => undefined,
  remove: async () => false,
};
