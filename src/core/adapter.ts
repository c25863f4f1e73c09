import type { ConversationRef, InboundSink, OutboundMessage, Platform, SentRef, UserRef } from './types.js';

/**
 * A chat platform as seen by the core: transport and rendering only.
 *
 * @example
 * const adapter = createConsoleAdapter({ input: process.stdin, output: process.stdout });
 * await adapter.start(bot.sink);
 * await adapter.send(ref, { text: 'Hallo', blocks: [{ type: 'text', text: 'Hallo' }] });
 */
export interface ChatAdapter {
  readonly platform: Platform;
  /** Mount routes or open the socket, and deliver every inbound event to `sink`. */
  start(sink: InboundSink): Promise<void>;
  /** Stop taking new events; resolves when turns in flight have finished. */
  stop(): Promise<void>;
  /** Send a new message to a stored conversation (proactive). */
  send(to: ConversationRef, message: OutboundMessage): Promise<SentRef>;
  /** Replace an earlier message in place. */
  update(sent: SentRef, message: OutboundMessage): Promise<void>;
  /** Open (or find) the 1:1 conversation with a person. */
  openDirect(user: UserRef): Promise<ConversationRef>;
  /** Delete an earlier message, where the platform allows it. */
  remove?(sent: SentRef): Promise<boolean>;
}
